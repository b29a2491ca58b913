"""The agent loop under permission rules: denied never asks, allowed runs without asking, "always" scopes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.events import ToolCallFinished
from backend_pair.agents.permissions import LOCAL_SETTINGS, load_permissions
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


class Approvals:
    """A scripted approver that records what it was asked."""

    def __init__(self, *decisions: BashDecision) -> None:
        self.decisions = list(decisions)
        self.asked: list[str] = []

    async def __call__(self, request: BashRequest) -> BashDecision:
        self.asked.append(request.command)
        return self.decisions.pop(0) if self.decisions else BashDecision("once")


def project_settings(root: Path, **lists: list[str]) -> None:
    (root / ".claude").mkdir(exist_ok=True)
    (root / ".claude" / "settings.json").write_text(json.dumps({"permissions": lists}))


async def run(
    make_session: SessionFactory, workspace: Workspace, approvals: Approvals, *calls: dict[str, Any], **kw: Any
) -> tuple[list[ToolCallFinished], AgentSession]:
    script = [tool_reply(ToolUse(str(call.pop("tool", "Bash")), call)) for call in calls] + [text_reply("ok")]
    session, _ = make_session(script, approver=approvals, permissions=load_permissions(workspace.root), **kw)
    events = [event async for event in session.run_turn("go")]
    return [e for e in events if isinstance(e, ToolCallFinished)], session


async def test_a_denied_command_never_reaches_the_approval(make_session: SessionFactory, workspace: Workspace) -> None:
    project_settings(workspace.root, deny=["Bash(touch:*)"], allow=["Bash(touch:*)"])
    approvals = Approvals()
    [result], _ = await run(make_session, workspace, approvals, {"command": "echo x && touch gone"})
    assert approvals.asked == []
    assert result.is_error
    assert "denied by the permission rule Bash(touch:*) in .claude/settings.json" in result.result
    assert not (workspace.root / "gone").exists()


async def test_an_allowed_command_runs_without_asking_and_says_why(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    project_settings(workspace.root, allow=["Bash(echo:*)"])
    approvals = Approvals()
    journal = SessionJournal.create(workspace.root)
    [result], _ = await run(make_session, workspace, approvals, {"command": "echo hi"}, journal=journal)
    assert approvals.asked == []
    assert result.result.startswith("hi") and not result.is_error
    assert result.summary == "Bash: echo hi · allowed by Bash(echo:*) in .claude/settings.json"
    [call] = [r["payload"] for r in journal.records() if r["kind"] == "tool_call"]
    assert call["allowed_by"] == "allowed by Bash(echo:*) in .claude/settings.json"


async def test_a_prefix_rule_does_not_let_a_compound_command_through(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    project_settings(workspace.root, allow=["Bash(echo:*)"])
    approvals = Approvals(BashDecision("deny"))
    [result], _ = await run(make_session, workspace, approvals, {"command": "echo hi && touch pwned"})
    assert approvals.asked == ["echo hi && touch pwned"]
    assert result.is_error and not (workspace.root / "pwned").exists()


async def test_an_ask_rule_asks_even_when_allowed(make_session: SessionFactory, workspace: Workspace) -> None:
    project_settings(workspace.root, allow=["Bash"], ask=["Bash(echo secret:*)"])
    approvals = Approvals()
    journal = SessionJournal.create(workspace.root)
    results, _ = await run(
        make_session, workspace, approvals, {"command": "echo secret"}, {"command": "echo fine"}, journal=journal
    )
    assert approvals.asked == ["echo secret"]
    assert results[0].summary == "Bash: echo secret"  # approved once: nothing to add
    calls = [r["payload"] for r in journal.records() if r["kind"] == "tool_call"]
    assert [c["allowed_by"] for c in calls] == [
        "approved once by the developer",
        "allowed by Bash in .claude/settings.json",
    ]


async def test_always_with_a_prefix_for_the_session(make_session: SessionFactory, workspace: Workspace) -> None:
    approvals = Approvals(BashDecision("always", rule="Bash(echo:*)"))
    results, session = await run(
        make_session, workspace, approvals, {"command": "echo a"}, {"command": "echo b"}, {"command": "echo c; pwd"}
    )
    assert approvals.asked == ["echo a", "echo c; pwd"]
    assert results[1].summary == "Bash: echo b · allowed by Bash(echo:*) (this session)"
    assert not (workspace.root / LOCAL_SETTINGS).exists()
    assert session.always_allowed == set()  # a prefix rule, not the exact command


async def test_always_saved_to_settings_local(make_session: SessionFactory, workspace: Workspace) -> None:
    approvals = Approvals(BashDecision("always", rule="Bash(echo:*)", save=True), BashDecision("always", save=True))
    results, _ = await run(
        make_session, workspace, approvals, {"command": "echo a"}, {"command": "pwd"}, {"command": "pwd"}
    )
    assert approvals.asked == ["echo a", "pwd"]
    assert "saved to .claude/settings.local.json" in results[0].summary
    saved = json.loads((workspace.root / LOCAL_SETTINGS).read_text())
    assert saved == {"permissions": {"allow": ["Bash(echo:*)", "Bash(pwd)"]}}
    assert load_permissions(workspace.root).check_bash("echo z").kind == "allow"


async def test_read_and_edit_deny_rules_refuse_the_tools(make_session: SessionFactory, workspace: Workspace) -> None:
    (workspace.root / "secrets").mkdir()
    (workspace.root / "secrets" / "key.txt").write_text("TOPSECRET\n")
    project_settings(workspace.root, deny=["Read(./secrets/**)", "Edit(app/*.py)"])
    results, _ = await run(
        make_session,
        workspace,
        Approvals(),
        {"tool": "Read", "file_path": "secrets/key.txt"},
        {"tool": "Grep", "pattern": "TOP", "path": "secrets"},
        {"tool": "Write", "file_path": "app/main.py", "content": "x = 1\n"},
        {"tool": "Read", "file_path": "README.md"},
        {"tool": "Grep", "pattern": "TOP|sample", "output_mode": "content"},
        {"tool": "Glob", "pattern": "**/*.txt"},
    )
    assert [r.is_error for r in results] == [True, True, True, False, False, False]
    assert results[4].result == "README.md:1:# sample"  # the secret's line is left out of a search of the root
    assert results[5].result == "No files found."
    assert "TOPSECRET" not in results[0].result
    assert "reading secrets/key.txt is denied by the permission rule Read(./secrets/**)" in results[0].result
    assert "Edit(app/*.py) in .claude/settings.json" in results[2].result
    assert workspace.proposals() == []


async def test_an_exact_command_with_a_star_is_not_saved_as_a_wildcard(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    approvals = Approvals(BashDecision("always", save=True))
    results, _ = await run(make_session, workspace, approvals, {"command": "ls *.md"}, {"command": "ls *.md"})
    assert approvals.asked == ["ls *.md"]  # still allowed for the session
    assert "not saved: it holds * or a newline" in results[0].summary
    assert not (workspace.root / LOCAL_SETTINGS).exists()
