"""A stream cut after every event boundary of a turn with text and two tool calls: each time, the history sent
next is valid (roles alternate, every tool_use answered by the next message, nothing empty) and the next message
works; the journal brings back a history that is valid too.

Runs the real agent loop through the real SDK against the loopback fake Messages API (no terminal).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.approval import deny_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.discovery import DEFAULT_AGENT, find_agent
from backend_pair.agents.events import AgentEvent, TextDelta, ToolCallFinished, TurnEnded
from backend_pair.agents.resume import resume_session
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, Reply, Step, Text, ToolUse, text_reply
from backend_pair.workspace import Workspace, open_workspace
from backend_pair.workspace.journal import SessionJournal
from tests.faults.fault_support import assert_valid_history

MODEL = "claude-sonnet-4-20250514"
TURN = Reply(
    blocks=(
        Text("Let me look at the code first, then at the tests."),
        ToolUse("Read", {"file_path": "app/main.py"}, id="toolu_cut_read"),
        ToolUse("Glob", {"pattern": "**/*.md"}, id="toolu_cut_glob"),
    )
)
AFTER = "Picking up after the cut."


def _event_count() -> int:
    return len(FakeMessagesServer([]).events({"model": MODEL, "messages": []}, TURN))


EVENTS = _event_count()


@pytest.fixture
def workspace(git_repo: Path) -> Iterator[Workspace]:
    opened = open_workspace(git_repo)
    yield opened
    opened.close()


def _session(workspace: Workspace, base_url: str, journal: SessionJournal) -> AgentSession:
    from backend_pair.agents.client import make_client

    definition = find_agent(DEFAULT_AGENT, workspace.root)
    client = make_client(api_key="sk-ant-test-cut", base_url=base_url, max_retries=0, timeout=10.0)
    return AgentSession(
        definition, workspace, Checklist.from_definition(definition), MODEL, deny_all, journal=journal, client=client
    )


async def _turn(session: AgentSession, text: str) -> list[AgentEvent]:
    return [event async for event in session.run_turn(text)]


def test_the_scripted_turn_has_every_kind_of_event() -> None:
    assert EVENTS >= 12, "message_start, ping, three blocks (start, deltas, stop), message_delta, message_stop"


@pytest.mark.parametrize("cut_after", range(EVENTS))
async def test_cut_after_every_event_keeps_history_valid_and_next_message_works(
    workspace: Workspace, cut_after: int
) -> None:
    first = True

    def script(body: dict[str, Any], index: int) -> Step:
        nonlocal first
        if first:
            first = False
            return Reply(TURN.blocks, cut_after=cut_after)
        return text_reply(AFTER)

    server = FakeMessagesServer(script)
    try:
        journal = SessionJournal.create(workspace.root)
        session = _session(workspace, server.start(), journal)
        cut = await _turn(session, "read the code")
        assert isinstance(cut[-1], TurnEnded) and cut[-1].interrupted, cut[-1]
        for request in server.requests:
            assert_valid_history(request["messages"])

        after = await _turn(session, "go on")
        assert after[-1] == TurnEnded("end_turn", False)
        assert AFTER in "".join(event.text for event in after if isinstance(event, TextDelta))
        # A tool call answered before the cut was run for real, never twice.
        finished = [event.call_id for event in cut + after if isinstance(event, ToolCallFinished)]
        assert len(finished) == len(set(finished))
        assert_valid_history(server.requests[-1]["messages"])

        # The journal brings back a history the API accepts.
        resumed = resume_session(
            session.definition, workspace, session.checklist, MODEL, deny_all, SessionJournal(journal.path)
        )
        assert resumed.messages == session.messages
        assert_valid_history([*resumed.messages, {"role": "user", "content": "and now?"}])
    finally:
        server.stop()
