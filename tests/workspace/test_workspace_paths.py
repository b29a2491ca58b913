"""Confinement: what the agent may name, and what is refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.workspace import PathRefused, Workspace, open_workspace


@pytest.fixture
def ws(git_repo: Path) -> Iterator[Workspace]:
    """The workspace of the test repository."""
    workspace = open_workspace(git_repo)
    yield workspace
    workspace.close()


def test_relative_and_absolute_inside_resolve_to_repo_relative(ws: Workspace, git_repo: Path) -> None:
    assert ws.resolve("app/main.py") == "app/main.py"
    assert ws.resolve("./app/../app/main.py") == "app/main.py"
    assert ws.resolve(str(git_repo / "app" / "main.py")) == "app/main.py"
    assert ws.resolve("app/new_file.py") == "app/new_file.py"
    assert ws.resolve(".") == "."


@pytest.mark.parametrize("path", ["../outside.txt", "app/../../x", "/etc/passwd", ""])
def test_escapes_are_refused(ws: Workspace, path: str) -> None:
    with pytest.raises(PathRefused):
        ws.resolve(path)


@pytest.mark.parametrize("path", [".git/config", ".git", "app/.git/x", ".git/../.git/HEAD"])
def test_anything_under_dot_git_is_refused(ws: Workspace, path: str) -> None:
    with pytest.raises(PathRefused, match=r"\.git"):
        ws.resolve(path)


def test_symlink_leading_out_is_refused(ws: Workspace, git_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n")
    os.symlink(outside, git_repo / "link.txt")
    os.symlink(tmp_path, git_repo / "linkdir")
    with pytest.raises(PathRefused, match="symlink"):
        ws.resolve("link.txt")
    with pytest.raises(PathRefused, match="symlink"):
        ws.resolve("linkdir/secret.txt")
    with pytest.raises(PathRefused):
        ws.read_text("link.txt")


def test_symlink_into_dot_git_is_refused(ws: Workspace, git_repo: Path) -> None:
    os.symlink(git_repo / ".git" / "config", git_repo / "cfg")
    with pytest.raises(PathRefused, match=r"\.git"):
        ws.resolve("cfg")


def test_symlink_inside_resolves_to_its_target(ws: Workspace, git_repo: Path) -> None:
    os.symlink(git_repo / "app" / "main.py", git_repo / "alias.py")
    assert ws.resolve("alias.py") == "app/main.py"


def test_refusal_is_one_line(ws: Workspace) -> None:
    with pytest.raises(PathRefused) as info:
        ws.resolve("../../etc/passwd")
    assert "\n" not in str(info.value)
    assert "outside the repository" in str(info.value)


def test_absolute_path_through_a_symlinked_root_is_inside(git_repo: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    os.symlink(git_repo, alias)
    ws = open_workspace(alias)
    try:
        assert ws.resolve(str(alias / "app" / "main.py")) == "app/main.py"
        assert ws.read_text(str(alias / "README.md")) == "# sample\n"
        with pytest.raises(PathRefused):
            ws.resolve(str(alias / ".git" / "config"))
    finally:
        ws.close()
