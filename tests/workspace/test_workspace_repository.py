"""Opening repositories: not a repository, bare, subfolders, branch names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backend_pair.errors import BackendPairError
from backend_pair.workspace import NotARepository, open_workspace


def test_not_a_repository_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match="git init") as info:
        open_workspace(tmp_path)
    assert isinstance(info.value, BackendPairError) and "\n" not in str(info.value)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match="no such folder"):
        open_workspace(tmp_path / "nope")


def test_bare_repository_is_refused_with_a_hint(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(NotARepository, match=r"bare repository.*git clone"):
        open_workspace(bare)


def test_subfolder_opens_the_working_tree_root(git_repo: Path) -> None:
    ws = open_workspace(git_repo / "app")
    try:
        assert ws.root == git_repo.resolve()
        assert ws.resolve("app/main.py") == "app/main.py"
    finally:
        ws.close()


def test_detached_head_branch(git_repo: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=git_repo, check=True)
    ws = open_workspace(git_repo)
    try:
        assert ws.branch().startswith("detached at ")
    finally:
        ws.close()
