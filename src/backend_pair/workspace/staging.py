"""Accepting hunks: compute the new disk text and the new index blob (index + exactly those hunks), then write both."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_pair.workspace.atomic import atomic_write
from backend_pair.workspace.errors import FileRefused, WorkspaceError
from backend_pair.workspace.gitrepo import GitRepository, IndexEntry
from backend_pair.workspace.hunks import Edit, apply_edits, map_edits
from backend_pair.workspace.textfile import decode_text, detect_eol, normalize, split_lines


@dataclass
class FileChange:
    """What one accept did to one file, with what is needed to undo it."""

    path: str
    """Repo-relative path."""
    disk_before: str | None
    """Disk content before (raw endings); None when the file did not exist."""
    disk_after: str | None
    """Disk content after; None when the file is removed (only when undoing a new file)."""
    index_before: IndexEntry | None
    """Index entry before; None when the path was not in the index."""
    index_after: IndexEntry | None
    """Index entry after; None when the path is removed from the index."""
    hunks: int = 0
    """How many hunks this change accepted."""
    proposal: dict[str, Any] | None = None
    """The proposal as it was just before (journal form), to bring it back on undo."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {
            "path": self.path,
            "disk_before": self.disk_before,
            "disk_after": self.disk_after,
            "index_before": _entry_json(self.index_before),
            "index_after": _entry_json(self.index_after),
            "hunks": self.hunks,
            "proposal": self.proposal,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileChange:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            path=str(data["path"]),
            disk_before=data.get("disk_before"),
            disk_after=data.get("disk_after"),
            index_before=_entry_from(data.get("index_before")),
            index_after=_entry_from(data.get("index_after")),
            hunks=int(data.get("hunks", 0)),
            proposal=data.get("proposal"),
        )


@dataclass
class AcceptRecord:
    """One accept action (a hunk, a file, or everything), the unit of undo."""

    label: str
    """What was accepted, for the developer (``2 hunks in app/main.py``)."""
    files: list[FileChange] = field(default_factory=list)
    """Per-file changes."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {"label": self.label, "files": [change.to_json() for change in self.files]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcceptRecord:
        """Rebuild from :meth:`to_json` output."""
        return cls(str(data["label"]), [FileChange.from_json(item) for item in data.get("files", [])])


def _entry_json(entry: IndexEntry | None) -> list[str] | None:
    return None if entry is None else [entry.mode, entry.sha]


def _entry_from(data: Any) -> IndexEntry | None:
    return None if not data else IndexEntry(str(data[0]), str(data[1]))


@dataclass(frozen=True)
class AcceptPlan:
    """Hunks of one file to accept, in the coordinates of ``base_raw`` (the disk content they were made against)."""

    path: str
    base_raw: str | None
    edits: tuple[Edit, ...]
    eol: str
    hunks: int


def encode(text: str, rel: str) -> bytes:
    """UTF-8 bytes of ``text``, refusing lone surrogates with a clear message."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise FileRefused(f"{rel}: text cannot be encoded as UTF-8 ({err.reason} at offset {err.start})") from None


def _file_mode(path: Path) -> str:
    try:
        return "100755" if os.stat(path).st_mode & 0o111 else "100644"
    except OSError:
        return "100644"


def _new_index_text(git: GitRepository, plan: AcceptPlan, entry: IndexEntry | None, new_disk: str) -> str:
    if entry is None or plan.base_raw is None:
        return new_disk
    try:
        index_raw = decode_text(plan.path, git.read_blob(entry.sha))
    except FileRefused as err:
        raise FileRefused(f"staged version of {err}") from None
    if index_raw == plan.base_raw:
        return new_disk
    mapped = map_edits(plan.edits, split_lines(normalize(plan.base_raw)), split_lines(normalize(index_raw)))
    return "".join(apply_edits(split_lines(index_raw), mapped, detect_eol(index_raw)))


def write_disk(root: Path, rel: str, text: str | None) -> None:
    """Write (or, for None, remove) a working tree file atomically."""
    target = root / rel
    if text is None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return
    atomic_write(target, encode(text, rel))


def apply_changes(git: GitRepository, root: Path, changes: Sequence[FileChange]) -> None:
    """Stage then write: one index update for all files, then one atomic write per file.

    The index goes first because it is the step that can be refused (a held ``index.lock``); if a disk write fails
    afterwards, the index entries are put back so nothing is left half-done.

    Raises:
        IndexLocked: The index stayed locked; nothing was written.
        WorkspaceError: A disk write failed; the index was restored.
    """
    git.update_index({change.path: change.index_after for change in changes})
    written: list[FileChange] = []
    try:
        for change in changes:
            write_disk(root, change.path, change.disk_after)
            written.append(change)
    except OSError as err:
        for done in written:
            with contextlib.suppress(OSError):
                write_disk(root, done.path, done.disk_before)
        git.update_index({change.path: change.index_before for change in changes})
        reason = err.strerror or str(err)
        raise WorkspaceError(f"could not write {root / change.path}: {reason}; nothing was staged") from None


def accept_plans(git: GitRepository, root: Path, plans: Sequence[AcceptPlan]) -> list[FileChange]:
    """Apply each plan's hunks to disk and stage exactly those hunks.

    The new index blob is the current index content with the same hunks carried over (the developer's unstaged
    edits in the file stay unstaged); a file not yet in the index (new, or untracked) is added whole.

    Args:
        git: The repository.
        root: Working tree root.
        plans: One plan per file.

    Returns:
        The changes made, for undo.
    """
    index = git.index_entries([plan.path for plan in plans])
    disk_texts, staged_texts = [], []
    for plan in plans:
        new_disk = "".join(apply_edits(split_lines(plan.base_raw or ""), plan.edits, plan.eol))
        disk_texts.append(new_disk)
        staged_texts.append(encode(_new_index_text(git, plan, index.get(plan.path), new_disk), plan.path))
    shas = git.write_blobs(staged_texts)
    changes = []
    for plan, new_disk, sha in zip(plans, disk_texts, shas, strict=True):
        entry = index.get(plan.path)
        mode = entry.mode if entry is not None else _file_mode(root / plan.path)
        changes.append(FileChange(plan.path, plan.base_raw, new_disk, entry, IndexEntry(mode, sha), hunks=plan.hunks))
    apply_changes(git, root, changes)
    return changes
