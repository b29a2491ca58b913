"""Faults through the real SDK: retries reported, each failure one clear error, the history valid, nothing lost."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend_pair.agents.events import AgentError, AgentEvent, Retrying, TextDelta, TurnEnded
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, HttpError, Reply, Step, Text, text_reply
from tests.support import assert_valid_history

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


TEST_KEY = "sk-ant-test-0123456789abcdef"


LONG = "The first part of the answer arrives, then the connection drops somewhere in the middle of it all."


async def test_overloaded_then_success_reports_retries(make_session: SessionFactory) -> None:
    script: list[Step] = [
        HttpError(529, "overloaded_error", "Overloaded", retry_after=0.001),
        HttpError(503, "api_error", "unavailable", retry_after=0.001),
        text_reply("finally"),
    ]
    session, server = make_session(script, max_retries=2)
    events = await collect(session, "hi")
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [(r.attempt, r.reason) for r in retries] == [(1, "HTTP 529 overloaded"), (2, "HTTP 503 service unavailable")]
    assert all(r.delay == pytest.approx(0.001) for r in retries)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "finally"
    assert events[-1] == TurnEnded("end_turn", False)
    assert len(server.requests) == 3


async def test_rate_limit_exhausted_is_one_error_and_next_message_works(make_session: SessionFactory) -> None:
    script: list[Step] = [
        HttpError(429, "rate_limit_error", "Number of requests exceeded", retry_after=0.001),
        HttpError(429, "rate_limit_error", "Number of requests exceeded", retry_after=0.001),
        text_reply("back"),
    ]
    session, _ = make_session(script, max_retries=1)
    events = await collect(session, "hi")
    errors = [e for e in events if isinstance(e, AgentError)]
    assert [e.kind for e in errors] == ["rate_limit"]
    assert "429" in errors[0].message and "\n" not in errors[0].message
    assert next(e for e in events if isinstance(e, Retrying)).attempt == 1
    assert events[-1] == TurnEnded(None, True)
    again = await collect(session, "again")
    assert again[-1] == TurnEnded("end_turn", False)
    assert_valid_history(session.messages)


FAULTS: list[tuple[str, Step, str, str]] = [
    ("401", HttpError(401, "authentication_error", f"invalid x-api-key {TEST_KEY}"), "auth", "ANTHROPIC_API_KEY"),
    ("403", HttpError(403, "permission_error", "not allowed"), "auth", "403"),
    ("404", HttpError(404, "not_found_error", "model: claude-nope"), "not_found", "claude-sonnet-4-20250514"),
    ("400", HttpError(400, "invalid_request_error", "messages: bad"), "bad_request", "messages: bad"),
    ("cut", Reply((Text(LONG),), cut_after=5), "interrupted", "cut off"),
    ("cut-before-start", Reply((Text(LONG),), cut_after=0), "interrupted", "before the answer began"),
    ("sse-error", Reply((Text(LONG),), error_after=4), "overloaded", "mid-answer"),
    ("malformed", Reply((Text(LONG),), malformed_after=4), "malformed", "malformed"),
    ("timeout", Reply((Text(LONG),), delay=5.0), "timeout", "timeout"),
    ("stall", Reply((Text(LONG),), stall_after=4, stall=5.0), "timeout", "timeout"),
]


@pytest.mark.parametrize(("name", "step", "kind", "words"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_is_one_clear_error_and_history_stays_valid(
    make_session: SessionFactory, name: str, step: Step, kind: str, words: str
) -> None:
    session, server = make_session([step, text_reply("recovered")], max_retries=0, timeout=0.3)
    events = await collect(session, "do it")
    errors = [e for e in events if isinstance(e, AgentError)]
    assert len(errors) == 1, events
    assert errors[0].kind == kind
    assert words in errors[0].message
    assert "\n" not in errors[0].message and "Traceback" not in errors[0].message
    assert TEST_KEY not in errors[0].message
    assert events[-1].interrupted if isinstance(events[-1], TurnEnded) else False
    assert len(server.requests) == 1, "a mid-stream or client error is never retried"
    after = await collect(session, "try again")
    assert "".join(e.text for e in after if isinstance(e, TextDelta)) == "recovered"
    assert_valid_history(session.messages)
    assert_valid_history(server.requests[1]["messages"])
    if name == "cut":
        partial = session.messages[1]["content"][0]["text"]
        assert partial and LONG.startswith(partial)


async def test_connection_refused_is_named(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("never")], max_retries=0)
    server.stop()
    events = await collect(session, "hi")
    errors = [e for e in events if isinstance(e, AgentError)]
    assert [e.kind for e in errors] == ["connection"]
    assert "Could not reach the API" in errors[0].message


async def test_connection_failure_retries_are_reported(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("never")], max_retries=1)
    server.stop()
    events = await collect(session, "hi")
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [(r.attempt, r.reason) for r in retries] == [(1, "connection failed")]
    assert [e.kind for e in events if isinstance(e, AgentError)] == ["connection"]


async def test_a_retired_model_id_falls_back_to_its_family_once_and_says_so(make_session: SessionFactory) -> None:
    from backend_pair.agents.events import ModelSwitched
    from backend_pair.agents.models import MODEL_ALIASES

    refused = HttpError(404, "not_found_error", "model: claude-sonnet-4-20250514")
    session, server = make_session([refused, text_reply("hello"), text_reply("again")])
    events = [event async for event in session.run_turn("hi")]
    assert ModelSwitched("claude-sonnet-4-20250514", MODEL_ALIASES["sonnet"]) in events
    assert events[-1] == TurnEnded("end_turn", False)
    later = [event async for event in session.run_turn("more")]
    assert later[-1] == TurnEnded("end_turn", False)
    assert [request["model"] for request in server.requests] == [
        "claude-sonnet-4-20250514",
        MODEL_ALIASES["sonnet"],
        MODEL_ALIASES["sonnet"],
    ]


async def test_an_unknown_model_404_stays_an_error(make_session: SessionFactory) -> None:
    from backend_pair.agents.events import ModelSwitched

    session, server = make_session([HttpError(404, "not_found_error", "model: my-local-model")])
    session.model = "my-local-model"
    events = [event async for event in session.run_turn("hi")]
    assert not any(isinstance(event, ModelSwitched) for event in events)
    assert any(isinstance(event, AgentError) and "404" in event.message for event in events)
    assert len(server.requests) == 1
