"""Test doubles for the TUI: a scripted agent session and helpers to build apps deterministically."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.definition import AgentDefinition, parse_definition
from backend_pair.agents.events import AgentEvent, ToolCallFinished, ToolCallStarted
from backend_pair.agents.port import SessionPort
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.config import AppConfig
from backend_pair.tui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.widget import Widget

    from backend_pair.agents.memory import ProjectMemory
    from backend_pair.agents.models import TokenCounts
    from backend_pair.agents.permissions import PermissionRules
    from backend_pair.agents.tools.base import ChecklistView
    from backend_pair.keymaps import Keymap
    from backend_pair.tui.widgets.review_pane import ReviewPane
    from backend_pair.workspace import Workspace

MAIN_PY = '''"""A tiny service."""

from dataclasses import dataclass


@dataclass
class User:
    name: str
    email: str


def greet(user: User) -> str:
    return "hello " + user.name


def add(a: int, b: int) -> int:
    return a + b


def health() -> dict[str, str]:
    return {"status": "ok"}
'''

MAIN_PY_PROPOSED = MAIN_PY.replace(
    'def greet(user: User) -> str:\n    return "hello " + user.name',
    'def greet(user: User) -> str:\n    """Greet a user by name."""\n    return f"hello {user.name}"',
).replace('    return {"status": "ok"}', '    return {"status": "ok", "version": "1"}')

TEST_PY = """from app.main import add


def test_add() -> None:
    assert add(1, 2) == 3
"""


BUNDLED_AGENT = Path(__file__).resolve().parents[2] / "src/backend_pair/agents/definitions/backend-engineer.md"
"""The bundled Backend Engineer definition."""

MODEL = "claude-sonnet-4-20250514"
"""The model shown in tests."""


@dataclass(frozen=True)
class AskBash:
    """A script step: the agent runs Bash, which asks the developer first."""

    command: str
    cwd: str = "/srv/demo-repo"
    description: str = ""


@dataclass(frozen=True)
class Propose:
    """A script step: the agent proposes ``content`` for ``path`` (through the workspace, like Write)."""

    path: str
    content: str


@dataclass(frozen=True)
class RunCommand:
    """A script step: an approved command runs in the repository (snapshot, run, its changes go to review)."""

    command: str


@dataclass(frozen=True)
class Wait:
    """A script step: wait until the test sets the event (to look at a turn mid-stream)."""

    event_name: str


Step = AgentEvent | AskBash | Propose | RunCommand | Wait
"""What a scripted turn does, in order."""


@dataclass
class ScriptedSession:
    """Plays one scripted list of steps per turn; records prompts and Bash decisions."""

    app: BackendPairApp
    turns: list[list[Step]]
    prompts: list[str] = field(default_factory=list)
    decisions: list[BashDecision] = field(default_factory=list)
    gates: dict[str, object] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    """Review decisions the app recorded (``record_review``)."""

    compactions: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    memory: ProjectMemory | None = None
    session_usage: TokenCounts | None = None
    session_cost: float = 0.0
    usage_by_agent: dict[str, tuple[TokenCounts, float]] = field(default_factory=dict)
    subagent_runs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def checklist(self) -> ChecklistView:
        """The app's own checklist (a scripted session restores nothing)."""
        assert self.app.checklist is not None
        return self.app.checklist

    @property
    def permissions(self) -> PermissionRules:
        """No settings files: no rules."""
        from backend_pair.agents.permissions import PermissionRules

        return PermissionRules()

    @property
    def connected(self) -> bool:
        """Nothing to connect to."""
        return True

    def connect(self) -> None:
        """Nothing to build."""

    def snapshot(self) -> None:
        """Nothing is journaled."""

    def record_review(self, decision: dict[str, Any]) -> None:
        """Remember the decision (tests read ``reviews``)."""
        self.reviews.append(decision)

    async def compact(self) -> AsyncIterator[AgentEvent]:
        """What compacting on demand yields (counted)."""
        from backend_pair.agents.events import Compacted

        self.compactions += 1
        yield Compacted(12, 5, False)

    async def run_turn(self, user_text: str) -> AsyncIterator[AgentEvent]:
        """Yield the next turn's events, asking for approval and proposing where the script says."""
        import asyncio

        from backend_pair.agents.events import ProposalChanged

        self.prompts.append(user_text)
        steps = self.turns.pop(0) if self.turns else []
        for step in steps:
            if isinstance(step, AskBash):
                call_id = f"bash-{len(self.decisions) + 1}"
                yield ToolCallStarted(call_id, "Bash", f"Bash {step.command}", {"command": step.command})
                decision = await self.app.approve_bash(BashRequest(step.command, Path(step.cwd), step.description))
                self.decisions.append(decision)
                ran = decision.kind != "deny"
                result = "ok: 3 passed" if ran else f"denied: {decision.reason or 'no reason given'}"
                yield ToolCallFinished(call_id, "Bash", f"Bash {step.command}", result, not ran)
            elif isinstance(step, Propose):
                workspace = self.app.workspace
                assert workspace is not None
                await asyncio.to_thread(workspace.propose, step.path, step.content)
                yield ToolCallStarted(f"w-{step.path}", "Write", f"Write {step.path}", {"file_path": step.path})
                yield ToolCallFinished(
                    f"w-{step.path}", "Write", f"Write {step.path}", "proposed, pending review", False
                )
                yield ProposalChanged((step.path,))
            elif isinstance(step, RunCommand):
                workspace = self.app.workspace
                assert workspace is not None
                start = await asyncio.to_thread(workspace.begin_command, step.command)
                await asyncio.to_thread(subprocess.run, ["bash", "-c", step.command], cwd=workspace.root, check=True)
                report = await asyncio.to_thread(workspace.finish_command, start)
                yield ProposalChanged(report.changed)
            elif isinstance(step, Wait):
                gate = self.gates.setdefault(step.event_name, asyncio.Event())
                assert isinstance(gate, asyncio.Event)
                await gate.wait()
            else:
                yield step


def definition() -> AgentDefinition:
    """The bundled Backend Engineer."""
    return parse_definition(BUNDLED_AGENT)


def make_app(
    root: Path,
    turns: Sequence[Sequence[Any]] = (),
    *,
    keymap: Keymap | None = None,
    workspace: Workspace | None = None,
) -> tuple[BackendPairApp, Callable[[], ScriptedSession]]:
    """An app on ``root`` whose agent plays ``turns``; returns it and a getter for the scripted session.

    Args:
        root: A git repository.
        turns: One list of steps per prompt the test will send.
        keymap: Binding id -> keys (default keys when None).
        workspace: An already open workspace (opened from ``root`` when None).
    """
    config = AppConfig(root=root, definition=definition(), model=MODEL, keymap=keymap or {}, resume=None, demo=False)
    sessions: list[ScriptedSession] = []

    async def factory(app: BackendPairApp) -> SessionPort:
        session = ScriptedSession(app, [list(turn) for turn in turns])
        sessions.append(session)
        return session

    app = BackendPairApp(config, workspace=workspace, session_factory=factory, watch=False)

    def session() -> ScriptedSession:
        assert sessions, "the session has not been created yet"
        return sessions[0]

    return app, session


async def wait_until(pilot: Pilot[int], condition: Callable[[], bool], what: str, tries: int = 500) -> None:
    """Let the app run until ``condition`` holds (bounded by a number of pauses, not by a clock)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


async def settle(pilot: Pilot[int]) -> None:
    """Wait for every worker but the disk watcher, then let queued messages and Markdown streams finish."""
    from textual.worker import WorkerCancelled, WorkerState

    app = pilot.app
    for worker in [worker for worker in app.workers if worker.group != "watch"]:
        if worker.state == WorkerState.PENDING:
            await pilot.pause()
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    for _ in range(3):
        await pilot.pause()


async def send(pilot: Pilot[int], text: str) -> None:
    """Put ``text`` in the prompt and press Enter (typing each key is tested once, in the prompt tests)."""
    app = pilot.app
    assert isinstance(app, BackendPairApp)
    prompt = app.main.query_one(PromptInput)
    prompt.focus()
    prompt.insert(text)
    await pilot.press("enter")


async def open_review(pilot: Pilot[int], prompt: str) -> ReviewPane:
    """Send ``prompt`` (its scripted turn proposes), let the turn end, then focus the review pane with ctrl+r."""
    from backend_pair.tui.widgets.review_pane import ReviewPane

    await settle(pilot)
    await send(pilot, prompt)
    await settle(pilot)
    await pilot.press("ctrl+r")
    app = pilot.app
    assert isinstance(app, BackendPairApp)
    pane = app.main.query_one(ReviewPane)
    assert app.focused is pane
    return pane


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; return its output."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def staged_diff(root: Path) -> str:
    """``git diff --cached`` of the repository."""
    return git(root, "diff", "--cached")


def conversation_entries(app: BackendPairApp) -> list[Widget]:
    """The conversation's entries without the app's greeting notes."""
    from backend_pair.tui.widgets.conversation import ConversationPane, NoticeEntry

    entries = app.main.query_one(ConversationPane).entries
    return [entry for entry in entries if not (isinstance(entry, NoticeEntry) and entry.kind == "info")]
