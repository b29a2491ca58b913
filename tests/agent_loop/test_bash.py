"""Bash: approval (once, always, deny), repository root, timeout, capped output, no key, pending proposals note."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from typing import Any

import pytest

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.events import AgentEvent, ProposalChanged, ToolCallFinished
from backend_pair.agents.session import AgentSession
from backend_pair.agents.tools.bash import CappedOutput
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


class Approvals:
    """A scripted approver that records what it was asked."""

    def __init__(self, *decisions: BashDecision) -> None:
        self.decisions = list(decisions)
        self.asked: list[BashRequest] = []

    async def __call__(self, request: BashRequest) -> BashDecision:
        self.asked.append(request)
        return self.decisions.pop(0) if self.decisions else BashDecision("once")


async def bash(make_session: SessionFactory, approvals: Approvals, *calls: dict[str, Any]) -> list[ToolCallFinished]:
    script = [tool_reply(ToolUse("Bash", call)) for call in calls] + [text_reply("ok")]
    session, _ = make_session(script, approver=approvals)
    events = await collect(session, "run")
    return [e for e in events if isinstance(e, ToolCallFinished)]


async def test_runs_once_in_repository_root(make_session: SessionFactory, workspace: Workspace) -> None:
    approvals = Approvals(BashDecision("once"))
    [result] = await bash(make_session, approvals, {"command": "pwd", "description": "where am I"})
    assert result.result.splitlines()[0] == str(workspace.root)
    assert "[exit code 0]" in result.result and not result.is_error
    assert approvals.asked[0].command == "pwd"
    assert approvals.asked[0].description == "where am I"
    assert approvals.asked[0].cwd == workspace.root


async def test_always_is_remembered_for_that_exact_command(make_session: SessionFactory) -> None:
    approvals = Approvals(BashDecision("always"), BashDecision("deny"))
    results = await bash(
        make_session, approvals, {"command": "echo one"}, {"command": "echo one"}, {"command": "echo 2"}
    )
    assert [r.is_error for r in results] == [False, False, True]
    assert [request.command for request in approvals.asked] == ["echo one", "echo 2"]


async def test_deny_with_reason_does_not_run(make_session: SessionFactory, workspace: Workspace) -> None:
    approvals = Approvals(BashDecision("deny", "not on my machine"))
    [result] = await bash(make_session, approvals, {"command": "touch ran.txt"})
    assert result.is_error and "denied" in result.result and "not on my machine" in result.result
    assert not (workspace.root / "ran.txt").exists()


async def test_no_anthropic_variable_reaches_the_command(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-should-not-leak-123456")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://nowhere.invalid")
    [result] = await bash(make_session, Approvals(), {"command": "env"})
    assert "should-not-leak" not in result.result and "ANTHROPIC" not in result.result
    assert "PATH=" in result.result


async def test_timeout_stops_the_command(make_session: SessionFactory) -> None:
    [result] = await bash(make_session, Approvals(), {"command": "echo started; sleep 30", "timeout": 200})
    assert result.is_error and "timed out" in result.result and "started" in result.result


async def test_failure_exit_code_is_an_error(make_session: SessionFactory) -> None:
    [result] = await bash(make_session, Approvals(), {"command": "echo oops >&2; exit 3"})
    assert result.is_error and "oops" in result.result and "[exit code 3]" in result.result


async def test_output_is_capped_keeping_head_and_tail(make_session: SessionFactory) -> None:
    command = "echo HEAD; head -c 300000 /dev/zero | tr '\\0' 'x'; echo; echo TAIL"
    [result] = await bash(make_session, Approvals(), {"command": command})
    assert result.result.startswith("HEAD") and "TAIL" in result.result
    assert "bytes of output cut" in result.result and len(result.result) < 40_000


async def test_pending_proposals_are_not_on_disk_note(make_session: SessionFactory, workspace: Workspace) -> None:
    workspace.propose("app/main.py", "CHANGED = True\n")
    [result] = await bash(make_session, Approvals(), {"command": "cat app/main.py"})
    assert "CHANGED" not in result.result.splitlines()[0]
    assert "not on disk yet" in result.result and "app/main.py" in result.result


def test_capped_output_keeps_exact_head_and_tail() -> None:
    output = CappedOutput(head=4, tail=4)
    for chunk in (b"ab", b"cdef", b"0123456789", b"wxyz"):
        output.add(chunk)
    assert output.total == 20
    text = output.text()
    assert text.startswith("abcd") and text.endswith("wxyz") and "12 bytes" in text


async def test_what_a_command_changes_goes_to_review(make_session: SessionFactory, workspace: Workspace) -> None:
    command = "sed -i 's/hello/hi/' app/main.py && echo out > notes.txt"
    session, _ = make_session([tool_reply(ToolUse("Bash", {"command": command})), text_reply("ok")])
    events = await collect(session, "run")
    [result] = [e for e in events if isinstance(e, ToolCallFinished)]
    assert ProposalChanged(("app/main.py", "notes.txt")) in events  # the review pane refreshes on it
    assert result.result.splitlines()[-1] == (
        "The command changed 2 files: app/main.py, notes.txt; the developer will review those changes."
    )
    changed = [(p.path, p.origin) for p in workspace.proposals()]
    assert changed == [("app/main.py", command), ("notes.txt", command)]
    assert "not on disk yet" not in result.result


async def test_a_denied_command_leaves_nothing_to_review(make_session: SessionFactory, workspace: Workspace) -> None:
    [result] = await bash(make_session, Approvals(BashDecision("deny")), {"command": "touch x"})
    assert result.is_error and workspace.proposals() == []
    assert not (workspace.root / ".git" / "backend-pair" / "running-command.json").exists()
    assert not (workspace.root / "x").exists()


def _running(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line holds ``marker``."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if marker in cmdline and "Z" not in state:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux only")
async def test_a_timeout_stops_children_that_left_the_group_with_setsid_or_nohup(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    marker = f"{os.getpid() % 1000}.4242"
    command = f"setsid sleep 1{marker} & nohup sleep 2{marker} >/dev/null 2>&1 & echo started; sleep 30"
    [result] = await bash(make_session, Approvals(BashDecision("once")), {"command": command, "timeout": 1500})
    assert result.is_error and "started" in result.result and "setsid" in result.result
    for _ in range(100):  # bounded: killed processes may take a moment to be reaped
        if not _running(marker):
            break
        await asyncio.sleep(0.05)
    assert _running(marker) == []
