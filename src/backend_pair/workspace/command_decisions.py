"""Decisions on a Bash command's changes (keep = stage, restore = write back) as undoable steps of the review.

A keep changed only the index, a restore only the disk. Undoing one puts that side back as a compare and swap: the
index entry (or the file's bytes) must still be what the decision left, otherwise nothing is changed and one line
says why, so a later edit of the developer's is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend_pair.workspace.atomic import atomic_write, current_bytes
from backend_pair.workspace.command_changes import CommandChange
from backend_pair.workspace.command_review import CommandReview
from backend_pair.workspace.decisions import Decision, DecisionKind
from backend_pair.workspace.errors import FileChangedUnderneath, UndoRefused
from backend_pair.workspace.feedback import FeedbackQueue
from backend_pair.workspace.gitrepo import GitRepository, IndexEntry
from backend_pair.workspace.model import command_key


def _bytes_json(data: bytes | None) -> str | None:
    return None if data is None else data.decode("latin-1")


def _bytes_from(data: Any) -> bytes | None:
    return None if data is None else str(data).encode("latin-1")


def _entry_json(entry: IndexEntry | None) -> list[str] | None:
    return None if entry is None else [entry.mode, entry.sha]


def _entry_from(data: Any) -> IndexEntry | None:
    return None if not data else IndexEntry(str(data[0]), str(data[1]))


def command_decision(
    git: GitRepository,
    commands: CommandReview,
    feedback: FeedbackQueue,
    path: str,
    kind: DecisionKind,
    hunk_ids: list[str] | None,
    act: Callable[[], object],
) -> Decision:
    """Run ``act`` (a keep or a restore of ``path``'s command change) and return it as a decision to undo later.

    Args:
        git: The repository.
        commands: The command changes under review.
        feedback: The feedback queue (the lines ``act`` queues are remembered, to withdraw them on undo).
        path: The file.
        kind: ``command_keep`` or ``command_restore``.
        hunk_ids: The hunks decided (None: all of the file's).
        act: The decision itself.
    """
    change = commands.changes.get(path)
    before = None if change is None else change.to_json()
    command = "" if change is None else change.command
    index_before = git.index_entries([path]).get(path)
    disk_before = current_bytes(git.root / path)
    queued = len(feedback.items)
    act()
    items = feedback.items[queued:]
    count = "every hunk" if hunk_ids is None else ("1 hunk" if len(hunk_ids) == 1 else f"{len(hunk_ids)} hunks")
    verb = "keeping" if kind is DecisionKind.COMMAND_KEEP else "restoring"
    return Decision(
        kind,
        f"{verb} {count} of {path} changed by Bash `{command}`",
        command_key(path),
        items=list(items),
        targets=[(command_key(path), list(hunk_ids or []))],
        command={
            "change": before,
            "index_before": _entry_json(index_before),
            "index_after": _entry_json(git.index_entries([path]).get(path)),
            "disk_before": _bytes_json(disk_before),
            "disk_after": _bytes_json(current_bytes(git.root / path)),
        },
    )


def undo_command_decision(
    git: GitRepository, commands: CommandReview, own_writes: dict[str, str | None], path: str, decision: Decision
) -> None:
    """Put back the index (keep) or the file (restore) as before ``decision``, and its change under review.

    Raises:
        UndoRefused: The index entry or the file changed since; nothing is changed.
    """
    data = decision.command
    if decision.kind is DecisionKind.COMMAND_KEEP:
        if git.index_entries([path]).get(path) != _entry_from(data.get("index_after")):
            raise UndoRefused(f"cannot undo {decision.label}: the staged {path} changed since; use git")
        git.update_index({path: _entry_from(data.get("index_before"))})
    else:
        before, after = _bytes_from(data.get("disk_before")), _bytes_from(data.get("disk_after"))
        target = git.root / path
        if current_bytes(target) != after:
            raise UndoRefused(f"cannot undo {decision.label}: {path} changed on disk since; nothing was written")
        try:
            if before is None:
                target.unlink(missing_ok=True)
            else:
                atomic_write(target, before, expected=after)
        except FileChangedUnderneath:
            raise UndoRefused(
                f"cannot undo {decision.label}: {path} changed on disk just now; nothing was written"
            ) from None
        own_writes[path] = None if before is None else before.decode("utf-8", "surrogateescape")
    saved = data.get("change")
    if isinstance(saved, dict):
        commands.changes[path] = CommandChange.from_json(saved)
