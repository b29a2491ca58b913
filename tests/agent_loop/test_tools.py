"""Each tool through the real SDK and the loop: Read, Grep, Glob, Write, Edit, TodoWrite; confinement escapes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.checklist import Checklist
from backend_pair.agents.events import AgentEvent, ChecklistChanged, ToolCallFinished
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace
from tests.support import assert_valid_history

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn."""
    return [event async for event in session.run_turn(text)]


async def run_one(make_session: SessionFactory, name: str, data: dict[str, Any]) -> ToolCallFinished:
    """Play one tool call through the SDK and return its result event."""
    session, server = make_session([tool_reply(ToolUse(name, data)), text_reply("ok")])
    events = await collect(session, "go")
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert len(finished) == 1
    sent = server.requests[1]["messages"][-1]["content"][0]
    assert sent["content"] == finished[0].result
    assert sent.get("is_error", False) == finished[0].is_error
    return finished[0]


async def test_read_numbers_lines(make_session: SessionFactory) -> None:
    result = await run_one(make_session, "Read", {"file_path": "app/main.py"})
    assert result.result.splitlines() == ["     1\tdef hello() -> str:", "     2\t    return 'hello'"]
    assert not result.is_error


async def test_read_offset_limit_and_long_lines(make_session: SessionFactory, workspace: Workspace) -> None:
    lines = [f"line {n}" for n in range(1, 3001)]
    lines[9] = "x" * 5000
    (workspace.root / "big.txt").write_text("\n".join(lines) + "\n")
    result = await run_one(make_session, "Read", {"file_path": "big.txt"})
    out = result.result.splitlines()
    assert out[0] == "     1\tline 1" and len(out) == 2001
    assert "line cut" in out[9] and len(out[9]) < 2100
    assert "offset=2001" in out[-1]
    part = await run_one(make_session, "Read", {"file_path": "big.txt", "offset": 2999, "limit": 5})
    assert part.result.splitlines() == ["  2999\tline 2999", "  3000\tline 3000"]


async def test_read_refuses_binary_and_missing(make_session: SessionFactory, workspace: Workspace) -> None:
    (workspace.root / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    binary = await run_one(make_session, "Read", {"file_path": "blob.bin"})
    assert binary.is_error and "binary" in binary.result.lower()
    missing = await run_one(make_session, "Read", {"file_path": "nope.py"})
    assert missing.is_error and "nope.py" in missing.result


async def test_read_sees_proposals(make_session: SessionFactory, workspace: Workspace) -> None:
    workspace.propose("app/main.py", "def hello() -> str:\n    return 'proposed'\n")
    result = await run_one(make_session, "Read", {"file_path": "app/main.py"})
    assert "proposed" in result.result


async def test_grep_modes(make_session: SessionFactory, workspace: Workspace) -> None:
    (workspace.root / "app" / "other.py").write_text("HELLO = 1\nx = 2\nhello_again = 3\n")
    files = await run_one(make_session, "Grep", {"pattern": "hello", "-i": True})
    assert files.result.splitlines() == ["app/main.py", "app/other.py"]
    content = await run_one(make_session, "Grep", {"pattern": "hello", "output_mode": "content", "glob": "*.py"})
    assert "app/main.py:1:def hello() -> str:" in content.result
    assert "app/other.py:3:hello_again = 3" in content.result
    count = await run_one(make_session, "Grep", {"pattern": "hello", "-i": True, "output_mode": "count"})
    assert count.result.splitlines() == ["app/main.py:2", "app/other.py:2"]
    ctx = await run_one(
        make_session, "Grep", {"pattern": "x = 2", "output_mode": "content", "-C": 1, "path": "app/other.py"}
    )
    assert ctx.result.splitlines() == [
        "app/other.py-1-HELLO = 1",
        "app/other.py:2:x = 2",
        "app/other.py-3-hello_again = 3",
    ]
    limited = await run_one(make_session, "Grep", {"pattern": "e", "output_mode": "content", "head_limit": 1})
    assert len(limited.result.splitlines()) == 2 and "head_limit" in limited.result
    none = await run_one(make_session, "Grep", {"pattern": "zzz_nothing"})
    assert none.result == "No matches found." and not none.is_error


async def test_grep_respects_gitignore_and_sees_proposals(make_session: SessionFactory, workspace: Workspace) -> None:
    (workspace.root / ".gitignore").write_text("secret.txt\n")
    (workspace.root / "secret.txt").write_text("needle\n")
    workspace.propose("app/new.py", "needle = True\n")
    result = await run_one(make_session, "Grep", {"pattern": "needle"})
    assert result.result.splitlines() == ["app/new.py"]


async def test_glob_includes_proposed_new_files(make_session: SessionFactory, workspace: Workspace) -> None:
    workspace.propose("app/routes/orders.py", "X = 1\n")
    result = await run_one(make_session, "Glob", {"pattern": "**/*.py"})
    assert result.result.splitlines() == ["app/main.py", "app/routes/orders.py"]
    top = await run_one(make_session, "Glob", {"pattern": "*.md"})
    assert top.result == "README.md"
    scoped = await run_one(make_session, "Glob", {"pattern": "*.py", "path": "app"})
    assert scoped.result == "app/main.py"


async def test_edit_proposes_and_fails_clearly(make_session: SessionFactory, workspace: Workspace) -> None:
    ok = await run_one(
        make_session, "Edit", {"file_path": "app/main.py", "old_string": "'hello'", "new_string": "'hi'"}
    )
    assert not ok.is_error and "pending" in ok.result
    assert (workspace.root / "app/main.py").read_text() == "def hello() -> str:\n    return 'hello'\n"
    proposal = workspace.proposal("app/main.py")
    assert proposal is not None and "'hi'" in proposal.proposed
    missing = await run_one(make_session, "Edit", {"file_path": "app/main.py", "old_string": "nope", "new_string": "x"})
    assert missing.is_error and "not found" in missing.result
    (workspace.root / "dup.py").write_text("a = 1\na = 1\n")
    dup = await run_one(make_session, "Edit", {"file_path": "dup.py", "old_string": "a = 1", "new_string": "a = 2"})
    assert dup.is_error and "2 times" in dup.result
    everywhere = await run_one(
        make_session, "Edit", {"file_path": "dup.py", "old_string": "a = 1", "new_string": "a = 2", "replace_all": True}
    )
    assert not everywhere.is_error
    assert workspace.read_text("dup.py") == "a = 2\na = 2\n"


async def test_todowrite_updates_checklist(make_session: SessionFactory) -> None:
    todos = [
        {"content": "Reviewed existing patterns", "status": "completed", "activeForm": "Reviewing"},
        {"content": "Add the endpoint", "status": "in_progress", "activeForm": "Adding"},
    ]
    session, _ = make_session([tool_reply(ToolUse("TodoWrite", {"todos": todos})), text_reply("ok")])
    events = await collect(session, "go")
    assert ChecklistChanged() in events
    checklist = session.checklist
    assert isinstance(checklist, Checklist)
    items = {item.text: item for item in checklist.items()}
    assert str(items["Reviewed existing patterns"].status) == "done"
    assert items["Add the endpoint"].added_by_agent


ESCAPES = ["../outside.txt", "app/../../outside.txt", ".git/config", ".git/HEAD", "link_out/secret.txt"]


@pytest.mark.parametrize("path", [*ESCAPES, "ABSOLUTE"])
@pytest.mark.parametrize("tool", ["Read", "Write", "Edit", "Grep", "Glob"])
async def test_confinement_escapes_are_error_results(
    make_session: SessionFactory, workspace: Workspace, tmp_path: Path, tool: str, path: str
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("secret\n")
    (tmp_path / "outside.txt").write_text("secret\n")
    link = workspace.root / "link_out"
    if not link.exists():
        os.symlink(outside, link)
    target = str(outside / "secret.txt") if path == "ABSOLUTE" else path
    data: dict[str, Any] = {
        "Read": {"file_path": target},
        "Write": {"file_path": target, "content": "pwned\n"},
        "Edit": {"file_path": target, "old_string": "secret", "new_string": "pwned"},
        "Grep": {"pattern": "secret", "path": target},
        "Glob": {"pattern": "*", "path": target},
    }[tool]
    result = await run_one(make_session, tool, data)
    assert result.is_error, result.result
    assert "secret\n" not in result.result
    assert (outside / "secret.txt").read_text() == "secret\n"
    assert workspace.proposals() == []


async def test_a_proposed_contract_is_validated_in_the_result(make_session: SessionFactory) -> None:
    bad = "openapi: 3.0.3\ninfo:\n  title: Orders\npaths: {}\n"
    result = await run_one(make_session, "Write", {"file_path": "api/openapi.yaml", "content": bad})
    assert not result.is_error
    assert result.result.splitlines()[1] == (
        "The proposed api/openapi.yaml does not validate: "
        "api/openapi.yaml:2: 'version' is a required property (at info)"
    )
    fixed = {
        "file_path": "api/openapi.yaml",
        "old_string": "  title: Orders\n",
        "new_string": "  title: O\n  version: '1'\n",
    }
    result = await run_one(make_session, "Edit", fixed)
    assert result.result.endswith("The proposed api/openapi.yaml validates as OpenAPI 3.0.3.")
    plain = await run_one(make_session, "Write", {"file_path": "notes.yaml", "content": "openapi_docs: later\n"})
    assert "validate" not in plain.result


async def test_a_repeated_tool_use_id_is_answered_with_an_error_and_the_history_stays_valid(
    make_session: SessionFactory,
) -> None:
    from backend_pair.agents.history import DUPLICATE_ID, tool_uses

    twice = tool_reply(
        ToolUse("Read", {"file_path": "app/main.py"}, id="toolu_same"),
        ToolUse("Read", {"file_path": "README.md"}, id="toolu_same"),
    )
    session, server = make_session([twice, text_reply("done")])
    events = await collect(session, "read both")
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [(e.call_id, e.is_error) for e in finished] == [("toolu_same", False), ("toolu_same_dup1", True)]
    assert finished[1].result == DUPLICATE_ID
    sent = server.requests[1]["messages"]
    assert_valid_history(sent)
    ids = [call["id"] for message in sent for call in tool_uses(message)]
    assert ids == ["toolu_same", "toolu_same_dup1"]


@pytest.mark.parametrize(
    ("tool", "data"),
    [
        ("Glob", {"pattern": "../*.txt"}),
        ("Glob", {"pattern": "app/../../secret/*"}),
        ("Glob", {"pattern": "/etc/*"}),
        ("Grep", {"pattern": "x", "glob": "../**/*.py"}),
        ("Glob", {"pattern": "*", "path": "../"}),
    ],
)
async def test_a_search_that_leaves_the_repository_says_why(
    make_session: SessionFactory, tool: str, data: dict[str, Any]
) -> None:
    result = await run_one(make_session, tool, data)
    assert result.is_error
    assert "outside the repository" in result.result or "climbs out" in result.result
    assert "No files found" not in result.result
