"""Proposals as an overlay: reading, listing and searching see them; refusals happen at proposal time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backend_pair.workspace import (
    MAX_FILE_BYTES,
    FileNotFoundInRepo,
    FileRefused,
    FileState,
    Workspace,
    WorkspaceError,
)
from tests.support import GitRunner


def test_propose_never_touches_disk_and_reads_see_the_proposal(ws: Workspace, git_repo: Path) -> None:
    before = (git_repo / "app" / "main.py").read_bytes()
    proposal = ws.propose("app/main.py", "def hello() -> str:\n    return 'hi'\n")
    assert (git_repo / "app" / "main.py").read_bytes() == before
    assert ws.read_text("app/main.py") == "def hello() -> str:\n    return 'hi'\n"
    assert proposal.state is FileState.PENDING and not proposal.is_new
    assert proposal.base == before.decode()
    assert len(proposal.hunks) == 1
    assert [p.path for p in ws.proposals()] == ["app/main.py"]


def test_new_file_proposal_is_listed_and_exists(ws: Workspace, git_repo: Path) -> None:
    proposal = ws.propose("app/routes.py", "ROUTES = []\n")
    assert proposal.is_new and proposal.hunks[0].header == "@@ -0,0 +1,1 @@"
    assert not (git_repo / "app" / "routes.py").exists()
    assert ws.exists("app/routes.py")
    assert "app/routes.py" in ws.list_files()
    assert ws.read_text("app/routes.py") == "ROUTES = []\n"


def test_list_files_has_tracked_untracked_but_not_ignored(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    (git_repo / ".gitignore").write_text("build/\n*.log\n")
    (git_repo / "build").mkdir()
    (git_repo / "build" / "out.txt").write_text("x\n")
    (git_repo / "debug.log").write_text("x\n")
    (git_repo / "notes.md").write_text("x\n")
    (git_repo / "README.md").unlink()
    assert ws.list_files() == [".gitignore", "app/main.py", "notes.md"]


def test_same_content_leaves_no_proposal(ws: Workspace) -> None:
    proposal = ws.propose("app/main.py", ws.read_text("app/main.py"))
    assert proposal.hunks == ()
    assert ws.proposals() == []


def test_second_proposal_replaces_the_first(ws: Workspace) -> None:
    ws.propose("README.md", "# one\n")
    ws.propose("README.md", "# two\n")
    assert ws.read_text("README.md") == "# two\n"
    assert len(ws.proposals()) == 1


def test_missing_file(ws: Workspace) -> None:
    with pytest.raises(FileNotFoundInRepo, match=r"nope\.py"):
        ws.read_text("nope.py")
    assert not ws.exists("nope.py")


def test_binary_file_is_refused(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(FileRefused, match="binary"):
        ws.propose("logo.png", "text now\n")
    with pytest.raises(FileRefused, match="binary"):
        ws.read_text("logo.png")
    with pytest.raises(FileRefused, match="binary"):
        ws.propose("new.bin", "a\x00b")


def test_non_utf8_file_is_refused_naming_the_encoding(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "latin.txt").write_bytes("café\n".encode("latin-1"))
    with pytest.raises(FileRefused, match=r"not valid UTF-8 \(utf-8 codec failed on byte 0xe9 at offset 3\)"):
        ws.propose("latin.txt", "cafe\n")
    (git_repo / "wide.txt").write_bytes("hi\n".encode("utf-16"))
    with pytest.raises(FileRefused, match="UTF-16"):
        ws.read_text("wide.txt")


def test_too_large_file_is_refused_naming_the_limit(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "big.txt").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(FileRefused, match="2 MiB limit"):
        ws.read_text("big.txt")
    with pytest.raises(FileRefused, match="2 MiB limit"):
        ws.propose("other.txt", "y" * (MAX_FILE_BYTES + 1))


def test_gitignored_file_is_refused_but_tracked_ignored_is_fine(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    (git_repo / ".gitignore").write_text(".env\n*.cfg\n")
    with pytest.raises(FileRefused, match="ignored by git"):
        ws.propose(".env", "SECRET=1\n")
    (git_repo / "keep.cfg").write_text("a\n")
    git("add", "-f", "keep.cfg")
    assert ws.propose("keep.cfg", "b\n").hunks


def test_submodule_contents_are_not_listed_or_proposed(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    sub = git_repo.parent / "sub"
    sub.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=sub, check=True)
    (sub / "lib.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "-A"], cwd=sub, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "lib"], cwd=sub, check=True)
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    files = ws.list_files()
    assert "vendor/sub" not in files and "vendor/sub/lib.py" not in files
    with pytest.raises(FileRefused, match="submodule"):
        ws.propose("vendor/sub/lib.py", "x = 2\n")
    assert all(not hit[0].startswith("vendor/") for hit in ws.grep("x = 1"))


def test_folder_is_refused(ws: Workspace) -> None:
    with pytest.raises(FileRefused, match="folder"):
        ws.propose("app", "x\n")


def test_grep_sees_overlay_untracked_and_skips_ignored(ws: Workspace, git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("*.log\n")
    (git_repo / "untracked.py").write_text("def hello_again():\n    pass\n")
    (git_repo / "skip.log").write_text("hello\n")
    ws.propose("app/main.py", "def hello() -> str:\n    return 'HELLO proposed'\n")
    ws.propose("app/new.py", "hello = 1\n")
    hits = ws.grep("hello", ignore_case=True)
    assert hits == [
        ("app/main.py", 1, "def hello() -> str:"),
        ("app/main.py", 2, "    return 'HELLO proposed'"),
        ("app/new.py", 1, "hello = 1"),
        ("untracked.py", 1, "def hello_again():"),
    ]
    assert ws.grep("HELLO") == [("app/main.py", 2, "    return 'HELLO proposed'")]


def test_grep_path_and_glob(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "docs").mkdir()
    (git_repo / "docs" / "a.md").write_text("needle\n")
    (git_repo / "docs" / "b.txt").write_text("needle\n")
    (git_repo / "c.md").write_text("needle\n")
    assert [h[0] for h in ws.grep("needle", glob="*.md")] == ["c.md", "docs/a.md"]
    assert [h[0] for h in ws.grep("needle", path="docs")] == ["docs/a.md", "docs/b.txt"]
    assert [h[0] for h in ws.grep("needle", path="docs", glob="*.{md,txt}")] == ["docs/a.md", "docs/b.txt"]
    assert [h[0] for h in ws.grep("needle", path="docs/b.txt")] == ["docs/b.txt"]
    assert ws.grep("nothing-matches-this") == []


def test_grep_bad_pattern_is_one_line_error(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError) as info:
        ws.grep("(unclosed")
    assert "\n" not in str(info.value)


def test_paths_with_spaces_and_non_ascii(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    folder = git_repo / "my docs"
    folder.mkdir()
    (folder / "café notes.md").write_text("old\n")
    git("add", "-A")
    git("commit", "-qm", "names")
    assert "my docs/café notes.md" in ws.list_files()
    proposal = ws.propose("my docs/café notes.md", "new\n")
    ws.accept_hunk(proposal.path, proposal.hunks[0].id)
    assert (folder / "café notes.md").read_text() == "new\n"
    assert git("diff", "--cached", "--name-only", "-z").split("\0")[0] == "my docs/café notes.md"
    assert ws.grep("new", path="my docs") == [("my docs/café notes.md", 1, "new")]


def test_file_in_place_of_a_folder_is_refused(ws: Workspace) -> None:
    with pytest.raises(FileRefused, match=r"README\.md is a file"):
        ws.propose("README.md/inner.py", "x = 1\n")


def test_filtered_file_is_refused(ws: Workspace, git_repo: Path) -> None:
    (git_repo / ".gitattributes").write_text("*.csv filter=lfs diff=lfs merge=lfs -text\n")
    with pytest.raises(FileRefused, match="git filter 'lfs'"):
        ws.propose("data.csv", "a,b\n")
    assert ws.propose("notes.txt", "fine\n").hunks
