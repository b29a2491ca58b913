"""What an approved Bash command changed in one file, under review: keep (stage) or restore each hunk.

Write and Edit never touch the disk; a Bash command does. Its changes are already on disk when the developer sees
them, so the decisions are the other way round from a proposal's: *keep* stages the hunk (the disk already has
it), *restore* puts exactly that hunk back on disk as it was before the command, merging around any edit made since
and refusing rather than overwriting one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from backend_pair.workspace.errors import UndoRefused
from backend_pair.workspace.gitrepo import GitRepository, IndexEntry
from backend_pair.workspace.hunks import Hunk, apply_edits, compute_hunks, map_edits, new_file_hunk
from backend_pair.workspace.model import FileProposal, FileState
from backend_pair.workspace.textfile import detect_eol, normalize, split_lines


@dataclass
class CommandChange:
    """One file as a command left it, against how it was before; only the workspace touches it, under its lock.

    ``before`` moves forward as hunks are kept and ``after`` moves back as hunks are restored, so the pending hunks
    are always the difference between the two.
    """

    path: str
    """Repo-relative path."""
    command: str
    """The command that changed it (the latest one, when several did)."""
    before: bytes | None
    """The content before the command (with what was kept since), None when the command created the file."""
    after: bytes | None
    """The content the command left (minus what was restored since), None when it deleted the file."""
    before_mode: str | None
    """Git mode before."""
    after_mode: str | None
    """Git mode after."""
    text: bool
    """Both sides are UTF-8 text: reviewed hunk by hunk; otherwise kept or restored whole."""

    def _text(self, data: bytes | None) -> str | None:
        return None if data is None else data.decode("utf-8")

    def _whole_file_hunk(self) -> Hunk:
        sizes = " → ".join("absent" if d is None else f"{len(d):,} bytes" for d in (self.before, self.after))
        modes = f", mode {self.before_mode} → {self.after_mode}" if self.before_mode != self.after_mode else ""
        header = f"@@ {'binary ' if not self.text else ''}file {sizes}{modes} @@"
        digest = hashlib.sha1(header.encode(), usedforsecurity=False).hexdigest()[:12]
        return Hunk(id=f"whole-{digest}", old_start=0, old_count=0, new_start=0, new_count=0, header=header, lines=())

    def hunks(self) -> list[Hunk]:
        """The pending hunks (one whole-file hunk for binary files, mode changes, creations and deletions)."""
        if self.before == self.after and self.before_mode == self.after_mode:
            return []
        before, after = self._text(self.before) if self.text else None, self._text(self.after) if self.text else None
        if not self.text or self.before == self.after:
            return [self._whole_file_hunk()]
        if before is None:
            return [new_file_hunk(split_lines(normalize(after or "")))]
        if after is None:
            hunks = compute_hunks(split_lines(normalize(before)), [])
            return hunks or [self._whole_file_hunk()]
        return compute_hunks(split_lines(normalize(before)), split_lines(normalize(after)))

    def is_done(self) -> bool:
        """Whether every change was kept or restored."""
        return not self.hunks()

    def view(self) -> FileProposal:
        """The frozen view the review pane shows (keyed apart from an agent proposal for the same path)."""
        before = self._text(self.before) if self.text else None
        after = self._text(self.after) if self.text else None
        return FileProposal(
            path=self.path,
            base=None if before is None else normalize(before),
            proposed=normalize(after or ""),
            state=FileState.PENDING,
            hunks=tuple(self.hunks()),
            origin=self.command,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal (contents as latin-1 text, which round-trips any bytes)."""
        return {
            "path": self.path,
            "command": self.command,
            "before": None if self.before is None else self.before.decode("latin-1"),
            "after": None if self.after is None else self.after.decode("latin-1"),
            "before_mode": self.before_mode,
            "after_mode": self.after_mode,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CommandChange:
        """Rebuild from :meth:`to_json` output."""
        before, after = data.get("before"), data.get("after")
        return cls(
            path=str(data["path"]),
            command=str(data.get("command", "")),
            before=None if before is None else str(before).encode("latin-1"),
            after=None if after is None else str(after).encode("latin-1"),
            before_mode=data.get("before_mode"),
            after_mode=data.get("after_mode"),
            text=bool(data.get("text", False)),
        )


def is_text(data: bytes | None) -> bool:
    """Whether content can be reviewed line by line (absent counts as text)."""
    if data is None:
        return True
    if b"\x00" in data[:8000]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _hunk(change: CommandChange, hunk_id: str) -> Hunk:
    hunk = next((h for h in change.hunks() if h.id == hunk_id), None)
    if hunk is None:
        raise UndoRefused(f"{change.path}: no pending change {hunk_id} from the command (decided already?)")
    return hunk


def _kept_text(change: CommandChange, hunk: Hunk) -> bytes | None:
    """``before`` with ``hunk`` applied: what the file holds once that hunk is kept."""
    if not change.text or change.before is None or change.after is None or change.before == change.after:
        return change.after
    before = change.before.decode("utf-8")
    return "".join(apply_edits(split_lines(before), hunk.edits, detect_eol(before))).encode("utf-8")


def _restored_text(change: CommandChange, hunk: Hunk) -> bytes | None:
    """``after`` with ``hunk`` taken out: what the file holds once that hunk is restored."""
    if not change.text or change.before is None or change.after is None or change.before == change.after:
        return change.before
    before = change.before.decode("utf-8")
    others = [edit for other in change.hunks() if other.id != hunk.id for edit in other.edits]
    return "".join(apply_edits(split_lines(before), others, detect_eol(before))).encode("utf-8")


def plan_keep(
    git: GitRepository, change: CommandChange, hunk_id: str, index: IndexEntry | None
) -> tuple[IndexEntry | None, bytes | None]:
    """The index entry that stages exactly one kept hunk, and the new ``before``.

    The staged blob is the current index content with the hunk carried over (other edits, staged or not, stay as
    they are); a path not in the index is added as ``before`` plus the hunk.

    Returns:
        ``(new index entry or None to remove the path, new before)``.
    """
    hunk = _hunk(change, hunk_id)
    kept = _kept_text(change, hunk)
    if kept is None:
        return None, None
    mode = change.after_mode or change.before_mode or "100644"
    staged = kept
    if index is not None and change.text and change.before is not None and change.after is not None:
        index_bytes = git.read_blob(index.sha)
        if index_bytes != change.before and is_text(index_bytes):
            index_text = index_bytes.decode("utf-8")
            mapped = map_edits(
                hunk.edits,
                split_lines(normalize(change.before.decode("utf-8"))),
                split_lines(normalize(index_text)),
            )
            staged = "".join(apply_edits(split_lines(index_text), mapped, detect_eol(index_text))).encode("utf-8")
    return IndexEntry(mode, git.write_blob(staged)), kept


def plan_restore(
    git: GitRepository, change: CommandChange, hunk_id: str, disk: bytes | None
) -> tuple[bytes | None, bytes | None]:
    """What to write once one hunk is restored, merged around edits made since the command, and the new ``after``.

    Returns:
        ``(disk content to write or None to delete, new after)``.

    Raises:
        UndoRefused: The developer changed those lines (or the whole file) since the command; nothing is written.
    """
    hunk = _hunk(change, hunk_id)
    target = _restored_text(change, hunk)
    if disk == change.after:
        return target, target
    if not change.text or disk is None or target is None or change.after is None or not is_text(disk):
        raise UndoRefused(f"cannot restore {change.path}: it changed on disk since the command; restore it by hand")
    merged, clean = git.merge_file(disk.decode("utf-8"), change.after.decode("utf-8"), target.decode("utf-8"))
    if not clean:
        raise UndoRefused(f"cannot restore that change in {change.path}: you edited those lines since the command")
    return merged.encode("utf-8"), target
