"""Accepting hunks: compute the new disk text and the new index blob (index + exactly those hunks), then write both."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_pair.workspace.atomic import ANYTHING, _Anything, atomic_write, current_bytes
from backend_pair.workspace.errors import FileChangedUnderneath, FileRefused, WorkspaceError
from backend_pair.workspace.gitrepo import GitRepository, IndexEntry
from backend_pair.workspace.hunks import Edit, apply_edits, map_edits
from backend_pair.workspace.merge3 import merge3
from backend_pair.workspace.textfile import decode_text, detect_eol, normalize, split_lines

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileChange:
    """One file's change in an accept (or an undo): disk text and index entry, before and after."""

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
    disk_planned: str | None = None
    """What was meant to be written, when another writer's lines were merged into ``disk_after`` as it was written."""


@dataclass(frozen=True)
class AcceptedFile:
    """What an accept did to one file, kept for undo; texts are blob ids, so the history stays small."""

    path: str
    """Repo-relative path."""
    disk_before: str | None
    """Blob id of the disk content before; None when the file did not exist."""
    disk_after: str
    """Blob id of the disk content written."""
    index_before: IndexEntry | None
    """Index entry before; None when the path was not in the index."""
    index_after: IndexEntry
    """Index entry staged."""
    hunks: int
    """How many hunks were accepted."""
    eol: str = "\n"
    """The file's line ending, to rebuild the proposal on undo."""
    accepted_before: int = 0
    """Hunks of this proposal accepted before this step."""
    was_deleted: bool = False
    """Whether the proposal was a recreation of a file deleted on disk."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {
            "path": self.path,
            "disk_before": self.disk_before,
            "disk_after": self.disk_after,
            "index_before": _entry_json(self.index_before),
            "index_after": _entry_json(self.index_after),
            "hunks": self.hunks,
            "eol": self.eol,
            "accepted_before": self.accepted_before,
            "was_deleted": self.was_deleted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcceptedFile:
        """Rebuild from :meth:`to_json` output."""
        index_after = _entry_from(data.get("index_after"))
        if index_after is None:
            raise ValueError("accepted file without an index entry")
        return cls(
            path=str(data["path"]),
            disk_before=data.get("disk_before"),
            disk_after=str(data["disk_after"]),
            index_before=_entry_from(data.get("index_before")),
            index_after=index_after,
            hunks=int(data.get("hunks", 0)),
            eol=str(data.get("eol", "\n")),
            accepted_before=int(data.get("accepted_before", 0)),
            was_deleted=bool(data.get("was_deleted", False)),
        )


@dataclass
class AcceptRecord:
    """One accept action (a hunk, a file, or everything), the unit of undo."""

    label: str
    """What was accepted, for the developer (``2 hunks in app/main.py``)."""
    files: list[AcceptedFile] = field(default_factory=list)
    """Per-file changes."""
    head: str | None = None
    """The commit HEAD pointed at when accepting: after a commit, undo is refused (the hunks are history)."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {"label": self.label, "files": [change.to_json() for change in self.files], "head": self.head}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcceptRecord:
        """Rebuild from :meth:`to_json` output."""
        files = [AcceptedFile.from_json(item) for item in data.get("files", [])]
        return cls(str(data["label"]), files, data.get("head"))


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
    accepted_before: int = 0
    was_deleted: bool = False


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


class _BlobBatch:
    """Blobs to write in one call, each distinct content once (the staged text usually equals the disk text)."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self._where: dict[bytes, int] = {}

    def add(self, text: str, plan: AcceptPlan) -> int:
        data = encode(text, plan.path)
        if data not in self._where:
            self._where[data] = len(self.data)
            self.data.append(data)
        return self._where[data]


def _new_index_text(git: GitRepository, plan: AcceptPlan, entry: IndexEntry | None, new_disk: str) -> tuple[str, bool]:
    """The staged content after the accept, and whether the index held exactly the disk content before."""
    if entry is None or plan.base_raw is None:
        return new_disk, False
    try:
        index_raw = decode_text(plan.path, git.read_blob(entry.sha))
    except FileRefused as err:
        raise FileRefused(f"staged version of {err}") from None
    if index_raw == plan.base_raw:
        return new_disk, True
    mapped = map_edits(plan.edits, split_lines(normalize(plan.base_raw)), split_lines(normalize(index_raw)))
    return "".join(apply_edits(split_lines(index_raw), mapped, detect_eol(index_raw))), False


MERGE_ATTEMPTS = 20
"""Last-moment merges a conditional write tries while another writer keeps changing the file."""


def write_disk(root: Path, rel: str, text: str | None, expected: str | _Anything | None = ANYTHING) -> str | None:
    """Write (or, for None, remove) a working tree file atomically; returns what was written.

    With ``expected`` the write is a compare and swap: when the file no longer holds ``expected`` (another writer
    got there first), our change is merged onto its bytes in-process (:func:`merge3`) and tried again, so the
    other writer's lines are kept; when the two changes touch, nothing is written.

    Args:
        root: Working tree root.
        rel: Repo-relative path.
        text: The new content; None removes the file.
        expected: The content ``text`` was made from (None: the file did not exist).

    Returns:
        The content written (``text``, or it merged with what another writer added), None when removed.

    Raises:
        FileChangedUnderneath: ``expected`` was given and the file changed in a way that cannot be merged.
    """
    target = root / rel
    if isinstance(expected, _Anything):
        _replace(root, rel, text, ANYTHING)
        return text
    for _attempt in range(MERGE_ATTEMPTS):
        now = current_bytes(target)
        want = None if expected is None else encode(expected, rel)
        if now != want:
            if now is None or expected is None or text is None:
                break
            try:
                now_text = now.decode("utf-8")
            except UnicodeDecodeError:
                break
            merged = merge3(expected, now_text, text)
            if merged is None:
                break
            expected, text, want = now_text, merged, now
        try:
            late = _replace(root, rel, text, want)
        except FileChangedUnderneath:
            continue
        if late is None or text is None or expected is None:
            return text
        # Another writer wrote to the file around the rename: the old file has its bytes. Carry them over.
        carried = _carry_over(rel, expected, late, text)
        if carried is None:
            return text
        expected, text = text, carried
    raise FileChangedUnderneath(f"{rel} changed on disk where the change goes; nothing was written")


def _carry_over(rel: str, before: str, late: bytes, written: str) -> str | None:
    """``written`` plus what another writer added to the replaced file (``before`` -> ``late``); None: nothing new."""
    try:
        late_text = late.decode("utf-8")
    except UnicodeDecodeError:
        late_text = None
    merged = None if late_text is None else merge3(before, late_text, written)
    if merged is None:
        log.warning(
            "%s: another writer's bytes (%d) reached the file as it was replaced and could not be merged",
            rel,
            len(late),
        )
        return None
    return merged if merged != written else None


def _replace(root: Path, rel: str, text: str | None, expected: bytes | _Anything | None) -> bytes | None:
    target = root / rel
    if text is None:
        if not isinstance(expected, _Anything) and current_bytes(target) != expected:
            raise FileChangedUnderneath(f"{rel} changed on disk while it was being removed; nothing was removed")
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        # Like git, leave no empty folders behind (those the accept created for a new file).
        parent = target.parent
        while parent != root and parent.is_relative_to(root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return None
    return atomic_write(target, encode(text, rel), expected)


FaultHook = Callable[[str], None]
"""Called with the name of each step of :func:`apply_changes` (tests kill the process there); None in use."""

FAULT_HOOK: FaultHook | None = None
"""Only tests set it (to stop the process between two steps); the app never does."""

INTENT_FILE = "accept-intent.json"
"""In ``.git/backend-pair/``: what an accept (or undo) is about to do, until it is done."""


def _step(name: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(name)


def _intent_path(git: GitRepository) -> Path:
    return git.git_dir / "backend-pair" / INTENT_FILE


def _write_intent(git: GitRepository, changes: Sequence[FileChange]) -> None:
    record = [
        {
            "path": change.path,
            "disk_before": change.disk_before,
            "disk_after": change.disk_after,
            "index_before": _entry_json(change.index_before),
            "index_after": _entry_json(change.index_after),
        }
        for change in changes
    ]
    path = _intent_path(git)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(record).encode("utf-8"))


def _clear_intent(git: GitRepository) -> None:
    with contextlib.suppress(FileNotFoundError):
        _intent_path(git).unlink()


def apply_changes(git: GitRepository, root: Path, changes: Sequence[FileChange]) -> list[FileChange]:
    """Stage then write, as one transaction: an intent record, one index update, then one atomic write per file.

    Each write is a compare and swap (:func:`write_disk`): when another writer changed a file meanwhile, the change
    is merged onto its bytes at the last moment, keeping the other writer's lines; where the two touch, everything
    is put back and :class:`FileChangedUnderneath` says so, so the caller can rebase and try again. The intent
    record (``.git/backend-pair/accept-intent.json``) is written before anything else and removed when all is
    done: a crash in between is finished or rolled back by :func:`recover_interrupted` at the next start, so disk
    and index agree.

    Returns:
        The changes as made: ``disk_after`` is what was written (with another writer's lines merged in).

    Raises:
        IndexLocked: The index stayed locked; nothing was written.
        FileChangedUnderneath: A file changed on disk where the change goes; nothing was written or staged.
        WorkspaceError: Git did not stage what was asked (it may skip a path silently and still exit 0), or a disk
            write failed; the index was restored and nothing was written.
    """
    _write_intent(git, changes)
    _step("intent")
    try:
        git.update_index({change.path: change.index_after for change in changes})
        _step("index")
        staged = git.index_entries([change.path for change in changes])
        skipped = [change.path for change in changes if staged.get(change.path) != change.index_after]
        if skipped:
            git.update_index({change.path: change.index_before for change in changes})
            raise WorkspaceError(
                f"git did not stage {', '.join(skipped)} (it skipped the path without an error); nothing was written"
            )
        written: list[FileChange] = []
        try:
            for change in changes:
                actual = write_disk(root, change.path, change.disk_after, expected=change.disk_before)
                merged = actual != change.disk_after
                written.append(
                    dataclasses.replace(change, disk_after=actual, disk_planned=change.disk_after if merged else None)
                )
                _step(f"write:{change.path}")
        except (OSError, FileChangedUnderneath) as err:
            for done in written:
                with contextlib.suppress(OSError, FileChangedUnderneath):
                    write_disk(root, done.path, done.disk_before, expected=done.disk_after)
            git.update_index({change.path: change.index_before for change in changes})
            if isinstance(err, FileChangedUnderneath):
                raise
            reason = err.strerror or str(err)
            raise WorkspaceError(f"could not write {root / change.path}: {reason}; nothing was staged") from None
    except BaseException:
        _clear_intent(git)
        raise
    _clear_intent(git)
    _step("done")
    return written


def recover_interrupted(git: GitRepository, root: Path) -> str | None:
    """Finish or roll back an accept (or undo) a crash cut short, so that disk and index agree again.

    A file whose index entry was updated but whose new content was not written yet gets it (if the file still
    holds what the accept read); where the developer changed the file since, the index goes back instead. Nothing
    the developer wrote is overwritten.

    Returns:
        One line saying what was done, or None when no accept was interrupted.
    """
    path = _intent_path(git)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        _clear_intent(git)
        return "an interrupted accept left an unreadable record; it was dropped (check git status)"
    finished, rolled_back = [], []
    for item in record if isinstance(record, list) else []:
        try:
            rel = str(item["path"])
            before, after = item.get("disk_before"), item.get("disk_after")
            index_before, index_after = _entry_from(item.get("index_before")), _entry_from(item.get("index_after"))
        except (KeyError, TypeError):
            continue
        index_now = git.index_entries([rel]).get(rel)
        disk_now = current_bytes(root / rel)
        want_before = None if before is None else encode(before, rel)
        want_after = None if after is None else encode(after, rel)
        if index_now == index_after and disk_now == want_after:
            continue
        if index_now == index_after and disk_now == want_before:
            write_disk(root, rel, after, expected=before)
            finished.append(rel)
        elif index_now == index_after:
            git.update_index({rel: index_before})
            rolled_back.append(rel)
    _clear_intent(git)
    parts = []
    if finished:
        parts.append(f"finished writing {', '.join(finished)}")
    if rolled_back:
        parts.append(f"unstaged {', '.join(rolled_back)} (changed on disk since)")
    return f"an accept cut short by a crash was repaired: {'; '.join(parts)}" if parts else None


def accept_plans(
    git: GitRepository, root: Path, plans: Sequence[AcceptPlan]
) -> tuple[list[FileChange], list[AcceptedFile]]:
    """Apply each plan's hunks to disk and stage exactly those hunks.

    The new index blob is the current index content with the same hunks carried over (the developer's unstaged
    edits in the file stay unstaged); a file not yet in the index (new, or untracked) is added whole. All blobs
    (staged contents, and the disk texts kept for undo) are written with one ``git hash-object`` call, the index
    with one ``git update-index`` call, then each file once.

    Args:
        git: The repository.
        root: Working tree root.
        plans: One plan per file.

    Returns:
        The changes made, and the same as compact undo records.
    """
    index = git.index_entries([plan.path for plan in plans])
    disk_texts: list[str] = []
    blobs = _BlobBatch()
    wanted: list[tuple[int, int, int | str]] = []  # per plan: staged, disk after, disk before (id known or to write)
    for plan in plans:
        entry = index.get(plan.path)
        new_disk = "".join(apply_edits(split_lines(plan.base_raw or ""), plan.edits, plan.eol))
        disk_texts.append(new_disk)
        staged_text, index_is_base = _new_index_text(git, plan, entry, new_disk)
        before: int | str = entry.sha if entry is not None and index_is_base else blobs.add(plan.base_raw or "", plan)
        wanted.append((blobs.add(staged_text, plan), blobs.add(new_disk, plan), before))
    shas = git.write_blobs(blobs.data)
    changes, accepted = [], []
    for plan, new_disk, (staged_at, after_at, before_at) in zip(plans, disk_texts, wanted, strict=True):
        staged_sha, after_sha = shas[staged_at], shas[after_at]
        before_sha = before_at if isinstance(before_at, str) else shas[before_at]
        entry = index.get(plan.path)
        staged = IndexEntry(entry.mode if entry is not None else _file_mode(root / plan.path), staged_sha)
        changes.append(FileChange(plan.path, plan.base_raw, new_disk, entry, staged))
        accepted.append(
            AcceptedFile(
                plan.path,
                None if plan.base_raw is None else before_sha,
                after_sha,
                entry,
                staged,
                plan.hunks,
                plan.eol,
                plan.accepted_before,
                plan.was_deleted,
            )
        )
    return apply_changes(git, root, changes), accepted
