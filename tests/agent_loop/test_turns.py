"""Turn mechanics: feedback and notices travel with the message, max_tokens continues, one turn at a time, lazy SDK."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from backend_pair.agents.approval import allow_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.events import AgentError, FeedbackSent, TextDelta, TurnEnded
from backend_pair.agents.history import problems
from backend_pair.agents.resume import open_session
from backend_pair.agents.session import CONTINUE_PROMPT, AgentSession
from backend_pair.fake_api import FakeMessagesServer, Reply, Text, ToolUse, text_reply
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import JournalError
from tests.support import collect

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def test_feedback_and_notices_travel_with_the_next_message(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    session, server = make_session([text_reply("one"), text_reply("two"), text_reply("three")])
    await collect(session, "first")
    workspace.propose("app/main.py", "def hello() -> str:\n    return 'hi'\n")
    proposal = workspace.proposal("app/main.py")
    assert proposal is not None
    workspace.reject_hunk("app/main.py", proposal.hunks[0].id, "keep hello")
    session.add_notice("app/other.py changed on disk")
    events = await collect(session, "second")
    sent = [e for e in events if isinstance(e, FeedbackSent)]
    assert len(sent) == 1 and "keep hello" in sent[0].text and "app/other.py changed on disk" in sent[0].text
    blocks = server.requests[1]["messages"][-1]["content"]
    assert "<review-feedback>" in blocks[0]["text"] and "keep hello" in blocks[0]["text"]
    assert blocks[-1]["text"] == "second"
    third = await collect(session, "third")
    assert not [e for e in third if isinstance(e, FeedbackSent)]


async def test_max_tokens_stop_continues_the_answer(make_session: SessionFactory) -> None:
    cut = Reply((Text("The first half of a long"), ToolUse("Read", {"file_path": "REA"})), stop_reason="max_tokens")
    session, server = make_session([cut, text_reply(" answer, finished.")])
    events = await collect(session, "long please")
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "The first half of a long answer, finished."
    assert events[-1] == TurnEnded("end_turn", False)
    second = server.requests[1]["messages"]
    assert second[-1]["content"][-1]["text"] == CONTINUE_PROMPT
    assert all(block["type"] == "text" for block in second[-2]["content"])
    assert problems(session.messages) == []


async def test_one_turn_at_a_time(make_session: SessionFactory) -> None:
    session, _ = make_session([Reply((Text("slow answer coming"),), stall_after=4, stall=60), text_reply("x")])
    first = session.run_turn("one")
    assert isinstance(await anext(first), TextDelta)
    second = await collect(session, "two")
    assert isinstance(second[0], AgentError) and "already running" in second[0].message
    session.cancel()
    rest = [event async for event in first]
    assert rest[-1] == TurnEnded(None, True)


async def test_open_session_new_then_latest(
    workspace: Workspace, definition: AgentDefinition, servers: list[FakeMessagesServer]
) -> None:
    from backend_pair.agents.client import make_client

    server = FakeMessagesServer([text_reply("hello"), text_reply("again")])
    servers.append(server)
    client = make_client(api_key="k", base_url=server.start(), max_retries=0)
    checklist = Checklist.from_definition(definition)
    try:
        open_session(definition, workspace, checklist, "m", allow_all, resume="", client=client)
        raise AssertionError("resume without a session must fail")
    except JournalError as err:
        assert "no session to resume" in str(err)
    fresh = open_session(
        definition, workspace, checklist, "claude-sonnet-4-20250514", allow_all, resume=None, client=client
    )
    await collect(fresh, "hi")
    again = open_session(
        definition, workspace, checklist, "claude-sonnet-4-20250514", allow_all, resume="", client=client
    )
    assert again.messages == fresh.messages
    assert again.journal is not None and fresh.journal is not None and again.journal.path == fresh.journal.path


def test_loop_modules_do_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "import backend_pair.agents.session, backend_pair.agents.events, backend_pair.agents.approval\n"
        "import backend_pair.agents.tools, backend_pair.fake_api, backend_pair.demo.setup\n"
        "import backend_pair.agents.client, backend_pair.workspace.journal, backend_pair.agents.resume\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('anthropic', 'httpx2', 'textual')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd())
    assert result.stdout.strip() == "[]"
