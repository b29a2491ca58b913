"""Model ids as they reach the API: a ``[1m]`` model is its plain id plus the 1M-context beta header."""

from __future__ import annotations

from collections.abc import Callable

from backend_pair.agents.events import ModelSwitched, TurnEnded
from backend_pair.agents.models import LONG_CONTEXT_BETA, MODEL_ALIASES, resolve_model
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, HttpError, text_reply

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def test_sonnet_1m_sends_the_family_id_and_the_beta_header(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("long"), text_reply("plain")])
    session.model = resolve_model("sonnet[1m]", None)
    assert session.model == "claude-sonnet-5-5[1m]"
    events = [event async for event in session.run_turn("hi")]
    assert events[-1] == TurnEnded("end_turn", False)
    session.model = resolve_model("sonnet", None)
    assert [event async for event in session.run_turn("again")][-1] == TurnEnded("end_turn", False)
    assert [request["model"] for request in server.requests] == ["claude-sonnet-5-5", "claude-sonnet-5-5"]
    long_headers, plain_headers = server.request_headers
    assert LONG_CONTEXT_BETA in long_headers.get("anthropic-beta", "").split(",")
    assert LONG_CONTEXT_BETA not in plain_headers.get("anthropic-beta", "")


async def test_a_retired_1m_id_falls_back_keeping_the_long_window(make_session: SessionFactory) -> None:
    refused = HttpError(404, "not_found_error", "model: claude-sonnet-4-20250514")
    session, server = make_session([refused, text_reply("hello")])
    session.model = "claude-sonnet-4-20250514[1m]"
    events = [event async for event in session.run_turn("hi")]
    assert ModelSwitched("claude-sonnet-4-20250514[1m]", MODEL_ALIASES["sonnet"] + "[1m]") in events
    assert [request["model"] for request in server.requests] == ["claude-sonnet-4-20250514", "claude-sonnet-5-5"]
    assert all(LONG_CONTEXT_BETA in headers.get("anthropic-beta", "") for headers in server.request_headers)


async def test_the_compaction_summary_of_a_1m_session_asks_for_the_same_window(make_session: SessionFactory) -> None:
    from backend_pair.agents.events import Compacted

    session, server = make_session([text_reply("one"), text_reply("two"), text_reply("three"), text_reply("summary")])
    session.model = "claude-sonnet-5-5[1m]"
    session.compact_at = 0
    for text in ("first", "second", "third"):
        [event async for event in session.run_turn(text)]
    assert [event async for event in session.compact()] == [Compacted(6, 6, False)]
    summary_call = server.requests[-1]
    assert summary_call["model"] == "claude-sonnet-5-5"
    assert LONG_CONTEXT_BETA in server.request_headers[-1].get("anthropic-beta", "")
