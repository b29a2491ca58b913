"""Awkward files end to end through the agent's tools and the workspace: CRLF, no final newline, non-UTF-8,
binary, 50 MB, read-only, deleted under a proposal. Each is handled with one clear line, and nothing is lost.

The real agent loop runs one turn of tool calls through the real SDK against the loopback fake Messages API; the
proposals are then accepted (written and staged) in a real git repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.agents.approval import deny_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.client import make_client
from backend_pair.agents.discovery import DEFAULT_AGENT, find_agent
from backend_pair.agents.events import AgentEvent, ToolCallFinished, TurnEnded
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace, open_workspace

MODEL = "claude-sonnet-4-20250514"
HUGE_BYTES = 50_000_000
FILES: dict[str, bytes] = {
    "crlf.txt": b"one\r\ntwo\r\nthree\r\n",
    "nonl.txt": b"alpha\nbeta",
    "latin1.txt": "caf\xe9 cr\xe8me\n".encode("latin-1"),
    "blob.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
    "readonly.txt": b"read only\n",
    "gone.txt": b"soon gone\n",
}
CALLS = (
    ToolUse("Edit", {"file_path": "crlf.txt", "old_string": "two", "new_string": "TWO"}),
    ToolUse("Edit", {"file_path": "nonl.txt", "old_string": "beta", "new_string": "BETA"}),
    ToolUse("Read", {"file_path": "latin1.txt"}),
    ToolUse("Write", {"file_path": "latin1.txt", "content": "café crème\n"}),
    ToolUse("Read", {"file_path": "blob.bin"}),
    ToolUse("Write", {"file_path": "blob.bin", "content": "not an image\n"}),
    ToolUse("Read", {"file_path": "huge.log"}),
    ToolUse("Edit", {"file_path": "huge.log", "old_string": "yyy", "new_string": "z"}),
    ToolUse("Grep", {"pattern": "BETA|café|PNG"}),
    ToolUse("Edit", {"file_path": "readonly.txt", "old_string": "read only", "new_string": "still read only"}),
    ToolUse("Edit", {"file_path": "gone.txt", "old_string": "soon gone", "new_string": "back again"}),
)
REFUSED = {
    ("Read", "latin1.txt"): "not valid UTF-8",
    ("Write", "latin1.txt"): "not valid UTF-8",
    ("Read", "blob.bin"): "binary",
    ("Write", "blob.bin"): "binary",
    ("Read", "huge.log"): "limit",
    ("Edit", "huge.log"): "limit",
}


def git_bytes(root: Path, *args: str) -> bytes:
    """git's raw output (no newline translation)."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


@pytest.fixture
def awkward_repo(git_repo: Path) -> Path:
    for name, data in FILES.items():
        (git_repo / name).write_bytes(data)
    subprocess.run(["git", "add", "-A"], cwd=git_repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "awkward files"], cwd=git_repo, check=True)
    os.chmod(git_repo / "readonly.txt", 0o444)
    with (git_repo / "huge.log").open("wb") as huge:  # untracked, like a log file
        huge.write((b"y" * 99 + b"\n") * (HUGE_BYTES // 100))
    return git_repo


@pytest.fixture
def workspace(awkward_repo: Path) -> Iterator[Workspace]:
    opened = open_workspace(awkward_repo)
    yield opened
    opened.close()


@pytest.fixture
def turn(workspace: Workspace) -> Iterator[tuple[list[AgentEvent], FakeMessagesServer]]:
    """One turn calling every tool on every awkward file, then a short answer."""
    import asyncio

    server = FakeMessagesServer([tool_reply(*CALLS), text_reply("Done with the files.")])
    definition = find_agent(DEFAULT_AGENT, workspace.root)
    session = AgentSession(
        definition,
        workspace,
        Checklist.from_definition(definition),
        MODEL,
        deny_all,
        client=make_client(api_key="sk-ant-test-files", base_url=server.start(), max_retries=0),
    )

    async def run() -> list[AgentEvent]:
        return [event async for event in session.run_turn("touch every file")]

    try:
        yield asyncio.run(run()), server
    finally:
        server.stop()


def _finished(events: list[AgentEvent]) -> dict[tuple[str, str], ToolCallFinished]:
    out = {}
    for call, event in zip(CALLS, [e for e in events if isinstance(e, ToolCallFinished)], strict=True):
        out[(call.name, str(call.input.get("file_path", call.input.get("pattern"))))] = event
    return out


def test_every_call_finishes_and_the_turn_ends(turn: tuple[list[AgentEvent], FakeMessagesServer]) -> None:
    events, server = turn
    assert events[-1] == TurnEnded("end_turn", False)
    assert len([e for e in events if isinstance(e, ToolCallFinished)]) == len(CALLS)
    results = server.requests[1]["messages"][-1]["content"]
    assert [block["type"] for block in results] == ["tool_result"] * len(CALLS)


def test_unreadable_files_are_one_clear_error_each_and_stay_untouched(
    turn: tuple[list[AgentEvent], FakeMessagesServer], awkward_repo: Path
) -> None:
    finished = _finished(turn[0])
    for (tool, path), words in REFUSED.items():
        event = finished[(tool, path)]
        assert event.is_error, (tool, path, event.result)
        assert path in event.result and words in event.result, event.result
        assert "\n" not in event.result.strip() and "Traceback" not in event.result
    for name in ("latin1.txt", "blob.bin"):
        assert (awkward_repo / name).read_bytes() == FILES[name]
    assert (awkward_repo / "huge.log").stat().st_size == HUGE_BYTES
    grep = finished[("Grep", "BETA|café|PNG")]
    assert not grep.is_error and "nonl.txt" in grep.result, "Grep skips what it cannot read and finds the rest"


def test_crlf_and_missing_final_newline_survive_accept_and_staging(
    turn: tuple[list[AgentEvent], FakeMessagesServer], workspace: Workspace, awkward_repo: Path
) -> None:
    finished = _finished(turn[0])
    assert not finished[("Edit", "crlf.txt")].is_error and not finished[("Edit", "nonl.txt")].is_error
    workspace.accept_file("crlf.txt")
    workspace.accept_file("nonl.txt")
    expected = {"crlf.txt": b"one\r\nTWO\r\nthree\r\n", "nonl.txt": b"alpha\nBETA"}
    for name, data in expected.items():
        assert (awkward_repo / name).read_bytes() == data
        assert git_bytes(awkward_repo, "show", f":{name}") == data, f"the staged {name} differs from disk"
    assert git_bytes(awkward_repo, "diff", "--", "crlf.txt", "nonl.txt") == b""
    staged = git_bytes(awkward_repo, "diff", "--cached", "--numstat").decode()
    assert "1\t1\tcrlf.txt" in staged and "1\t1\tnonl.txt" in staged, "only the changed lines are staged"


def test_read_only_file_is_accepted_and_stays_read_only(
    turn: tuple[list[AgentEvent], FakeMessagesServer], workspace: Workspace, awkward_repo: Path
) -> None:
    workspace.accept_file("readonly.txt")
    path = awkward_repo / "readonly.txt"
    assert path.read_bytes() == b"still read only\n"
    assert path.stat().st_mode & 0o777 == 0o444
    assert git_bytes(awkward_repo, "show", ":readonly.txt") == b"still read only\n"


def test_file_deleted_under_a_proposal_keeps_the_proposal_and_says_so(
    turn: tuple[list[AgentEvent], FakeMessagesServer], workspace: Workspace, awkward_repo: Path
) -> None:
    (awkward_repo / "gone.txt").unlink()
    outcomes = workspace.disk_changed(["gone.txt"])
    assert [outcome.path for outcome in outcomes] == ["gone.txt"]
    assert "deleted" in outcomes[0].detail and "\n" not in outcomes[0].detail
    proposal = workspace.proposal("gone.txt")
    assert proposal is not None and proposal.proposed == "back again\n", "the proposal is not lost"
    assert str(proposal.state) in ("deleted_on_disk", "FileState.DELETED_ON_DISK")
    assert "gone.txt was deleted" in workspace.take_feedback(), "the agent hears about it"
    workspace.accept_file("gone.txt")
    assert (awkward_repo / "gone.txt").read_bytes() == b"back again\n"
    assert git_bytes(awkward_repo, "show", ":gone.txt") == b"back again\n"
