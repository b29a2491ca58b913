"""Bundled defaults for the seed's references: seen by Read, Glob and Grep when missing, never written or staged."""

from __future__ import annotations

import subprocess
from pathlib import Path

from backend_pair.agents.references import REFERENCES
from backend_pair.workspace import Workspace
from tests.agent_loop.test_tools import SessionFactory, run_one

NOTICE = "[bundled default; add your own file at .ai/standards/openapi.md to override]"


def _porcelain(root: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout


async def test_read_shows_the_bundled_default_marked(make_session: SessionFactory, workspace: Workspace) -> None:
    result = await run_one(make_session, "Read", {"file_path": ".ai/standards/openapi.md"})
    lines = result.result.splitlines()
    assert lines[0] == NOTICE
    assert lines[1] == "     1\t# OpenAPI standard"
    assert not result.is_error
    folder = await run_one(make_session, "Read", {"file_path": "stacks/node-express"})
    assert folder.result.splitlines()[:2] == [
        "[bundled default; add your own file at stacks/node-express/README.md to override]",
        "     1\t# Node / Express patterns",
    ]
    assert workspace.proposals() == [] and _porcelain(workspace.root) == ""


async def test_a_repository_file_always_wins(make_session: SessionFactory, workspace: Workspace) -> None:
    own = workspace.root / ".ai" / "standards" / "openapi.md"
    own.parent.mkdir(parents=True)
    own.write_text("# Our own rules\n")
    (workspace.root / "stacks" / "python-fastapi").mkdir(parents=True)
    (workspace.root / "stacks" / "python-fastapi" / "routing.md").write_text("# Our routing\n")
    result = await run_one(make_session, "Read", {"file_path": ".ai/standards/openapi.md"})
    assert result.result == "     1\t# Our own rules"
    missing = await run_one(make_session, "Read", {"file_path": "stacks/python-fastapi/README.md"})
    assert missing.is_error and "no such file" in missing.result
    globbed = await run_one(make_session, "Glob", {"pattern": "**/*.md"})
    assert "stacks/python-fastapi/README.md" not in globbed.result
    assert ".ai/standards/openapi.md" in globbed.result.split("Bundled defaults")[0]


async def test_glob_lists_defaults_after_the_repository(make_session: SessionFactory) -> None:
    result = await run_one(make_session, "Glob", {"pattern": "**/*.md"})
    repository, bundled = result.result.split("\nBundled defaults", 1)
    assert repository.splitlines() == ["README.md"]
    assert bundled.splitlines()[1:] == sorted(REFERENCES)
    stacks = await run_one(make_session, "Glob", {"pattern": "*/README.md", "path": "stacks"})
    assert stacks.result.splitlines()[1:] == [
        "stacks/node-express/README.md",
        "stacks/php-laravel/README.md",
        "stacks/python-fastapi/README.md",
    ]
    none = await run_one(make_session, "Glob", {"pattern": "*.py", "path": ".ai"})
    assert none.result == "No files found."


async def test_grep_searches_the_defaults_too(make_session: SessionFactory) -> None:
    result = await run_one(make_session, "Grep", {"pattern": "operationId", "output_mode": "content"})
    lines = result.result.splitlines()
    assert lines[0].startswith("Bundled defaults")
    assert any(line.startswith(".ai/standards/openapi.md:") for line in lines[1:])
    scoped = await run_one(make_session, "Grep", {"pattern": "def hello|Laravel", "path": "stacks", "-i": True})
    assert scoped.result.splitlines()[1:] == ["stacks/php-laravel/README.md"]
    repo_only = await run_one(make_session, "Grep", {"pattern": "def hello"})
    assert repo_only.result == "app/main.py"
    limited = await run_one(make_session, "Grep", {"pattern": "e", "output_mode": "content", "head_limit": 3})
    assert limited.result.count("\n") < 6


async def test_every_default_is_packaged_and_non_empty() -> None:
    from backend_pair.agents.references import visible_references

    shown = visible_references([])
    assert [r.path for r in shown] == list(REFERENCES)
    assert all(len(r.text.splitlines()) > 10 for r in shown)
