"""Fixtures of the agent loop tests: the fake Messages API driven through the real SDK, a workspace, a session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.approval import BashApprover, allow_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition, parse_definition
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, Script
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal

BUNDLED = Path(__file__).parents[2] / "src" / "backend_pair" / "agents" / "definitions" / "backend-engineer.md"
TEST_KEY = "sk-ant-test-0123456789abcdef"
"""The key the tests' client sends (errors and the journal must never show it)."""
MODEL = "claude-sonnet-4-20250514"


@pytest.fixture
def test_key() -> str:
    return TEST_KEY


@pytest.fixture
def definition() -> AgentDefinition:
    return parse_definition(BUNDLED)


@pytest.fixture
def workspace(ws: Workspace) -> Workspace:
    """The shared ``ws`` fixture (the test repository's workspace), under the name the agent-loop tests use."""
    return ws


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
"""Builds a session on a fresh fake API playing a script."""


@pytest.fixture
def make_session(servers: list[FakeMessagesServer], definition: AgentDefinition, workspace: Any) -> SessionFactory:
    def build(
        script: Script,
        *,
        approver: BashApprover | None = None,
        journal: SessionJournal | None = None,
        max_retries: int = 2,
        timeout: float = 10.0,
        tools: tuple[str, ...] | None = None,
        memory: Any = None,
        permissions: Any = None,
        server_compaction: bool | None = None,
    ) -> tuple[AgentSession, FakeMessagesServer]:
        server = FakeMessagesServer(script, server_compaction=server_compaction)
        servers.append(server)
        client = make_client(server.start(), max_retries=max_retries, timeout=timeout)
        defn = definition if tools is None else _with_tools(definition, tools)
        session = AgentSession(
            defn,
            workspace,
            Checklist.from_definition(defn),
            MODEL,
            approver or allow_all,
            journal=journal,
            client=client,
            memory=memory,
            permissions=permissions,
        )
        session.server_compaction = server_compaction
        return session, server

    return build


def _with_tools(definition: AgentDefinition, tools: tuple[str, ...]) -> AgentDefinition:
    from dataclasses import replace

    return replace(definition, tools=tools)
