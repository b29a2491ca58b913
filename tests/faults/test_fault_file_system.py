"""The developer's file system never stops the pair: a named pipe in the working tree, a folder reached through
an in-repo symlink, a tracked folder swapped for a symlink leading out. Real repositories, real files, the real
watcher feeding the real workspace."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from backend_pair.workspace import RebaseStatus, Workspace, open_workspace
from backend_pair.workspace.errors import FileRefused, WorkspaceError
from backend_pair.workspace.watch import watch_changes

SAFETY_TIMEOUT = 30.0
"""Only stops a broken test from hanging; nothing asserts on time."""

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes and symlinks")


@pytest.fixture
def ws(git_repo: Path) -> Iterator[Workspace]:
    workspace = open_workspace(git_repo)
    yield workspace
    workspace.close()


def _release(fifo: Path) -> None:
    """Open the pipe's writing end once, so a reader stuck in ``open`` (the bug under test) gets free."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


T = TypeVar("T")


async def _in_thread(call: Callable[[], T], fifo: Path) -> T:
    """Run ``call`` in a thread; if it is still stuck after the safety timeout, free it and fail."""
    task = asyncio.ensure_future(asyncio.to_thread(call))
    try:
        return await asyncio.wait_for(asyncio.shield(task), SAFETY_TIMEOUT)
    except TimeoutError:
        _release(fifo)
        await task
        pytest.fail("reading the working tree waited on a named pipe")


async def test_a_named_pipe_in_the_working_tree_never_holds_the_workspace(ws: Workspace, git_repo: Path) -> None:
    ws.propose("app/main.py", "def hello() -> str:\n    return 'proposed'\n")
    fifo = git_repo / "app" / "pipe"
    os.mkfifo(fifo)
    # An outside change batch naming the pipe: nothing to read in it, and the workspace stays free.
    outcomes = await _in_thread(lambda: ws.disk_changed({"app/pipe", "app/main.py"}), fifo)
    assert [(o.path, o.status) for o in outcomes] == [("app/main.py", RebaseStatus.UNCHANGED)]
    # The agent reading or proposing it gets one clear line instead of a hang.
    with pytest.raises(FileRefused, match="not a regular file"):
        await _in_thread(lambda: ws.read_text("app/pipe"), fifo)
    with pytest.raises(FileRefused, match="not a regular file"):
        await _in_thread(lambda: ws.propose("app/pipe", "text\n"), fifo)
    assert [p.path for p in ws.proposals()] == ["app/main.py"]


async def test_a_proposal_whose_file_became_a_named_pipe_is_kept(ws: Workspace, git_repo: Path) -> None:
    ws.propose("README.md", "# sample, proposed\n")
    (git_repo / "README.md").unlink()
    os.mkfifo(git_repo / "README.md")
    outcomes = await _in_thread(lambda: ws.disk_changed({"README.md"}), git_repo / "README.md")
    assert [(o.path, o.status) for o in outcomes] == [("README.md", RebaseStatus.UNCHANGED)]
    assert "not a regular file" in outcomes[0].detail
    assert [p.path for p in ws.proposals()] == ["README.md"]


def test_a_socket_or_a_symlink_loop_is_one_line_each(ws: Workspace, git_repo: Path) -> None:
    import socket

    (git_repo / "loop").symlink_to("loop")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(git_repo / "app" / "sock"))
        assert ws.disk_changed({"loop", "app/sock"}) == []
        for path, reason in (("app/sock", "cannot be read"), ("loop", "cannot be read")):
            with pytest.raises(FileRefused, match=reason):
                ws.read_text(path)


async def _watch_into(ws: Workspace, root: Path, wanted: set[str], action: Callable[[], None]) -> set[str]:
    """Feed the real watcher's batches to the workspace, as the app does, until ``wanted`` paths were seen."""
    stop = asyncio.Event()
    seen: set[str] = set()

    async def consume() -> None:
        async for batch in watch_changes(root, stop):
            await asyncio.to_thread(ws.disk_changed, batch)
            seen.update(batch)
            if wanted <= seen:
                stop.set()

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)  # let the watcher start; not a timing assertion
    await asyncio.to_thread(action)
    try:
        await asyncio.wait_for(task, SAFETY_TIMEOUT)
    finally:
        stop.set()
    return seen


def _commit(root: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True)


async def test_deleting_a_file_under_an_in_repo_symlinked_folder_keeps_watching(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "lib").mkdir()
    (git_repo / "lib" / "util.py").write_text("x = 1\n")
    (git_repo / "lib" / "other.py").write_text("y = 1\n")
    (git_repo / "alias").symlink_to("lib", target_is_directory=True)
    _commit(git_repo, "lib and its alias")
    ws.propose("lib/util.py", "x = 2\n")

    def delete_through_the_link() -> None:
        (git_repo / "alias" / "other.py").unlink()
        (git_repo / "alias" / "util.py").unlink()
        (git_repo / "after.txt").write_text("still watched\n")

    seen = await _watch_into(ws, git_repo, {"after.txt"}, delete_through_the_link)
    assert "after.txt" in seen
    # The proposal on the deleted file is kept and says so (never silently dropped, never re-created).
    (proposal,) = ws.proposals()
    assert (proposal.path, str(proposal.state)) == ("lib/util.py", "deleted_on_disk")
    assert not (git_repo / "lib" / "util.py").exists()


async def test_a_tracked_folder_swapped_for_a_symlink_leading_out_keeps_watching(
    ws: Workspace, git_repo: Path, tmp_path: Path
) -> None:
    (git_repo / "lib").mkdir()
    (git_repo / "lib" / "util.py").write_text("x = 1\n")
    _commit(git_repo, "lib")
    ws.propose("lib/util.py", "x = 2\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def swap() -> None:
        shutil.rmtree(git_repo / "lib")
        (git_repo / "lib").symlink_to(outside, target_is_directory=True)
        (outside / "util.py").write_text("x = 3\n")
        (git_repo / "lib" / "new.py").write_text("through the link\n")
        (git_repo / "after.txt").write_text("still watched\n")

    seen = await _watch_into(ws, git_repo, {"after.txt"}, swap)
    assert "after.txt" in seen
    assert not any(path.startswith("lib/") and path != "lib/util.py" for path in seen)
    # What lies outside is never read into the proposal, and accepting it is refused in one line.
    (proposal,) = ws.proposals()
    assert proposal.path == "lib/util.py"
    hunk = proposal.hunks[0]
    with pytest.raises(WorkspaceError, match="outside the repository"):
        ws.accept_hunk("lib/util.py", hunk.id)
    assert (outside / "util.py").read_text() == "x = 3\n"
