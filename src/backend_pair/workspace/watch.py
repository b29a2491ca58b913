"""Outside edits: watch the working tree with watchfiles and yield batches of changed repo-relative paths."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from backend_pair.workspace.errors import GitFailed
from backend_pair.workspace.gitrepo import GitRepository, open_repo

log = logging.getLogger(__name__)

DEBOUNCE_MS = 1600
"""Longest time one batch may gather changes (watchfiles' ``debounce``)."""

QUIET_MS = 50
"""A batch is yielded once no new change arrived for this long (watchfiles' ``step``)."""

POLL_DELAY_MS = 500
"""Polling interval when the system cannot watch the tree natively (watch limit reached)."""

_SKIPPED_SUFFIXES = (".bp-tmp",)
"""Our own temporary files (atomic writes) never count as changes."""

_DEFAULT_FILTER = DefaultFilter()
"""watchfiles' defaults: ``.git``, ``__pycache__``, ``node_modules``, editor swap and backup files, ``*.pyc``."""


def _keep(change: Change, path: str) -> bool:
    return _DEFAULT_FILTER(change, path) and ".git" not in Path(path).parts and not path.endswith(_SKIPPED_SUFFIXES)


def _relative(root: Path, paths: set[str]) -> set[str]:
    result = set()
    for path in paths:
        try:
            rel = Path(os.path.realpath(path) if os.path.exists(path) else path).relative_to(root)
        except ValueError:
            try:
                rel = Path(path).relative_to(root)
            except ValueError:
                continue
        text = rel.as_posix()
        if text != "." and not (root / rel).is_dir():
            result.add(text)
    return result


def _filter_ignored(git: GitRepository, paths: set[str]) -> set[str]:
    submodules = git.submodule_paths()
    kept = {p for p in paths if not any(p == s or p.startswith(s + "/") for s in submodules)}
    try:
        return kept - git.ignored(sorted(kept))
    except GitFailed:
        # One odd path fails the whole batch (``... is beyond a symbolic link`` once a folder became a symlink):
        # ask path by path and leave out the ones git cannot place in the tree.
        survivors = set()
        for path in kept:
            try:
                if not git.ignored([path]):
                    survivors.add(path)
            except GitFailed as err:
                log.info("watcher: %s left out (%s)", path, err)
        return survivors


async def watch_changes(root: Path, stop: asyncio.Event | None = None) -> AsyncIterator[set[str]]:
    """Yield sets of repo-relative paths changed on disk, until ``stop`` is set.

    ``.git/``, gitignored paths, submodule contents, folders and our own temporary files are left out; empty
    batches are not yielded. Changes are debounced: a batch is yielded after :data:`QUIET_MS` without new
    changes (at most :data:`DEBOUNCE_MS` after the first one). Feed each batch to ``Workspace.disk_changed``.
    If native watching fails (typically the inotify watch limit on a huge tree), it falls back to polling.

    Args:
        root: Any folder inside the working tree.
        stop: Set it to end the stream.

    Raises:
        NotARepository: ``root`` is not inside a working tree.
    """
    repo, top = open_repo(root)
    git = GitRepository(repo, top)
    polling = False
    try:
        while True:
            try:
                async for changes in awatch(
                    top,
                    watch_filter=_keep,
                    debounce=DEBOUNCE_MS,
                    step=QUIET_MS,
                    stop_event=stop,
                    force_polling=polling or None,
                    poll_delay_ms=POLL_DELAY_MS,
                ):
                    rels = _relative(top, {path for _change, path in changes})
                    kept = await asyncio.to_thread(_filter_ignored, git, rels) if rels else set()
                    if kept:
                        yield kept
                return
            except OSError:
                if polling:
                    raise
                # Usually the inotify watch limit on a big tree (virtualenvs, node_modules): poll instead.
                polling = True
    finally:
        git.close()
