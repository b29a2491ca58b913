"""Starting up: the workspace, checklist and session made off the event loop, and what the conversation says first.

The app runs these in order once the first frame is painted (``BackendPairApp._start``); the slow imports they need
(GitPython, the agent loop) happen in threads or when first called, never on the first frame.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from backend_pair.errors import BackendPairError

if TYPE_CHECKING:
    from pathlib import Path

    from backend_pair.agents.approval import BashDecision, BashRequest
    from backend_pair.agents.checklist import Checklist
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.port import SessionPort
    from backend_pair.tui.app_port import Notifies
    from backend_pair.tui.config import AppConfig
    from backend_pair.tui.screens.main import MainScreen
    from backend_pair.workspace import Workspace


class SessionHost(Protocol):
    """What the real session is made from: the app once its workspace and checklist are open."""

    @property
    def config(self) -> AppConfig:
        """The command line's decisions."""
        ...

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace."""
        ...

    @property
    def checklist(self) -> Checklist | None:
        """The agent's checklist."""
        ...

    async def approve_bash(self, request: BashRequest) -> BashDecision:
        """Ask the developer whether a command may run."""
        ...


def open_workspace(root: Path) -> Workspace:
    """Import and open the workspace; called in a thread (GitPython's import alone takes about 0.1 s)."""
    from backend_pair.workspace import open_workspace

    return open_workspace(root)


def new_checklist(definition: AgentDefinition) -> Checklist:
    """Import the checklist module and make the agent's checklist; called in a thread."""
    from backend_pair.agents.checklist import Checklist

    return Checklist.from_definition(definition)


async def default_session(app: SessionHost) -> SessionPort:
    """The real, journaled agent session (new or resumed).

    The SDK client is not built here: the first turn builds it in a thread (see ``tui/turns.py::connect``), so
    ``import anthropic`` (about a second, ~70 MB) never weighs on startup.
    """
    from backend_pair.agents.resume import open_session

    workspace, checklist = app.workspace, app.checklist
    if workspace is None or checklist is None:
        raise BackendPairError("the workspace is not open")
    config = app.config
    session = await asyncio.to_thread(
        open_session,
        config.definition,
        workspace,
        checklist,
        config.model,
        app.approve_bash,
        resume=config.resume,
    )
    return session


def resumed_checklist(session: SessionPort) -> Checklist | None:
    """The checklist a resumed session brought back from the journal, if any."""
    from backend_pair.agents.checklist import Checklist

    return session.checklist if isinstance(session.checklist, Checklist) else None


async def show_restored(screen: MainScreen, session: SessionPort, *, resumed: bool) -> None:
    """Show what a resumed session restored: its conversation (asked for with ``--resume``) and its usage."""
    messages = session.messages
    if resumed and messages:
        from backend_pair.agents.tools import summarize

        history = list(messages)
        await screen.show_resumed(history, summarize, session.subagent_runs, typed_messages(history))
    usage = session.session_usage
    if usage is not None:
        screen.show_usage(usage, session.session_cost)


async def recover_interrupted_command(screen: MainScreen, workspace: Workspace) -> bool:
    """Put what a command cut short by a crash had changed under review, and say so; True when it changed files."""
    report = await asyncio.to_thread(workspace.recover_interrupted_command)
    if report is None or not report.changed:
        return False
    await screen.say(
        f"A Bash command was cut short when backend-pair last stopped; what it changed "
        f"({', '.join(report.changed)}) is in the review pane.",
        "info",
    )
    return True


async def greet(screen: MainScreen, config: AppConfig) -> None:
    """Tell a new user what to do first (nothing on a resumed session that already shows its history)."""
    if screen.shows_history:
        return
    if config.demo:
        await screen.say(
            "Demo: a scripted agent answers through a local fake of the API (no key, no cost), in the sample "
            f"repository {config.root}. Type any request, e.g. 'add an endpoint to cancel an order', and "
            "press Enter.",
            "info",
        )
    await screen.say(
        "Enter sends · ctrl+r review the agent's changes · ctrl+l checklist · F1 every key · ctrl+q quit",
        "info",
    )


async def announce_settings(screen: MainScreen, session: SessionPort, toasts: Notifies) -> None:
    """Say which memory files and permission rules are in use, and which settings files were ignored and why."""
    memory, permissions = session.memory, session.permissions
    if memory is not None and memory.files:
        await screen.say(memory.describe(), "info")
    for note in memory.notes if memory is not None else ():
        await screen.say(f"memory: {note}", "info")
    if permissions.rules:
        await screen.say(permissions.summary(), "info")
    for problem in permissions.problems:
        await screen.say(problem, "error")
        toasts.notify(problem, severity="warning", timeout=10)


def typed_messages(messages: list[dict[str, Any]]) -> list[str]:
    """What the developer typed, in order, from an API history (review feedback and summaries left out)."""
    from backend_pair.agents.session import CONTINUE_PROMPT

    typed = []
    for message in messages:
        content = message.get("content")
        if message.get("role") != "user":
            continue
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        texts = [
            str(block.get("text", "")) for block in blocks if isinstance(block, dict) and block.get("type") == "text"
        ]
        texts = [t for t in texts if t.strip() and not t.lstrip().startswith("<") and t != CONTINUE_PROMPT]
        if texts:
            typed.append(texts[-1])
    return typed
