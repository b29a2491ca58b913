"""The session journal: what it records, resume after a simulated kill, a torn last line, no key in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.approval import allow_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.history import NOT_RUN_AFTER_RESTORE, problems
from backend_pair.agents.resume import resume_session
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace, open_workspace
from backend_pair.workspace.journal import JournalError, SessionJournal, list_sessions
from tests.support import collect

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]
TEST_KEY = "sk-ant-test-0123456789abcdef"
MODEL = "claude-sonnet-4-20250514"
TODOS = [{"content": "Reviewed existing patterns", "status": "completed", "activeForm": "Reviewing"}]


def resume(root: Path, definition: AgentDefinition, base_url: str) -> AgentSession:
    from backend_pair.agents.client import make_client

    workspace = open_workspace(root)
    journal = SessionJournal.open(root, None)
    checklist = Checklist.from_definition(definition)
    client = make_client(api_key=TEST_KEY, base_url=base_url, max_retries=0)
    return resume_session(definition, workspace, checklist, MODEL, allow_all, journal, client=client)


async def test_resume_brings_back_conversation_proposals_checklist(
    make_session: SessionFactory, git_repo: Path, definition: AgentDefinition, servers: list[FakeMessagesServer]
) -> None:
    journal = SessionJournal.create(git_repo)
    script = [
        tool_reply(
            ToolUse("Write", {"file_path": "app/orders.py", "content": "ORDERS: list[str] = []\n"}),
            ToolUse("TodoWrite", {"todos": TODOS}),
        ),
        text_reply("Proposed."),
        text_reply("Still here after the restart."),
    ]
    session, server = make_session(script, journal=journal)
    await collect(session, "add orders")
    before = [dict(m) for m in session.messages]
    usage = session.session_usage
    del session  # the process "dies": only the journal and the repository remain

    restored = resume(git_repo, definition, server.base_url)
    assert restored.messages == before
    workspace = restored.workspace
    assert isinstance(workspace, Workspace)
    proposal = workspace.proposal("app/orders.py")
    assert proposal is not None and proposal.proposed == "ORDERS: list[str] = []\n"
    checklist = restored.checklist
    assert isinstance(checklist, Checklist)
    assert {i.text: str(i.status) for i in checklist.items()}["Reviewed existing patterns"] == "done"
    assert restored.session_usage == usage
    events = await collect(restored, "are you there?")
    assert "Still here" in "".join(getattr(e, "text", "") for e in events)
    sent = server.requests[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user", "assistant", "user"]
    assert problems(restored.messages) == []


def test_torn_last_line_is_skipped(git_repo: Path) -> None:
    journal = SessionJournal.create(git_repo)
    journal.append("message", {"index": 0, "role": "user", "content": [{"type": "text", "text": "hi"}]})
    with journal.path.open("a") as handle:
        handle.write('{"kind": "message", "payload": {"index": 1, "ro')
    records = SessionJournal.open(git_repo).records()
    assert [r["kind"] for r in records] == ["message"]
    reopened = SessionJournal.open(git_repo)
    reopened.append("review", {"after": "the crash"})
    assert [r["kind"] for r in reopened.records()] == ["message", "review"]


async def test_call_running_at_the_kill_gets_a_result(
    git_repo: Path, definition: AgentDefinition, servers: list[FakeMessagesServer]
) -> None:
    journal = SessionJournal.create(git_repo)
    journal.append("message", {"index": 0, "role": "user", "content": [{"type": "text", "text": "run tests"}]})
    call = {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "pytest"}}
    journal.append("message", {"index": 1, "role": "assistant", "content": [call]})
    with journal.path.open("a") as handle:
        handle.write('{"kind": "tool_call", "payl')  # killed mid-write
    server = FakeMessagesServer([text_reply("ok")])
    servers.append(server)
    restored = resume(git_repo, definition, server.start())
    assert restored.messages[-1]["content"][0]["content"] == NOT_RUN_AFTER_RESTORE
    assert problems(restored.messages) == []
    await collect(restored, "go on")
    assert problems(server.requests[0]["messages"]) == []


async def test_no_api_key_in_the_journal(
    make_session: SessionFactory, git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    journal = SessionJournal.create(git_repo)
    session, _ = make_session([tool_reply(ToolUse("Bash", {"command": "env"})), text_reply("ok")], journal=journal)
    await collect(session, f"my key is {TEST_KEY}, keep it safe")
    text = journal.path.read_text()
    assert TEST_KEY not in text
    assert "[redacted " in text
    kinds = {record["kind"] for record in journal.records()}
    assert {"meta", "message", "tool_call", "usage"} <= kinds


def test_list_and_open_sessions(git_repo: Path) -> None:
    first = SessionJournal.create(git_repo)
    first.append("message", {"index": 0, "role": "user", "content": "x", "title": "add the orders endpoint"})
    summaries = list_sessions(git_repo)
    assert [s.session_id for s in summaries] == [first.session_id]
    assert summaries[0].title == "add the orders endpoint"
    assert SessionJournal.open(git_repo, first.session_id[:12]).path == first.path
    assert SessionJournal.open(git_repo, "").path == first.path
    with pytest.raises(JournalError, match="no session 'nope'"):
        SessionJournal.open(git_repo, "nope")
    assert (git_repo / ".git" / "backend-pair" / "sessions").is_dir()


def test_nothing_to_resume_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no session to resume"):
        SessionJournal.open(tmp_path, None)


def test_journal_records_keep_order(git_repo: Path) -> None:
    journal = SessionJournal.create(git_repo)
    payloads: list[dict[str, Any]] = [{"n": n} for n in range(5)]
    for payload in payloads:
        journal.append("checklist", payload)
    assert [r["payload"] for r in journal.records()] == payloads


async def test_review_decisions_and_ticks_are_restored(
    make_session: SessionFactory, git_repo: Path, definition: AgentDefinition
) -> None:
    journal = SessionJournal.create(git_repo)
    lines = [f"LINE_{n} = {n}" for n in range(20)]
    (git_repo / "app" / "main.py").write_text("\n".join(lines) + "\n")
    content = "\n".join(["FIRST = 0", *lines[1:], "EXTRA = 1"]) + "\n"
    script = [tool_reply(ToolUse("Write", {"file_path": "app/main.py", "content": content})), text_reply("ok")]
    session, server = make_session(script, journal=journal)
    await collect(session, "change it")
    workspace = session.workspace
    assert isinstance(workspace, Workspace)
    proposal = workspace.proposal("app/main.py")
    assert proposal is not None and len(proposal.hunks) == 2
    workspace.reject_hunk("app/main.py", proposal.hunks[1].id, "no EXTRA")
    session.record_review({"action": "reject_hunk", "path": "app/main.py", "comment": "no EXTRA"})
    checklist = session.checklist
    assert isinstance(checklist, Checklist)
    first = checklist.items()[0]
    checklist.toggle(first.id)
    session.snapshot()

    restored = resume(git_repo, definition, server.base_url)
    restored_workspace = restored.workspace
    assert isinstance(restored_workspace, Workspace)
    left = restored_workspace.proposal("app/main.py")
    assert left is not None and len(left.hunks) == 1 and "EXTRA" not in left.proposed
    restored_checklist = restored.checklist
    assert isinstance(restored_checklist, Checklist)
    assert restored_checklist.items()[0].status != first.status
