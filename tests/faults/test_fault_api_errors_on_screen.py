"""API faults as the developer sees them: each is one clear line in the conversation, the prompt that met it is
still there, and the next message works (429 with retry-after, 529, 500, malformed SSE, read timeout, 401, 404).

The real app (``run_test``) with the real agent session and SDK, against the loopback fake Messages API; the client
is built with few retries and a short timeout so that the faults arrive quickly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backend_pair.agents.discovery import DEFAULT_AGENT, find_agent
from backend_pair.agents.port import SessionPort
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, HttpError, Reply, Step, Text, text_reply
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.config import AppConfig
from backend_pair.tui.widgets.conversation import AgentEntry, ConversationPane, NoticeEntry, UserEntry
from backend_pair.tui.widgets.prompt import PromptInput

MODEL = "claude-sonnet-4-20250514"
KEY = "sk-ant-test-errors-on-screen"
ANSWER = "The whole answer, every word of it, arrives this time."
RETRY = 0.001
FAULTS: dict[str, tuple[list[Step], str]] = {
    "429 retry-after": ([HttpError(429, "rate_limit_error", "Too many requests", retry_after=RETRY)] * 2, "429"),
    "529": ([HttpError(529, "overloaded_error", "Overloaded", retry_after=RETRY)] * 2, "overloaded"),
    "500": ([HttpError(500, "api_error", "Internal server error", retry_after=RETRY)] * 2, "500"),
    "malformed SSE": ([Reply((Text(ANSWER),), malformed_after=4)], "malformed"),
    "read timeout": ([Reply((Text(ANSWER),), stall_after=4, stall=5.0)], "timeout"),
    "401": ([HttpError(401, "authentication_error", f"invalid x-api-key {KEY}")], "ANTHROPIC_API_KEY"),
    "404 unknown model": ([HttpError(404, "not_found_error", "model: claude-nope")], MODEL),
}


@pytest.fixture
def repo(git_repo: Path) -> Path:
    return git_repo


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[FakeMessagesServer]:
    steps, _words = FAULTS[request.param]
    fake = FakeMessagesServer([*steps, text_reply(ANSWER)])
    fake.start()
    yield fake
    fake.stop()


def _app(root: Path, base_url: str) -> BackendPairApp:
    definition = find_agent(DEFAULT_AGENT, root)
    config = AppConfig(root=root, definition=definition, model=MODEL, keymap={}, resume=None, demo=False)

    async def session_factory(app: BackendPairApp) -> SessionPort:
        from backend_pair.agents.client import make_client

        assert app.workspace is not None and app.checklist is not None
        client = make_client(api_key=KEY, base_url=base_url, max_retries=1, timeout=0.5)
        return AgentSession(definition, app.workspace, app.checklist, MODEL, app.approve_bash, client=client)

    return BackendPairApp(config, session_factory=session_factory, watch=False)


async def _settle(pilot: Pilot[int]) -> None:
    from textual.worker import WorkerCancelled

    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    for _ in range(3):
        await pilot.pause()


async def _send(pilot: Pilot[int], app: BackendPairApp, text: str) -> None:
    prompt = app.main.query_one(PromptInput)
    prompt.focus()
    prompt.insert(text)
    await pilot.press("enter")
    await _settle(pilot)


@pytest.mark.parametrize("server", list(FAULTS), indirect=True)
async def test_fault_is_one_clear_line_and_nothing_is_lost(
    repo: Path, server: FakeMessagesServer, request: pytest.FixtureRequest
) -> None:
    words = FAULTS[request.node.callspec.params["server"]][1]
    app = _app(repo, server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _send(pilot, app, "first question")
        conversation = app.main.query_one(ConversationPane)
        errors = [entry for entry in conversation.query(NoticeEntry) if entry.kind == "error"]
        assert len(errors) == 1, [entry.raw for entry in conversation.query(NoticeEntry)]
        line = errors[0].raw
        assert words in line and "\n" not in line and "Traceback" not in line, line
        assert KEY not in line
        assert [entry.raw for entry in conversation.query(UserEntry)] == ["first question"], "the prompt is kept"

        await _send(pilot, app, "second question")
        answers = [entry.raw for entry in conversation.query(AgentEntry)]
        assert answers and answers[-1] == ANSWER, answers
        assert [entry.raw for entry in conversation.query(UserEntry)] == ["first question", "second question"]
        assert len([entry for entry in conversation.query(NoticeEntry) if entry.kind == "error"]) == 1
