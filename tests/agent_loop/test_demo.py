"""``--demo``: the sample repository is real and green, and the scripted session plays through the real loop."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.agents.approval import BashApprover, BashDecision, BashRequest
from backend_pair.agents.checklist import Checklist, ItemStatus
from backend_pair.agents.client import make_client
from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.events import (
    AgentError,
    ChecklistChanged,
    ProposalChanged,
    SubagentEvent,
    SubagentStarted,
    TextDelta,
    ToolCallFinished,
    TurnEnded,
)
from backend_pair.agents.history import problems
from backend_pair.agents.session import AgentSession
from backend_pair.demo.setup import DEMO_API_KEY, DemoEnvironment, DemoError, create_demo_repo, prepare_demo
from backend_pair.demo.steps import TEST_COMMAND
from backend_pair.workspace import Workspace, open_workspace
from tests.support import collect


def run_unittest(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "unittest", "-v"], cwd=root, capture_output=True, text=True, check=False
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoEnvironment]:
    environment = prepare_demo(tmp_path / "demo", pace=0)
    yield environment
    environment.close()


@pytest.fixture
def demo_workspace(demo: DemoEnvironment) -> Iterator[Workspace]:
    workspace = open_workspace(demo.root)
    yield workspace
    workspace.close()


def demo_session(
    demo: DemoEnvironment, workspace: Workspace, definition: AgentDefinition, approver: BashApprover
) -> AgentSession:
    from backend_pair.agents.discovery import discover_agents
    from backend_pair.agents.subagents import collaborators_for

    client = make_client(api_key=demo.api_key, base_url=demo.base_url, max_retries=0)
    checklist = Checklist.from_definition(definition)
    collaborators = collaborators_for(definition, discover_agents(workspace.root))
    return AgentSession(
        definition,
        workspace,
        checklist,
        "claude-sonnet-4-20250514",
        approver,
        client=client,
        collaborators=collaborators,
    )


def test_sample_repository_is_committed_and_green(demo: DemoEnvironment) -> None:
    log = subprocess.run(["git", "log", "--oneline"], cwd=demo.root, capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=demo.root, capture_output=True, text=True)
    assert status.stdout == ""
    result = run_unittest(demo.root)
    assert result.returncode == 0, result.stderr
    assert "Ran 8 tests" in result.stderr
    assert (demo.root / "openapi.yaml").read_text().startswith("openapi: 3.0.3")
    assert demo.api_key == DEMO_API_KEY and demo.base_url.startswith("http://127.0.0.1:")


async def test_scripted_session_plays_every_feature(
    demo: DemoEnvironment, demo_workspace: Workspace, definition: AgentDefinition
) -> None:
    asked: list[BashRequest] = []

    async def approve(request: BashRequest) -> BashDecision:
        asked.append(request)
        return BashDecision("once")

    session = demo_session(demo, demo_workspace, definition, approve)
    events = await collect(session, "Please add a way to cancel an order")
    assert not [e for e in events if isinstance(e, AgentError)]
    assert events[-1] == TurnEnded("end_turn", False)
    failed = [e for e in events if isinstance(e, ToolCallFinished) and e.is_error]
    assert failed == []
    names = [e.name for e in events if isinstance(e, ToolCallFinished)]
    assert {"Read", "Task", "Edit", "Write", "Bash", "TodoWrite"} <= set(names)
    # The search went to the explorer collaborator: its own calls, in its nested session, and its answer came back.
    started = [e for e in events if isinstance(e, SubagentStarted)]
    assert [(e.agent, e.description) for e in started] == [("explorer", "Find cancellation code and tests")]
    nested = [e.event.name for e in events if isinstance(e, SubagentEvent) and isinstance(e.event, ToolCallFinished)]
    assert nested == ["Grep", "Glob"]
    task = next(e for e in events if isinstance(e, ToolCallFinished) and e.name == "Task")
    assert not task.is_error and "Findings:" in task.result and "tests/test_service.py" in task.result
    # The search covers the code only (not the bundled references), so it agrees with "No cancellation exists yet".
    assert "cancellation: none in the code" in task.result
    assert any(isinstance(e, ChecklistChanged) for e in events)
    assert "order cancellation" in "".join(e.text for e in events if isinstance(e, TextDelta))
    changed = {path for e in events if isinstance(e, ProposalChanged) for path in e.paths}
    proposed = {"openapi.yaml", "app/models.py", "app/service.py", "app/routes.py", "tests/test_cancel.py"}
    assert changed == proposed | {"tests/test_service.py"}  # the last one by the tidy-up command
    hunks = {p.path: len(p.hunks) for p in demo_workspace.proposals() if not p.origin}
    assert hunks["openapi.yaml"] >= 2 and hunks["app/models.py"] >= 2 and hunks["app/routes.py"] >= 2
    assert [r.command for r in asked] == [TEST_COMMAND]
    bash_result = next(e.result for e in events if isinstance(e, ToolCallFinished) and e.name == "Bash")
    assert "not on disk yet" in bash_result
    assert "The command changed 1 file: tests/test_service.py; the developer will review" in bash_result
    tidied = [(p.path, p.origin, len(p.hunks)) for p in demo_workspace.proposals() if p.origin]
    assert tidied == [("tests/test_service.py", TEST_COMMAND, 2)]
    checklist = session.checklist
    assert isinstance(checklist, Checklist)
    statuses = {item.text: item.status for item in checklist.items()}
    # Nothing is accepted: the agent may not call proposed work done, nor the suite run with tests it did not run.
    assert statuses["API contract defined (OpenAPI)"] == ItemStatus.in_progress
    assert statuses["Run the test suite"] == ItemStatus.in_progress
    assert statuses["Reviewed existing patterns"] == ItemStatus.done
    said = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "including the new cancellation tests" not in said
    assert "without the new tests" in said
    assert problems(session.messages) == []

    demo_workspace.accept_all()
    assert checklist.apply_evidence(demo.root, demo_workspace.accepted_paths())
    statuses = {item.text: item.status for item in checklist.items()}
    assert statuses["API contract defined (OpenAPI)"] == ItemStatus.done, "ticked by evidence once accepted"
    result = run_unittest(demo.root)
    assert result.returncode == 0, result.stderr
    assert "test_cancel_twice_conflicts" in result.stderr and "Ran 12 tests" in result.stderr

    later = await collect(session, "thanks!")
    reply = "".join(e.text for e in later if isinstance(e, TextDelta))
    assert "scripted demo agent" in reply and "accepted are written and staged" in reply


async def test_denied_test_run_is_acknowledged(
    demo: DemoEnvironment, demo_workspace: Workspace, definition: AgentDefinition
) -> None:
    async def deny(request: BashRequest) -> BashDecision:
        return BashDecision("deny", "later")

    session = demo_session(demo, demo_workspace, definition, deny)
    events = await collect(session, "go")
    assert "chose not to run the tests" in "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_a_run_with_the_new_tests_on_disk_is_the_only_one_called_passing(
    demo: DemoEnvironment, demo_workspace: Workspace, definition: AgentDefinition
) -> None:
    async def accept_then_run(request: BashRequest) -> BashDecision:
        demo_workspace.accept_all()
        return BashDecision("once")

    session = demo_session(demo, demo_workspace, definition, accept_then_run)
    events = await collect(session, "Please add a way to cancel an order")
    said = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "including the new cancellation tests" in said
    checklist = session.checklist
    assert isinstance(checklist, Checklist)
    statuses = {item.text: item.status for item in checklist.items()}
    assert statuses["Run the test suite"] == ItemStatus.done
    assert statuses["Add POST /orders/{order_id}/cancel"] == ItemStatus.in_progress, "the task is the developer's call"


def test_demo_refuses_a_foreign_folder_and_reuses_its_own(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(DemoError, match="not empty"):
        create_demo_repo(foreign)
    first = create_demo_repo(tmp_path / "again")
    assert create_demo_repo(first) == first


def test_the_fake_api_starts_on_the_first_connection_and_accepts_it_itself(tmp_path: Path) -> None:
    import socket
    from urllib.parse import urlsplit

    environment = prepare_demo(tmp_path / "demo", pace=0)
    try:
        address = urlsplit(environment.base_url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = connection.recv(200)
        assert answer.startswith(b"HTTP/1."), "the fake itself answered the connection that started it"
        assert environment.server.base_url == environment.base_url, "the fake serves the address handed out"
    finally:
        environment.close()


def test_a_demo_closed_before_any_request_starts_no_fake_api(tmp_path: Path) -> None:
    environment = prepare_demo(tmp_path / "demo", pace=0)
    environment.close()
    with pytest.raises(DemoError, match="closing"):
        _ = environment.server


def test_a_fake_api_that_cannot_start_refuses_the_connection_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    from urllib.parse import urlsplit

    from backend_pair import fake_api

    def broken_start(self: object, listener: object = None) -> str:
        raise RuntimeError("cannot serve")

    monkeypatch.setattr(fake_api.FakeMessagesServer, "start", broken_start)
    environment = prepare_demo(tmp_path / "demo", pace=0)
    try:
        address = urlsplit(environment.base_url)
        try:  # the refusal can reach the connect, the send or the read, as the close races the handshake
            with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
                connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = connection.recv(200)
        except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError):
            answer = b""
        assert answer == b"", "refused (closed or reset), not left waiting for the SDK's timeout"
    finally:
        environment.close()
