"""What runs in the background of the app: watching the disk for outside edits, and reporting a failure once.

Neither may end the app: a watcher that fails starts again (waiting longer each time), a batch of outside edits
that cannot be handled is dropped, and the developer hears of each kind of failure once, in one line, with the
details in the log file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from backend_pair.errors import BackendPairError
from backend_pair.logfile import current_log
from backend_pair.tui.app_port import Notifies
from backend_pair.untrusted import visible
from backend_pair.workspace.model import RebaseStatus

if TYPE_CHECKING:
    from backend_pair.workspace import Workspace

log = logging.getLogger(__name__)

WATCH_RETRY_FIRST = 0.5
"""Seconds before watching starts again after the watcher failed (doubling on each failure in a row)."""

WATCH_RETRY_MAX = 30.0
"""The longest wait between two attempts to watch again."""

DETAIL_CHARS = 200
"""The longest error detail a background failure's line quotes (the log has all of it)."""

DISK_TOAST_LINES = 3
"""The most lines the toast about outside edits lists (the review pane shows every file's state)."""

WatchChanges = Callable[[Path, asyncio.Event], AsyncIterator[set[str]]]
"""``backend_pair.workspace.watch.watch_changes``: batches of repo-relative paths changed on disk."""


class WatchHost(Notifies, Protocol):
    """What watching needs from the app."""

    async def background_failed(self, task: str, error: BaseException, then: str) -> None:
        """Report a background failure (once per task)."""
        ...

    async def snapshot_journal(self) -> None:
        """Journal proposals and checklist as they stand."""
        ...

    async def refresh_review(self) -> None:
        """Show the proposals as they stand."""
        ...


async def watch_disk(host: WatchHost, workspace: Workspace, stop: asyncio.Event) -> None:
    """Watch the working tree until ``stop`` is set, handing each batch of changed paths to :func:`disk_changed`."""
    # watchfiles and anyio are imported in a thread: the screen stays live while they load.
    watch_changes = await asyncio.to_thread(load_watch_changes)
    failures = 0
    while not stop.is_set():
        try:
            async for paths in watch_changes(workspace.root, stop):
                failures = 0
                await disk_changed(host, workspace, paths)
            return
        except asyncio.CancelledError:
            raise
        except Exception as err:
            # Whatever the file system or git throws (a folder swapped for a symlink, a vanished repository),
            # the app stays and watching starts again.
            failures += 1
            await host.background_failed("watching for outside edits", err, "watching again")
            await asyncio.sleep(min(WATCH_RETRY_MAX, WATCH_RETRY_FIRST * 2 ** (failures - 1)))


async def disk_changed(host: WatchHost, workspace: Workspace, paths: set[str]) -> None:
    """Rebase proposals on files changed outside the app, and say what happened to them.

    A batch that cannot be handled (any git or OS error) is reported once and dropped; watching goes on.
    """
    try:
        outcomes = await asyncio.to_thread(workspace.disk_changed, paths)
    except asyncio.CancelledError:
        raise
    except Exception as err:
        await host.background_failed("reading outside edits", err, "those edits were skipped")
        return
    said = [outcome for outcome in outcomes if outcome.status not in (RebaseStatus.UNCHANGED, RebaseStatus.REBASED)]
    if said:
        # One toast for the batch, replacing the last batch's: an editor saving five times is one toast.
        conflicted = any(outcome.status is RebaseStatus.CONFLICT for outcome in said)
        lines = list(dict.fromkeys(outcome.detail for outcome in said))
        if len(lines) > DISK_TOAST_LINES:
            lines = [*lines[: DISK_TOAST_LINES - 1], f"and {len(lines) - DISK_TOAST_LINES + 1} more files"]
        host.notify("\n".join(lines), severity="warning" if conflicted else "information", kind="disk")
    if outcomes:
        await host.snapshot_journal()
        await host.refresh_review()


class FailureLines:
    """The one line a background failure gets, once per task for the session (every one goes to the log)."""

    def __init__(self, root: Path) -> None:
        """Name the log file relative to ``root`` in the lines."""
        self._root = root
        self._said: set[str] = set()

    def line(self, task: str, error: BaseException, then: str) -> str | None:
        """Log the failure; the line to show, or None when this task's failure was already shown.

        Args:
            task: What was being done, e.g. ``"watching for outside edits"`` (also what "once" counts by).
            error: What went wrong.
            then: What happens next, e.g. ``"watching again"``.
        """
        detail = str(error) if isinstance(error, BackendPairError) else f"{type(error).__name__}: {error}"
        log.warning("%s failed (%s); %s", task, detail, then, exc_info=error)
        first_line = next((line.strip() for line in detail.splitlines() if line.strip()), type(error).__name__)
        detail = first_line if len(first_line) <= DETAIL_CHARS else first_line[: DETAIL_CHARS - 1] + "…"
        if task in self._said:
            return None
        self._said.add(task)
        where = current_log()
        if where is not None:
            then += f" (details in {_shown_path(where, self._root)})"
        return visible(f"{task} hit an error ({detail}); {then}", multiline=False)


def _shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the repository when it is inside it (``.git/backend-pair/...``), else as it is."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_watch_changes() -> WatchChanges:
    """Import the disk watcher, with the anyio backend that ``awatch`` would otherwise import on the event loop."""
    import importlib

    from backend_pair.workspace.watch import watch_changes

    # anyio's private backend module: imported here, in a thread, because ``awatch`` imports it on first use, on the
    # event loop. Guarded by tests/tui/test_tui_upstream_internals.py.
    importlib.import_module("anyio._backends._asyncio")

    return watch_changes
