"""Fixtures of the agent loop tests: the fake Messages API driven through the real SDK, a workspace, a session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.approval import BashApprover, BashDecision, BashRequest
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition, parse_definition
from backend_pair.agents.events import AgentEvent
from backend_pair.agents.fake_api import FakeMessagesServer, Script
from backend_pair.agents.session import AgentSession
from backend_pair.workspace.journal import SessionJournal
from tests.agent_loop.overlay import OverlayWorkspace

BUNDLED = Path(__file__).parents[2] / "src" / "backend_pair" / "agents" / "definitions" / "backend-engineer.md"
TEST_KEY = "sk-ant-test-0123456789abcdef"
MODEL = "claude-sonnet-4-20250514"


class Approvals:
    """A scripted approver that records what it was asked."""

    def __init__(self, *decisions: BashDecision) -> None:
        self.decisions = list(decisions)
        self.asked: list[BashRequest] = []

    async def __call__(self, request: BashRequest) -> BashDecision:
        self.asked.append(request)
        return self.decisions.pop(0) if self.decisions else BashDecision("once")


@pytest.fixture
def definition() -> AgentDefinition:
    return parse_definition(BUNDLED)


@pytest.fixture
def workspace(git_repo: Path) -> Any:
    return OverlayWorkspace(git_repo)


@pytest.fixture
def servers() -> Iterator[list[FakeMessagesServer]]:
    started: list[FakeMessagesServer] = []
    yield started
    for server in started:
        server.stop()


def make_client(base_url: str, *, max_retries: int = 2, timeout: float = 10.0) -> Any:
    from backend_pair.agents.client import make_client as build

    return build(api_key=TEST_KEY, base_url=base_url, max_retries=max_retries, timeout=timeout)


SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


@pytest.fixture
def make_session(
    servers: list[FakeMessagesServer], definition: AgentDefinition, workspace: Any
) -> SessionFactory:
    def build(
        script: Script,
        *,
        approver: BashApprover | None = None,
        journal: SessionJournal | None = None,
        max_retries: int = 2,
        timeout: float = 10.0,
        tools: tuple[str, ...] | None = None,
    ) -> tuple[AgentSession, FakeMessagesServer]:
        server = FakeMessagesServer(script)
        servers.append(server)
        client = make_client(server.start(), max_retries=max_retries, timeout=timeout)
        defn = definition if tools is None else _with_tools(definition, tools)
        session = AgentSession(
            defn,
            workspace,
            Checklist.from_definition(defn),
            MODEL,
            approver or Approvals(),
            journal=journal,
            client=client,
        )
        return session, server

    return build


def _with_tools(definition: AgentDefinition, tools: tuple[str, ...]) -> AgentDefinition:
    from dataclasses import replace

    return replace(definition, tools=tools)


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


def assert_valid_history(messages: list[dict[str, Any]]) -> None:
    """Roles alternate starting with user; every tool_use is answered, in order, by the next message."""
    assert messages and messages[0]["role"] == "user"
    for before, after in zip(messages, messages[1:], strict=False):
        assert before["role"] != after["role"], "roles must alternate"
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        calls = [b["id"] for b in message["content"] if b["type"] == "tool_use"]
        if not calls:
            continue
        assert index + 1 < len(messages), "a tool_use without its result"
        following = messages[index + 1]["content"]
        results = [b["tool_use_id"] for b in following if b["type"] == "tool_result"]
        assert results == calls
        assert all(b["type"] == "tool_result" for b in following[: len(calls)])
