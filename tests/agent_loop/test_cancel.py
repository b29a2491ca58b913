"""Cancel: the stream and any running command stop; the history stays one the API accepts; the next turn works."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.events import AgentEvent, TextDelta, ToolCallFinished, ToolCallStarted, TurnEnded
from backend_pair.agents.history import CANCELLED
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, Reply, Text, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace
from tests.support import assert_valid_history

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


STALLING = Reply(
    (Text("Thinking about it at length, sentence after sentence, before the stall."),), stall_after=4, stall=60
)


async def test_cancel_mid_stream_ends_turn_and_next_message_works(make_session: SessionFactory) -> None:
    session, server = make_session([STALLING, text_reply("fresh")])
    events: list[AgentEvent] = []
    async for event in session.run_turn("long one"):
        events.append(event)
        if isinstance(event, TextDelta):
            session.cancel()
    assert events[-1] == TurnEnded(None, interrupted=True)
    assert not session.running
    after = await collect(session, "short one")
    assert after[-1] == TurnEnded("end_turn", False)
    assert_valid_history(session.messages)
    assert_valid_history(server.requests[1]["messages"])


async def test_task_cancellation_mid_stream_keeps_history_valid(make_session: SessionFactory) -> None:
    session, server = make_session([STALLING, text_reply("fresh")])
    first_text = asyncio.Event()

    async def consume() -> None:
        async for event in session.run_turn("long one"):
            if isinstance(event, TextDelta):
                first_text.set()

    task = asyncio.create_task(consume())
    await first_text.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not session.running
    await collect(session, "again")
    assert_valid_history(server.requests[1]["messages"])
    assert_valid_history(session.messages)


async def test_cancel_kills_running_command_process_group(make_session: SessionFactory, workspace: Workspace) -> None:
    command = "sleep 60 & echo $! > child.pid; wait"
    session, server = make_session(
        [
            tool_reply(ToolUse("Bash", {"command": command}), ToolUse("Read", {"file_path": "README.md"})),
            text_reply("ok"),
        ]
    )
    pid_file = workspace.root / "child.pid"
    events: list[AgentEvent] = []
    async for event in session.run_turn("run it"):
        events.append(event)
        if isinstance(event, ToolCallStarted) and event.name == "Bash":
            asyncio.get_running_loop().create_task(_cancel_when_exists(session.cancel, pid_file))
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.result for e in finished] == [CANCELLED]
    assert events[-1] == TurnEnded(None, interrupted=True)
    child = int(pid_file.read_text())
    await _until_gone(child)
    results = session.messages[-1]["content"]
    assert [r["content"] for r in results] == [CANCELLED, CANCELLED]
    assert_valid_history(session.messages)
    await collect(session, "next")
    assert_valid_history(server.requests[1]["messages"])


async def test_cancel_while_waiting_for_approval(make_session: SessionFactory) -> None:
    asked = asyncio.Event()

    async def never(request: BashRequest) -> BashDecision:
        asked.set()
        await asyncio.Future()
        raise AssertionError("unreachable")

    session, _ = make_session([tool_reply(ToolUse("Bash", {"command": "true"})), text_reply("ok")], approver=never)

    async def cancel_when_asked() -> None:
        await asked.wait()
        session.cancel()

    canceller = asyncio.create_task(cancel_when_asked())
    events = await collect(session, "run")
    await canceller
    assert events[-1] == TurnEnded(None, interrupted=True)
    assert session.messages[-1]["content"][0]["content"] == CANCELLED
    assert_valid_history(session.messages)


async def _cancel_when_exists(cancel: object, path: Path) -> None:
    while not path.exists() or not path.read_text().strip():
        await asyncio.sleep(0.01)
    assert callable(cancel)
    cancel()


async def _until_gone(pid: int) -> None:
    """Wait for a killed process to disappear (it is reaped by init once its parent shell died)."""
    for _ in range(1000):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if _is_zombie(pid):
            return
        await asyncio.sleep(0.01)
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else "gone"
    raise AssertionError(f"process {pid} still runs after cancel: {stat}")


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return False


async def test_listener_closing_the_generator_leaves_a_valid_history(make_session: SessionFactory) -> None:
    session, server = make_session(
        [tool_reply(ToolUse("Read", {"file_path": "README.md"}), ToolUse("Glob", {"pattern": "*"})), text_reply("x")]
    )
    turn = session.run_turn("look")
    async for event in turn:
        if isinstance(event, ToolCallStarted):
            break
    await turn.aclose()
    assert not session.running
    assert_valid_history(session.messages)
    assert [r["content"] for r in session.messages[-1]["content"]] == [CANCELLED, CANCELLED]
    await collect(session, "next")
    assert_valid_history(server.requests[1]["messages"])
