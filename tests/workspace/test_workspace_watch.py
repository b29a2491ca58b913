"""Watching real files: batches of repo-relative paths, .git/ and ignored paths left out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from watchfiles import Change

from backend_pair.workspace import RebaseStatus, Workspace, watch
from backend_pair.workspace.watch import watch_changes

SAFETY_TIMEOUT = 30.0
"""Only stops a broken test from hanging; nothing asserts on time."""


async def _collect_until(root: Path, wanted: set[str], action: Callable[[], None]) -> set[str]:
    stop = asyncio.Event()
    seen: set[str] = set()
    ready = asyncio.Event()

    async def consume() -> None:
        stream = watch_changes(root, stop)
        ready.set()
        async for batch in stream:
            seen.update(batch)
            if wanted <= seen:
                stop.set()

    task = asyncio.create_task(consume())
    await ready.wait()
    await asyncio.sleep(0.3)  # let the watcher start; not a timing assertion
    action()
    await asyncio.wait_for(task, SAFETY_TIMEOUT)
    return seen


async def test_outside_edits_arrive_as_repo_relative_paths(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("*.log\n")

    def edit() -> None:
        (git_repo / "debug.log").write_text("ignored\n")
        (git_repo / ".git" / "scratch").write_text("inside .git\n")
        (git_repo / "app" / "main.py").write_text("def hello() -> str:\n    return 'edited'\n")
        (git_repo / "with space é.txt").write_text("new\n")

    seen = await _collect_until(git_repo, {"app/main.py", "with space é.txt"}, edit)
    assert "debug.log" not in seen
    assert not any(path.startswith(".git") for path in seen)


async def test_watch_feeds_a_rebase(git_repo: Path, ws: Workspace) -> None:
    original = (git_repo / "app" / "main.py").read_text()
    ws.propose("app/main.py", original + "\n\ndef bye() -> str:\n    return 'bye'\n")

    def edit() -> None:
        (git_repo / "app" / "main.py").write_text("# header from the developer\n" + original)

    seen = await _collect_until(git_repo, {"app/main.py"}, edit)
    outcomes = await asyncio.to_thread(ws.disk_changed, seen)
    assert [o.status for o in outcomes] == [RebaseStatus.REBASED]
    assert ws.read_text("app/main.py").startswith("# header from the developer\n")
    assert ws.read_text("app/main.py").endswith("return 'bye'\n")


async def test_falls_back_to_polling_when_native_watching_fails(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    async def fake_awatch(*paths: object, **options: object) -> AsyncIterator[set[tuple[Change, str]]]:
        calls.append(options.get("force_polling"))
        if len(calls) == 1:
            raise OSError("OS file watch limit reached")
        yield {(Change.modified, str(git_repo / "README.md"))}

    monkeypatch.setattr(watch, "awatch", fake_awatch)
    batches = [batch async for batch in watch.watch_changes(git_repo)]
    assert batches == [{"README.md"}]
    assert calls == [None, True]


async def test_stop_ends_a_quiet_stream(git_repo: Path) -> None:
    stop = asyncio.Event()
    batches: list[set[str]] = []

    async def consume() -> None:
        async for batch in watch_changes(git_repo, stop):
            batches.append(batch)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, SAFETY_TIMEOUT)
    assert batches == []


async def test_a_folder_swapped_for_a_symlink_leading_out_does_not_end_the_watch(
    git_repo: Path, tmp_path: Path
) -> None:
    import shutil
    import subprocess

    (git_repo / "lib").mkdir()
    (git_repo / "lib" / "util.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "-A"], cwd=git_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "lib"], cwd=git_repo, check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "util.py").write_text("x = 2\n")

    def swap_then_edit() -> None:
        shutil.rmtree(git_repo / "lib")
        (git_repo / "lib").symlink_to(outside, target_is_directory=True)
        (outside / "util.py").write_text("x = 3\n")
        (git_repo / "lib" / "new.py").write_text("through the link\n")
        (git_repo / "after.txt").write_text("still watched\n")

    seen = await _collect_until(git_repo, {"after.txt"}, swap_then_edit)
    assert "after.txt" in seen


def test_filtering_survives_a_path_git_cannot_place(git_repo: Path, tmp_path: Path) -> None:
    from backend_pair.workspace.gitrepo import GitRepository, open_repo
    from backend_pair.workspace.watch import _filter_ignored

    (tmp_path / "out").mkdir()
    (git_repo / "linked").symlink_to(tmp_path / "out", target_is_directory=True)
    (git_repo / "ok.txt").write_text("x\n")
    repo, top = open_repo(git_repo)
    git = GitRepository(repo, top)
    try:
        assert _filter_ignored(git, {"ok.txt", "linked/x.py"}) == {"ok.txt"}
    finally:
        git.close()
