"""The loop through the real SDK against the fake Messages API: text, tools, ordering, caching, usage."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from backend_pair.agents.events import (
    AgentEvent,
    ProposalChanged,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
    UsageUpdated,
)
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, Reply, Text, ToolUse, text_reply, tool_reply
from tests.support import assert_valid_history

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


async def test_text_answer_streams_and_ends(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("Hello from the **fake** API, streamed in several chunks.")])
    events = await collect(session, "hi")
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "Hello from the **fake** API, streamed in several chunks."
    assert len([e for e in events if isinstance(e, TextDelta)]) > 1
    assert events[-1] == TurnEnded("end_turn", interrupted=False)
    assert [m["role"] for m in session.messages] == ["user", "assistant"]
    body = server.requests[0]
    assert body["stream"] is True
    assert body["messages"][0]["content"][-1]["text"] == "hi"


async def test_several_tool_uses_answered_in_one_message_in_order(make_session: SessionFactory, workspace: Any) -> None:
    session, server = make_session(
        [
            tool_reply(
                ToolUse("Read", {"file_path": "README.md"}),
                ToolUse("Glob", {"pattern": "**/*.py"}),
                ToolUse("Read", {"file_path": "app/main.py"}, chunks=7),
                text="Looking around.",
            ),
            text_reply("Done."),
        ]
    )
    events = await collect(session, "look")
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.name for e in started] == ["Read", "Glob", "Read"]
    assert [e.call_id for e in finished] == [e.call_id for e in started]
    assert started[2].input == {"file_path": "app/main.py"}
    second = server.requests[1]["messages"][-1]["content"]
    assert [b["type"] for b in second] == ["tool_result"] * 3
    assert [b["tool_use_id"] for b in second] == [e.call_id for e in started]
    assert "# sample" in second[0]["content"]
    assert second[1]["content"] == "app/main.py"
    assert_valid_history(session.messages)


async def test_prefix_bytes_identical_turn_over_turn_and_latest_message_cached(make_session: SessionFactory) -> None:
    session, server = make_session(
        [
            tool_reply(ToolUse("Read", {"file_path": "README.md"})),
            text_reply("one"),
            text_reply("two"),
        ]
    )
    await collect(session, "first")
    await collect(session, "second")
    prefixes = {json.dumps([body["system"], body["tools"]]) for body in server.requests}
    assert len(server.requests) == 3 and len(prefixes) == 1
    for body in server.requests:
        assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
        marked = [b for m in body["messages"] for b in m["content"] if "cache_control" in b]
        assert marked == [body["messages"][-1]["content"][-1]]
    assert all("cache_control" not in b for m in session.messages for b in m["content"])


async def test_usage_per_call_and_session(make_session: SessionFactory) -> None:
    from backend_pair.fake_api import Usage

    usage = Usage(input=1000, output=500, cache_read=2000, cache_creation=300)
    session, _ = make_session([Reply((Text("a"),), usage=usage), Reply((Text("b"),), usage=usage)])
    first = [e for e in await collect(session, "x") if isinstance(e, UsageUpdated)]
    second = [e for e in await collect(session, "y") if isinstance(e, UsageUpdated)]
    assert first[-1].turn.input == 1000 and first[-1].turn.cache_read == 2000
    assert second[-1].session.output == 1000 and second[-1].turn.output == 500
    assert second[-1].session_cost > second[-1].turn_cost > 0


async def test_only_allowed_tools_offered_todowrite_always(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("ok")], tools=("Read", "Grep"))
    await collect(session, "x")
    assert [tool["name"] for tool in server.requests[0]["tools"]] == ["Read", "Grep", "TodoWrite"]


async def test_write_is_a_proposal_not_disk(make_session: SessionFactory, workspace: Any) -> None:
    session, server = make_session(
        [tool_reply(ToolUse("Write", {"file_path": "app/new.py", "content": "X = 1\n"})), text_reply("ok")]
    )
    events = await collect(session, "x")
    assert ProposalChanged(("app/new.py",)) in events
    assert not (workspace.root / "app/new.py").exists()
    result = server.requests[1]["messages"][-1]["content"][0]["content"]
    assert "pending" in result and "review" in result


def test_offered_tools_order_scoped_forms_and_unknown_names() -> None:
    from backend_pair.agents.tools import offered_tools

    assert offered_tools(["Edit", "Bash(git diff:*)", " Read ", "WebFetch", "mcp__x__y"]) == (
        "Read",
        "Edit",
        "Bash",
        "TodoWrite",
    )
    assert offered_tools([]) == ("TodoWrite",)
