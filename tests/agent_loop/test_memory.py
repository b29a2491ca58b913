"""Project memory: CLAUDE.md files (else AGENTS.md) and their @imports, in the system prompt after the agent's body."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from backend_pair.agents.approval import allow_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.memory import MAX_IMPORT_DEPTH, load_memory
from backend_pair.agents.resume import open_session
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, text_reply
from backend_pair.workspace import Workspace

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_order_is_home_then_root_down_to_the_working_directory(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(home / ".claude" / "CLAUDE.md", "user rules")
    write(root / "CLAUDE.md", "root rules")
    write(root / ".claude" / "CLAUDE.md", "dot-claude rules")
    write(root / "CLAUDE.local.md", "my local rules")
    write(root / "services" / "CLAUDE.md", "services rules")
    write(root / "services" / "api" / "CLAUDE.md", "api rules")
    write(root / "other" / "CLAUDE.md", "not on the way")
    memory = load_memory(root, root / "services" / "api", home)
    assert memory.labels == (
        "~/.claude/CLAUDE.md",
        "CLAUDE.md",
        ".claude/CLAUDE.md",
        "CLAUDE.local.md",
        "services/CLAUDE.md",
        "services/api/CLAUDE.md",
    )
    text = memory.prompt_text()
    positions = [text.index(part) for part in ("user rules", "root rules", "my local rules", "api rules")]
    assert positions == sorted(positions)
    assert "not on the way" not in text
    assert memory.describe().startswith("memory: ~/.claude/CLAUDE.md, CLAUDE.md")


def test_working_directory_outside_the_repository_reads_the_root_only(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "CLAUDE.md", "root")
    write(root / "sub" / "CLAUDE.md", "sub")
    assert load_memory(root, tmp_path, tmp_path / "home").labels == ("CLAUDE.md",)


def test_agents_md_only_when_the_repository_has_no_claude_md(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(root / "AGENTS.md", "agents rules")
    write(root / "pkg" / "AGENTS.md", "pkg agents rules")
    write(root / "CLAUDE.local.md", "local")
    assert load_memory(root, root / "pkg", home).labels == ("AGENTS.md", "CLAUDE.local.md", "pkg/AGENTS.md")
    write(root / "pkg" / "CLAUDE.md", "pkg claude rules")
    assert load_memory(root, root / "pkg", home).labels == ("CLAUDE.local.md", "pkg/CLAUDE.md")


def test_no_memory_files_means_no_prompt_text(tmp_path: Path) -> None:
    memory = load_memory(tmp_path, None, tmp_path / "home")
    assert memory.files == () and memory.prompt_text() == ""
    assert "none" in memory.describe()


def test_imports_resolve_relative_to_the_importing_file_each_once(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(root / "CLAUDE.md", "See @docs/style.md and @docs/style.md again, mail me at dev@example.com.\n")
    write(root / "docs" / "style.md", "style: tabs never. Also @../CLAUDE.md and @testing.md.\n")
    write(root / "docs" / "testing.md", "testing: pytest\n")
    memory = load_memory(root, None, home)
    assert memory.labels == ("CLAUDE.md", "docs/style.md", "docs/testing.md")
    assert [m.imported_by for m in memory.files] == ["", "CLAUDE.md", "docs/style.md"]
    assert memory.notes == ()  # the cycle back to CLAUDE.md is not an error, nor is an e-mail address
    assert '<memory-file path="docs/style.md" (imported by CLAUDE.md)>' in memory.prompt_text()


def test_imports_in_code_are_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "CLAUDE.md", "Use `@decorator.py` here.\n```\n@fenced.md\n```\n")
    write(root / "decorator.py", "x")
    write(root / "fenced.md", "y")
    assert load_memory(root, None, tmp_path / "home").labels == ("CLAUDE.md",)


def test_missing_and_escaping_imports_are_noted_not_fatal(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(tmp_path / "secret.md", "outside")
    write(root / "CLAUDE.md", "@missing.md @../secret.md @link.md @.git/config\n")
    (root / "link.md").symlink_to(tmp_path / "secret.md")
    write(root / ".git" / "config", "[core]")
    memory = load_memory(root, None, home)
    assert memory.labels == ("CLAUDE.md",)
    assert "outside" not in memory.prompt_text()
    assert memory.notes[0] == "CLAUDE.md: @missing.md not found"
    assert sum("not read" in note for note in memory.notes) == 3


def test_import_depth_is_limited(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "CLAUDE.md", "@l1.md")
    for level in range(1, MAX_IMPORT_DEPTH + 2):
        write(root / f"l{level}.md", f"@l{level + 1}.md")
    memory = load_memory(root, None, tmp_path / "home")
    assert len(memory.files) == 1 + MAX_IMPORT_DEPTH
    assert any("nest deeper" in note for note in memory.notes)


def test_repository_memory_may_import_from_claude_home_only(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(root / "CLAUDE.md", "@~/.claude/my-project.md @~/.ssh/id_rsa @~/notes.md")
    write(home / ".claude" / "my-project.md", "personal project notes")
    write(home / ".ssh" / "id_rsa", "PRIVATE KEY")
    write(home / "notes.md", "notes")
    memory = load_memory(root, None, home)
    assert memory.labels == ("CLAUDE.md", "~/.claude/my-project.md")
    assert "PRIVATE KEY" not in memory.prompt_text()
    assert memory.notes == (
        "CLAUDE.md: ~/.ssh/id_rsa is outside the repository (or ~/.claude); not read",
        "CLAUDE.md: ~/notes.md is outside the repository (or ~/.claude); not read",
    )


def test_user_memory_imports_from_home_not_from_the_repository(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    write(root / "CLAUDE.md", "root")
    write(home / ".claude" / "CLAUDE.md", "@~/notes/prefs.md @../../repo/CLAUDE.md")
    write(home / "notes" / "prefs.md", "prefs")
    memory = load_memory(root, None, home)
    assert memory.labels == ("~/.claude/CLAUDE.md", "~/notes/prefs.md", "CLAUDE.md")
    assert [m.imported_by for m in memory.files] == ["", "~/.claude/CLAUDE.md", ""]
    assert memory.notes == ("~/.claude/CLAUDE.md: CLAUDE.md is outside the home folder; not read",)


def test_undecodable_memory_is_noted(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "CLAUDE.md").write_bytes(b"\xff\xfe\x00bad")
    memory = load_memory(root, None, tmp_path / "home")
    assert memory.files == () and memory.notes == ("CLAUDE.md: not UTF-8 text; not read",)


async def test_system_prompt_sent_holds_memory_after_the_body_in_one_cached_prefix(
    make_session: SessionFactory, workspace: Workspace, definition: AgentDefinition
) -> None:
    write(Path.home() / ".claude" / "CLAUDE.md", "USER-MEMORY")
    write(workspace.root / "CLAUDE.md", "ROOT-MEMORY @docs/extra.md")
    write(workspace.root / "docs" / "extra.md", "IMPORTED-MEMORY")
    write(workspace.root / "CLAUDE.local.md", "LOCAL-MEMORY")
    memory = load_memory(workspace.root)
    session, server = make_session([text_reply("hi"), text_reply("again")], memory=memory)
    [_ async for _ in session.run_turn("hello")]
    [_ async for _ in session.run_turn("more")]
    system = server.requests[0]["system"]
    assert len(system) == 3
    assert definition.body.strip()[:60] in system[1]["text"]
    text = system[2]["text"]
    order = [text.index(word) for word in ("USER-MEMORY", "ROOT-MEMORY", "IMPORTED-MEMORY", "LOCAL-MEMORY")]
    assert order == sorted(order)
    assert [("cache_control" in block) for block in system] == [False, False, True]
    assert server.requests[1]["system"] == system  # the same bytes every call: the cache prefix holds


async def test_without_memory_the_body_carries_the_cache_mark(make_session: SessionFactory) -> None:
    session, server = make_session([text_reply("hi")])
    [_ async for _ in session.run_turn("hello")]
    system = server.requests[0]["system"]
    assert len(system) == 2 and "cache_control" in system[1]


def test_open_session_reads_memory_from_the_working_directory(
    workspace: Workspace, definition: AgentDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workspace.root / "CLAUDE.md", "root")
    write(workspace.root / "app" / "CLAUDE.md", "app")
    monkeypatch.chdir(workspace.root / "app")
    session = open_session(
        definition, workspace, Checklist.from_definition(definition), "claude-x", allow_all, resume=None
    )
    assert session.memory is not None and session.memory.labels == ("CLAUDE.md", "app/CLAUDE.md")
    assert os.fspath(workspace.root / "app") == os.getcwd()
