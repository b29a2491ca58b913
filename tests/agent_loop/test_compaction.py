"""Compaction: near the context window, older turns become one summary; the history stays valid and the state stays."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend_pair.agents import compaction
from backend_pair.agents.events import AgentError, Compacted, Retrying, TurnEnded
from backend_pair.agents.history import problems
from backend_pair.agents.resume import replay_messages
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, HttpError, ToolUse, Usage, text_reply, tool_reply
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal
from tests.support import drain

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]
FULL = Usage(input=20_000, output=50, cache_read=150_000, cache_creation=0)
"""A request that used 170,000 of the 200,000 tokens of the window (85%)."""
SUMMARY = "## Goal\nAdd cancellation.\n## Work done\nRead big.txt; proposed notes.md."


def _script_with_summary(summary_step: Any) -> list[Any]:
    return [
        tool_reply(
            ToolUse("Read", {"file_path": "big.txt"}),
            ToolUse("Write", {"file_path": "notes.md", "content": "# notes\n"}),
        ),
        text_reply("turn one done"),
        text_reply("turn two done", usage=FULL),
        summary_step,
        text_reply("turn three done"),
    ]


async def _three_turns(make_session: SessionFactory, workspace: Workspace, summary_step: Any, **kw: Any) -> Any:
    (workspace.root / "big.txt").write_text("".join(f"line {n} of a long file\n" for n in range(800)))
    session, server = make_session(_script_with_summary(summary_step), **kw)
    first = await drain(session.run_turn("read big.txt and start notes"))
    second = await drain(session.run_turn("go on"))
    before = json.dumps(session.messages)
    third = await drain(session.run_turn("and finish"))
    return session, server, first + second, third, before


async def test_a_nearly_full_window_compacts_before_the_next_request(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    session, server, _, third, before = await _three_turns(make_session, workspace, text_reply(SUMMARY))
    assert [e for e in third if isinstance(e, Compacted)] == [Compacted(7, 5, True)]
    assert third[-1] == TurnEnded("end_turn", False)
    summary_call, next_call = server.requests[3], server.requests[4]
    assert summary_call["system"] == compaction.SUMMARY_SYSTEM
    assert summary_call["messages"][-1]["content"][-1]["text"] == compaction.SUMMARY_REQUEST
    assert "removed by compaction; Read big.txt again" in json.dumps(summary_call["messages"])
    sent = next_call["messages"]
    assert problems(sent) == [] and problems(session.messages) == []
    intro = sent[0]["content"][0]["text"]
    assert SUMMARY in intro
    assert "- notes.md: your proposal, 1 hunk(s) pending" in intro  # the state, verbatim
    assert [b["text"] for b in sent[2]["content"] if b["type"] == "text"] == ["go on"]  # kept turns verbatim
    assert len(json.dumps(sent)) < len(before)
    assert workspace.proposal("notes.md") is not None  # proposals are untouched
    assert session.context_share < compaction.COMPACT_AT


async def test_a_failed_summary_leaves_the_conversation_as_it_was(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    failure = HttpError(400, "invalid_request_error", "no summaries today")
    session, server, _, third, before = await _three_turns(make_session, workspace, failure, max_retries=0)
    errors = [e for e in third if isinstance(e, AgentError)]
    assert len(errors) == 1 and errors[0].message.startswith("Compaction failed, the conversation is unchanged")
    assert third[-1] == TurnEnded("end_turn", False)
    assert problems(session.messages) == []
    assert json.dumps(server.requests[4]["messages"]).startswith(before[:-1])  # the full history went out


async def test_the_journal_restores_the_compacted_history(
    make_session: SessionFactory, workspace: Workspace, tmp_path: Path
) -> None:
    journal = SessionJournal.create(workspace.root)
    session, _, _, _, _ = await _three_turns(make_session, workspace, text_reply(SUMMARY), journal=journal)
    restored = replay_messages(journal.records())
    assert restored == session.messages
    assert SUMMARY in restored[0]["content"][0]["text"]


async def test_compacting_on_demand(make_session: SessionFactory, workspace: Workspace) -> None:
    session, server = make_session([text_reply("one"), text_reply("two"), text_reply("three"), text_reply(SUMMARY)])
    session.compact_at = 0
    await drain(session.run_turn("first"))
    too_early = await drain(session.compact())
    assert [e.message for e in too_early if isinstance(e, AgentError)] == [
        "Nothing to compact yet: the conversation is only a few turns long."
    ]
    await drain(session.run_turn("second"))
    await drain(session.run_turn("third"))
    events = await drain(session.compact())
    assert events == [Compacted(6, 6, False)]
    assert problems(session.messages) == []
    assert len(server.requests) == 4


def test_kept_answers_whose_calls_were_summarised_away_are_dropped() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "one"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "x"}}]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "cancelled", "is_error": True},
                {"type": "text", "text": "two"},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
        {"role": "user", "content": [{"type": "text", "text": "three"}]},
    ]
    cut = compaction.plan(messages)
    assert cut is not None and [m["role"] for m in cut.older] == ["user", "assistant"]
    result = compaction.compacted("summary", cut.kept, "")
    assert problems(result) == []
    assert "t1" not in json.dumps(result)
    assert [b["text"] for b in result[2]["content"]] == ["two"]


async def test_the_api_compacts_when_the_endpoint_takes_the_beta(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    """Server-side compaction: the request asks for it, the answer opens with the API's summary, no summary call."""
    journal = SessionJournal.create(workspace.root)
    session, server, _, third, _ = await _three_turns(
        make_session, workspace, text_reply("turn three done"), server_compaction=True, journal=journal
    )
    asked = server.requests[2]
    edit = asked["context_management"]["edits"][0]
    assert edit["type"] == compaction.SERVER_EDIT
    assert edit["trigger"] == {"type": "input_tokens", "value": 160_000}  # 80% of the 200,000-token window
    assert "notes.md: your proposal, 1 hunk(s) pending" in edit["instructions"]  # the state, to keep verbatim
    assert compaction.SERVER_BETA in server.request_headers[2]["anthropic-beta"]
    assert not any(request.get("system") == compaction.SUMMARY_SYSTEM for request in server.requests)
    compacted = [event for event in third if isinstance(event, Compacted)]
    assert compacted == [] and session.messages[0]["content"][0]["text"] == compaction.SERVER_PLACEHOLDER
    assert problems(session.messages) == []
    block = session.messages[1]["content"][0]
    assert block["type"] == "compaction" and block["encrypted_content"] == "opaque-fake"
    sent = server.requests[3]["messages"]
    assert sent[1]["content"][0] == block, "the compaction block goes back verbatim"
    assert replay_messages(journal.records()) == session.messages
    assert session.server_compaction is True


async def test_the_compaction_event_comes_with_the_answer_that_compacted(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    session, _ = make_session([text_reply("one"), text_reply("two", usage=FULL)], server_compaction=True)
    await drain(session.run_turn("first"))
    events = await drain(session.run_turn("second"))
    assert [event for event in events if isinstance(event, Compacted)] == [Compacted(4, 2, True, by_api=True)]
    assert events[-1] == TurnEnded("end_turn", False)


async def test_an_endpoint_that_refuses_the_beta_falls_back_to_client_side(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    (workspace.root / "big.txt").write_text("".join(f"line {n} of a long file\n" for n in range(800)))
    session, server = make_session(_script_with_summary(text_reply(SUMMARY)), server_compaction=False)
    session.server_compaction = True  # asked for, as on Anthropic's own endpoint; this one refuses it
    first = await drain(session.run_turn("read big.txt and start notes"))
    await drain(session.run_turn("go on"))
    third = await drain(session.run_turn("and finish"))
    refused = [event for event in first if isinstance(event, Retrying)]
    assert len(refused) == 1 and "refused server-side compaction" in refused[0].reason
    assert "context_management" in server.requests[0] and "context_management" not in server.requests[1]
    assert session.server_compaction is False
    assert [e for e in third if isinstance(e, Compacted)] == [Compacted(7, 5, True)]  # client-side, as before
    assert any(request.get("system") == compaction.SUMMARY_SYSTEM for request in server.requests)
    assert problems(session.messages) == []


def test_only_anthropics_own_endpoint_is_asked_to_compact(workspace: Workspace, definition: Any) -> None:
    from backend_pair.agents.approval import allow_all
    from backend_pair.agents.checklist import Checklist
    from tests.agent_loop.conftest import make_client

    def session_on(url: str) -> AgentSession:
        return AgentSession(
            definition,
            workspace,
            Checklist.from_definition(definition),
            "claude-sonnet-4-5",
            allow_all,
            client=make_client(url, max_retries=0, timeout=1.0),
        )

    official = session_on("https://api.anthropic.com")
    assert official.server_compaction_active and official.request_params()["betas"] == [compaction.SERVER_BETA]
    proxy = session_on("http://127.0.0.1:9")
    assert not proxy.server_compaction_active and "context_management" not in proxy.request_params()
    official.compact_at = 0
    assert not official.server_compaction_active  # compaction off: the API is not asked either


def test_a_compaction_block_becomes_text_for_an_endpoint_without_the_beta() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": compaction.SERVER_PLACEHOLDER}]},
        {
            "role": "assistant",
            "content": [{"type": "compaction", "content": "the summary"}, {"type": "text", "text": "go on"}],
        },
    ]
    plain = compaction.without_server_blocks(messages)
    assert plain[1]["content"][0]["text"] == f"<{compaction.SUMMARY_TAG}>\nthe summary\n</{compaction.SUMMARY_TAG}>"
    assert plain[1]["content"][1] == {"type": "text", "text": "go on"}
    assert messages[1]["content"][0]["type"] == "compaction", "the history itself is unchanged"
