"""Accept is a compare and swap under concurrent writes, and a transaction a crash cannot leave half done."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend_pair.workspace import FileChangedUnderneath, Workspace, open_workspace
from tests.support import git

BODY = "".join(f"line {n}\n" for n in range(1, 61))
PROPOSED = (
    BODY.replace("line 3\n", "line 3 changed\n")
    .replace("line 18\n", "line 18 changed\n")
    .replace("line 33\n", "line 33 changed\n")
    .replace("line 48\n", "line 48 changed\n")
)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "log.txt").write_text(BODY)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "log")
    return git_repo


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    opened = open_workspace(repo)
    yield opened
    opened.close()


class Appender:
    """Appends a numbered line to a file every few milliseconds, like a log or a formatter's autosave."""

    def __init__(self, path: Path, interval: float = 0.005) -> None:
        self.path, self.interval = path, interval
        self.written: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            line = f"appended {n}\n"
            with self.path.open("a") as handle:
                handle.write(line)
            self.written.append(line)
            n += 1
            time.sleep(self.interval)

    def __enter__(self) -> Appender:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _until_done(action: Callable[[], object], tries: int = 50) -> int:
    """Run ``action`` until it is not refused for a changing file; how many refusals it took."""
    for refused in range(tries):
        try:
            action()
            return refused
        except FileChangedUnderneath:
            continue
    raise AssertionError("never accepted")


@pytest.mark.parametrize("operation", ["hunks", "file", "all", "undo"])
def test_no_appended_line_is_lost_whatever_accept_does(ws: Workspace, repo: Path, operation: str) -> None:
    path = repo / "log.txt"
    ws.propose("log.txt", PROPOSED)
    with Appender(path) as appender:
        time.sleep(0.03)
        if operation == "hunks":
            for _ in range(4):
                _until_done(lambda: ws.accept_hunk("log.txt", ws.proposals()[0].hunks[0].id))
        elif operation == "file":
            _until_done(lambda: ws.accept_file("log.txt"))
        elif operation == "all":
            _until_done(ws.accept_all)
        else:
            _until_done(lambda: ws.accept_file("log.txt"))
            _until_done(ws.undo_last_accept)
        time.sleep(0.03)
    text = path.read_text()
    assert [line for line in text.splitlines(keepends=True) if line.startswith("appended")] == appender.written
    changed = [f"line {n} changed" in text for n in (3, 18, 33, 48)]
    assert changed == [operation != "undo"] * 4
    staged = git(repo, "diff", "--cached")
    assert ("+line 3 changed" in staged) is (operation != "undo")
    assert "appended" not in staged  # only the hunks are staged, never the other writer's lines


STEPS = ["intent", "index", "write:log.txt", "done"]

CHILD = """
import os, sys
from pathlib import Path
from backend_pair.workspace import open_workspace, staging
root, step = Path(sys.argv[1]), sys.argv[2]
ws = open_workspace(root)
ws.propose("log.txt", sys.stdin.read())
staging.FAULT_HOOK = lambda name: os._exit(9) if name == step else None
ws.accept_file("log.txt")
os._exit(0)
"""


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_any_step_of_an_accept_disk_and_index_agree_after_recovery(repo: Path, step: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(repo), step], input=PROPOSED, text=True, capture_output=True, check=False
    )
    assert result.returncode == 9, result.stderr
    ws = open_workspace(repo)
    try:
        ws.recover_interrupted_accept()
        assert not (repo / ".git" / "backend-pair" / "accept-intent.json").exists()
        disk = (repo / "log.txt").read_text()
        staged = git(repo, "show", ":log.txt")
        assert disk == staged, "disk and index agree"
        assert disk in (BODY, PROPOSED)
        if step != "intent":
            assert disk == PROPOSED  # the index had the hunks: the write was finished, not lost
    finally:
        ws.close()


def test_recovery_never_overwrites_what_the_developer_wrote_since(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(repo), "index"], input=PROPOSED, text=True, capture_output=True, check=False
    )
    assert result.returncode == 9, result.stderr
    (repo / "log.txt").write_text(BODY + "mine\n")
    ws = open_workspace(repo)
    try:
        message = ws.recover_interrupted_accept()
        assert message is not None and "unstaged log.txt" in message
        assert (repo / "log.txt").read_text() == BODY + "mine\n"
        assert git(repo, "diff", "--cached") == ""
    finally:
        ws.close()
    assert os.path.exists(repo / "log.txt")


def test_a_write_landing_between_the_check_and_the_rename_is_carried_over(
    ws: Workspace, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one window a compare and swap leaves: the other writer appends after the check, before ``rename(2)``."""
    path = repo / "log.txt"
    ws.propose("log.txt", PROPOSED)
    real_replace = os.replace
    late: list[str] = []

    def replace_after_a_late_append(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == path and not late:
            late.append("appended in the window\n")
            with path.open("a") as handle:
                handle.write(late[0])
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_a_late_append)
    ws.accept_file("log.txt")
    text = path.read_text()
    assert text.endswith("appended in the window\n")
    assert "line 3 changed" in text
    assert "appended" not in git(repo, "diff", "--cached")
