"""The agent's turns: run one at a time in the turn worker group, their events posted to the main screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.worker import WorkerState

from backend_pair.errors import BackendPairError
from backend_pair.tui.adapter import TextCoalescer, TurnCancelled

if TYPE_CHECKING:
    from textual.app import App

    from backend_pair.agents.port import SessionPort
    from backend_pair.tui.screens.main import MainScreen

UI_BREATH = 0.005
"""Seconds the turn pauses after posting to the screen, so the screen can repaint while text streams."""

TURN_GROUP = "agent-turn"
"""Worker group of the running agent turn (exclusive: one turn at a time)."""


def turn_running(app: App[Any]) -> bool:
    """A turn (or a compaction) is waiting to start or running."""
    return any(
        worker.group == TURN_GROUP and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in app.workers
    )


async def run_turn(screen: MainScreen, session: SessionPort | None, text: str, quitting: Callable[[], bool]) -> None:
    """Run one turn of the session on ``text``, posting its events to ``screen`` as they stream.

    Args:
        screen: The main screen.
        session: The agent session (None when it could not start: said so).
        text: The developer's message.
        quitting: True once the app is quitting (a turn cancelled then says nothing).
    """
    if session is None:
        await screen.say("no agent session: see the error above", "error")
        return
    screen.show_turn_running(True)
    messages = TextCoalescer(screen.post_message)
    try:
        await connect(screen, session)
        screen.show_activity("working")
        async for event in session.run_turn(text):
            if messages.add(event):
                # A stream already buffered never suspends this task: give the screen its turn to
                # handle the message and repaint (and the prompt to echo keys).
                await asyncio.sleep(UI_BREATH)
        messages.flush()
    except asyncio.CancelledError:
        messages.flush()
        if not quitting():
            screen.post_message(TurnCancelled())
        raise
    except BackendPairError as err:
        messages.flush()
        await screen.say(str(err), "error")
    finally:
        screen.show_activity("ready")
        screen.show_turn_running(False)


async def run_compaction(screen: MainScreen, session: SessionPort) -> None:
    """Compact the session's conversation now, posting what it did to ``screen``."""
    messages = TextCoalescer(screen.post_message)
    try:
        await connect(screen, session)
        screen.show_activity("compacting")
        async for event in session.compact():
            messages.add(event)
        messages.flush()
    except BackendPairError as err:
        await screen.say(str(err), "error")
    finally:
        screen.show_activity("ready")


async def connect(screen: MainScreen, session: SessionPort) -> None:
    """Build the API client in a thread on the first turn (``import anthropic`` costs about a second).

    Never at startup: the SDK alone is ~70 MB of memory that a session that never sends does not need.
    """
    if session.connected:
        return
    import gc

    from backend_pair.tui.widgets.agent_entry import warm_markdown

    def connect_and_warm() -> None:
        session.connect()
        warm_markdown()  # the Markdown parser and code highlighting load here, not on the first answer

    screen.show_activity("connecting…")
    try:
        await asyncio.to_thread(connect_and_warm)
    except BackendPairError:
        raise
    except Exception as err:  # the SDK's own configuration errors (e.g. no key) become one line
        raise BackendPairError(f"cannot create the API client: {err}") from err
    # What exists now (the app, the SDK just imported) lives as long as the app. Out of the collector's sight,
    # it is no longer scanned by every full collection, which a streamed answer (it allocates a lot) triggers:
    # each took a few hundred milliseconds of frozen screen.
    gc.freeze()
