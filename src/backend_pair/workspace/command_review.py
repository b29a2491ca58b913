"""Every change an approved Bash command makes goes through review: snapshot before, diff after, keep or restore.

The workspace owns one :class:`CommandReview` and calls it under its own lock. A command in flight is marked by a
small file in ``.git/backend-pair/`` holding the snapshot's tree id, so a command cut short by a crash (kill -9) is
still reviewable when backend-pair starts again.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_pair.workspace.atomic import atomic_write
from backend_pair.workspace.command_changes import CommandChange, is_text, plan_keep, plan_restore
from backend_pair.workspace.errors import GitFailed, HunkNotFound, WorkspaceError
from backend_pair.workspace.feedback import FeedbackQueue
from backend_pair.workspace.gitrepo import GitRepository
from backend_pair.workspace.hunks import Hunk
from backend_pair.workspace.model import FileProposal
from backend_pair.workspace.snapshot import PRIVATE_FOLDER, Snapshots, SnapshotSkipped, TreeChange
from backend_pair.workspace.staging import write_disk

RUNNING_MARKER = "running-command.json"
"""File in ``.git/backend-pair/`` naming the command in flight and the tree it started from."""

MAX_LISTED = 12
"""Paths named in a command's summary before ``(+N more)``."""


@dataclass(frozen=True)
class CommandStart:
    """The working tree just before a command ran."""

    command: str
    """The command."""
    tree: str
    """The snapshot's tree id."""
    ignored: frozenset[str] | None = None
    """Ignored files and folders present before (to summarise what the command did there); None if unknown."""


@dataclass(frozen=True)
class CommandReport:
    """What a command changed, for the model's tool result."""

    changed: tuple[str, ...]
    """Paths it changed (created, modified, deleted), now under review."""
    ignored: tuple[str, ...] = ()
    """Ignored files or folders it created or removed (summarised, never reviewed or staged)."""
    skipped: str = ""
    """Why the command's changes could not be captured, if they could not."""

    def summary(self) -> str:
        """One or two lines for the tool result."""
        lines = []
        if self.skipped:
            lines.append(f"Note: {self.skipped}.")
        if self.changed:
            shown = ", ".join(self.changed[:MAX_LISTED])
            more = f" (+{len(self.changed) - MAX_LISTED} more)" if len(self.changed) > MAX_LISTED else ""
            count = f"{len(self.changed)} file{'s' if len(self.changed) != 1 else ''}"
            lines.append(f"The command changed {count}: {shown}{more}; the developer will review those changes.")
        if self.ignored:
            shown = ", ".join(self.ignored[:MAX_LISTED])
            more = f" (+{len(self.ignored) - MAX_LISTED} more)" if len(self.ignored) > MAX_LISTED else ""
            lines.append(f"Ignored paths created or removed (not reviewed, not staged): {shown}{more}.")
        return "\n".join(lines)


class CommandReview:
    """The changes commands made that wait for the developer; not thread-safe (the workspace locks)."""

    def __init__(
        self,
        git: GitRepository,
        feedback: FeedbackQueue,
        own_writes: dict[str, str | None],
    ) -> None:
        """Share the workspace's repository, feedback queue and record of its own writes."""
        self._git = git
        self._root = git.root
        self.feedback = feedback
        """Where decisions are queued for the agent (the workspace's queue; replaced with it on resume)."""
        self._own_writes = own_writes
        self.snapshots = Snapshots(git)
        """Takes the working tree snapshots."""
        self.changes: dict[str, CommandChange] = {}
        """Path -> the change waiting for review."""
        self._marker = git.git_dir / PRIVATE_FOLDER / RUNNING_MARKER

    # Running a command -------------------------------------------------------------------------------------------

    def begin(self, command: str) -> CommandStart:
        """Snapshot the working tree before ``command`` runs and mark it as running.

        Raises:
            SnapshotSkipped: The tree cannot be snapshotted (the command may still run, unreviewed).
        """
        tree = self.snapshots.take()
        ignored = frozenset(self.snapshots.ignored_entries())
        self._marker.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self._marker, json.dumps({"command": command, "tree": tree}).encode("utf-8"))
        return CommandStart(command, tree, ignored)

    def finish(self, start: CommandStart) -> CommandReport:
        """Diff the tree against ``start`` and put what changed under review."""
        try:
            after = self.snapshots.take()
        except SnapshotSkipped as err:
            self._clear_marker()
            return CommandReport((), skipped=str(err))
        changes = self.snapshots.changes(start.tree, after)
        self._clear_marker()
        for change in changes:
            self._record(start.command, change)
        ignored: tuple[str, ...] = ()
        if start.ignored is not None:
            ignored = tuple(sorted(self.snapshots.ignored_entries().symmetric_difference(start.ignored)))
        return CommandReport(tuple(change.path for change in changes), ignored)

    def recover(self) -> CommandReport | None:
        """Put the changes of a command cut short (crash, kill -9) under review, if one was running."""
        try:
            data = json.loads(self._marker.read_text(encoding="utf-8"))
            command, tree = str(data["command"]), str(data["tree"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self._clear_marker()
            return None
        try:
            report = self.finish(CommandStart(f"{command} (interrupted)", tree))
        except GitFailed:
            self._clear_marker()
            return None
        return report

    def _clear_marker(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._marker.unlink()

    def _blob(self, sha: str | None) -> bytes | None:
        return None if sha is None else self._git.read_blob(sha)

    def _record(self, command: str, tree_change: TreeChange) -> None:
        path = tree_change.path
        after = self._blob(tree_change.after_sha)
        existing = self.changes.get(path)
        if existing is not None:
            existing.after, existing.after_mode, existing.command = after, tree_change.after_mode, command
            existing.text = is_text(existing.before) and is_text(after)
            change = existing
        else:
            before = self._blob(tree_change.before_sha)
            change = CommandChange(
                path,
                command,
                before,
                after,
                tree_change.before_mode,
                tree_change.after_mode,
                is_text(before) and is_text(after),
            )
            self.changes[path] = change
        if change.is_done():
            del self.changes[path]
        # The watcher will see this change too: it is the command's, not an outside edit.
        self._own_writes[path] = after.decode("utf-8", "surrogateescape") if after is not None else None

    # Decisions ---------------------------------------------------------------------------------------------------

    def _change(self, path: str) -> CommandChange:
        change = self.changes.get(path)
        if change is None:
            raise HunkNotFound(f"{path}: no pending change from a command")
        return change

    def hunk(self, path: str, hunk_id: str) -> Hunk:
        """A pending hunk of a command's change."""
        hunk = next((h for h in self._change(path).hunks() if h.id == hunk_id), None)
        if hunk is None:
            raise HunkNotFound(f"{path}: no pending change {hunk_id} from a command (decided already?)")
        return hunk

    def keep(self, path: str, hunk_ids: list[str] | None = None) -> int:
        """Stage the given hunks (all when None) as the command left them; the disk is not touched.

        Returns:
            How many hunks were kept.
        """
        change = self._change(path)
        wanted = None if hunk_ids is None else set(hunk_ids)
        kept = 0
        while True:
            pending = [h for h in change.hunks() if wanted is None or h.id in wanted]
            if not pending:
                break
            hunk = pending[0]
            if wanted is not None:
                wanted.discard(hunk.id)
            index = self._git.index_entries([path]).get(path)
            entry, new_before = plan_keep(self._git, change, hunk.id, index)
            self._git.update_index({path: entry})
            change.before = new_before
            if new_before == change.after:
                change.before_mode = change.after_mode
            kept += 1
        if kept:
            self.feedback.items.append(
                f"Kept and staged {kept} hunk(s) that your command `{change.command}` made in {path}."
            )
        if change.is_done():
            del self.changes[path]
        return kept

    def restore(self, path: str, hunk_id: str, comment: str = "") -> None:
        """Put one hunk back on disk as it was before the command, merging around the developer's later edits.

        Raises:
            UndoRefused: The developer edited those lines since; nothing is written.
        """
        change = self._change(path)
        hunk = self.hunk(path, hunk_id)
        target = self._root / path
        try:
            disk = target.read_bytes()
        except FileNotFoundError:
            disk = None
        write, new_after = plan_restore(self._git, change, hunk_id, disk)
        if write is None:
            write_disk(self._root, path, None)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, write)
        whole = not hunk.lines
        if whole and change.before_mode and write is not None:
            _set_executable(target, change.before_mode == "100755")
        change.after = new_after
        if whole:
            change.after_mode = change.before_mode
        self._own_writes[path] = write.decode("utf-8", "surrogateescape") if write is not None else None
        why = f' The developer says: "{comment.strip()}"' if comment.strip() else ""
        self.feedback.items.append(
            f"The developer restored {hunk.header} in {path}, which your command `{change.command}` had changed; "
            f"it is back as it was before the command.{why}"
        )
        if change.is_done():
            del self.changes[path]

    def restore_all(self, path: str, comment: str = "") -> None:
        """Restore every pending hunk of the command's change to ``path``."""
        while path in self.changes and self.changes[path].hunks():
            self.restore(path, self.changes[path].hunks()[0].id, comment)

    # Views and persistence ---------------------------------------------------------------------------------------

    def views(self) -> list[FileProposal]:
        """Every command change waiting for review, sorted by path."""
        return [self.changes[path].view() for path in sorted(self.changes)]

    def pending_hunks(self) -> int:
        """How many hunks wait for a decision."""
        return sum(len(change.hunks()) for change in self.changes.values())

    def to_json(self) -> list[dict[str, Any]]:
        """Plain data for the journal."""
        return [self.changes[path].to_json() for path in sorted(self.changes)]

    def restore_json(self, data: list[Any]) -> None:
        """Bring back saved changes (those recovered from a crash since are kept too).

        Raises:
            WorkspaceError: The data is damaged.
        """
        try:
            saved = [CommandChange.from_json(item) for item in data]
        except (AttributeError, KeyError, TypeError, ValueError, UnicodeEncodeError) as err:
            raise WorkspaceError(f"the saved command changes are damaged ({err})") from None
        for change in saved:
            self.changes.setdefault(change.path, change)


def _set_executable(path: Path, executable: bool) -> None:
    """Give execute permission where read permission is (as ``chmod +x`` under a usual umask), or take it away."""
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        bits = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        os.chmod(path, (mode | ((mode & 0o444) >> 2)) if executable else (mode & ~bits))
