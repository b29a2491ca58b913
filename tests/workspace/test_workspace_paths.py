"""Confinement: what the agent may name, and what is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend_pair.workspace import PathRefused, Workspace, open_workspace


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


@pytest.mark.parametrize(
    "path",
    [".GIT/config", ".git./config", ".git ./x", "GIT~1/config", "git~12/HEAD", ".Git/hooks/pre-commit", "sub/.gIt/x"],
)
def test_every_spelling_of_dot_git_is_refused(ws: Workspace, path: str) -> None:
    with pytest.raises(PathRefused, match=r"\.git"):
        ws.resolve(path)
    with pytest.raises(PathRefused):
        ws.propose(path, "[core]\n\thooksPath = /tmp/evil\n")


@pytest.mark.parametrize("path", [".github/workflows/ci.yml", ".gitignore", ".gitkeep", "git~x/a", "docs/.git-notes"])
def test_names_that_only_look_like_dot_git_are_fine(ws: Workspace, path: str) -> None:
    assert ws.resolve(path) == path


def test_listing_and_searching_leave_out_dot_git_spellings(ws: Workspace, git_repo: Path) -> None:
    (git_repo / ".GIT").mkdir()
    (git_repo / ".GIT" / "config").write_text("needle\n")
    (git_repo / "found.txt").write_text("needle\n")
    assert ".GIT/config" not in ws.list_files() and "found.txt" in ws.list_files()
    assert [hit[0] for hit in ws.grep("needle")] == ["found.txt"]


def test_a_stage_git_skips_is_an_error_and_nothing_is_written(
    ws: Workspace, git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_pair.workspace import WorkspaceError
    from backend_pair.workspace.gitrepo import GitRepository

    before = (git_repo / "app" / "main.py").read_text()
    ws.propose("app/main.py", before + "# more\n")
    real_update = GitRepository.update_index
    calls: list[int] = []

    def skipping(self: GitRepository, entries: dict[str, object]) -> None:
        calls.append(len(entries))
        if len(calls) > 1:  # the restore goes through
            real_update(self, entries)  # type: ignore[arg-type]

    monkeypatch.setattr(GitRepository, "update_index", skipping)
    with pytest.raises(WorkspaceError, match=r"git did not stage app/main\.py"):
        ws.accept_file("app/main.py")
    assert (git_repo / "app" / "main.py").read_text() == before
    assert ws.counts().staged_hunks == 0 and ws.counts().pending_hunks == 1


def test_a_hard_link_to_an_outside_file_is_read_but_never_written_through(
    ws: Workspace, git_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("outside\n")
    os.link(outside, git_repo / "linked.txt")
    assert ws.read_text("linked.txt") == "outside\n"  # as git would read it: paths are confined, not inodes
    ws.propose("linked.txt", "changed\n")
    ws.accept_file("linked.txt")
    assert (git_repo / "linked.txt").read_text() == "changed\n"
    assert outside.read_text() == "outside\n"  # the atomic write replaced the link; the outside file is untouched
