"""The public, frozen view of the review state: file proposals, conflicts, counts and rebase outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend_pair.workspace.hunks import Hunk

COMMAND_KEY_SUFFIX = "\x00command"
"""Appended to a path to name its command change in the review (a NUL never occurs in a path)."""


def command_key(path: str) -> str:
    """The review key of a command's change to ``path`` (the agent's proposals are keyed by the bare path)."""
    return path + COMMAND_KEY_SUFFIX


def split_key(key: str) -> tuple[str, bool]:
    """``(path, is_command_change)`` for a review key."""
    if key.endswith(COMMAND_KEY_SUFFIX):
        return key[: -len(COMMAND_KEY_SUFFIX)], True
    return key, False


class FileState(StrEnum):
    """Where a file proposal stands."""

    PENDING = "pending"
    """Nothing decided yet."""
    PARTLY_ACCEPTED = "partly_accepted"
    """Some hunks accepted (written and staged), others still pending."""
    CONFLICT = "conflict"
    """The developer edited the file and the proposal no longer merges; both sides are kept, nothing is written."""
    DELETED_ON_DISK = "deleted_on_disk"
    """The file was deleted under the proposal; accepting recreates it as a new file."""


@dataclass(frozen=True)
class ConflictSides:
    """Both sides of a proposal that no longer merges with the developer's edits (normalised text)."""

    ours: str
    """The developer's content on disk now."""
    theirs: str
    """The agent's proposed content."""
    base: str
    """The content the proposal was made from."""


@dataclass(frozen=True)
class FileProposal:
    """The agent's pending change to one file, as the review pane shows it."""

    path: str
    """Repo-relative POSIX path."""
    base: str | None
    """The disk content the hunks are computed against (normalised to LF); None for a new file."""
    proposed: str
    """The proposed content (normalised to LF)."""
    state: FileState
    """Pending, partly accepted, conflict or deleted on disk."""
    hunks: tuple[Hunk, ...]
    """Pending hunks, in file order (empty while in conflict)."""
    conflict: ConflictSides | None = None
    """Both sides when ``state`` is ``conflict``."""
    origin: str = ""
    """Empty for the agent's Write/Edit; the command for changes an approved Bash command made (already on disk:
    accepting keeps and stages a hunk, rejecting restores it)."""
    agent: str = ""
    """The subagent (a ``Task``) whose Write/Edit proposed this content; empty for the main agent."""

    @property
    def is_new(self) -> bool:
        """Whether accepting creates the file."""
        return self.base is None

    @property
    def key(self) -> str:
        """What the review names this file by: the path, or the path marked as a command's change."""
        return command_key(self.path) if self.origin else self.path


@dataclass(frozen=True)
class ReviewCounts:
    """Figures for the status line."""

    pending_hunks: int
    """Hunks waiting for a decision, over every file."""
    staged_hunks: int
    """Hunks accepted (written and staged) this session, minus undone ones."""
    files: int
    """Files with a pending proposal."""
    conflicts: int
    """Files in conflict."""


class RebaseStatus(StrEnum):
    """What happened to a proposal when its file changed on disk."""

    UNCHANGED = "unchanged"
    """The disk content is what the proposal is based on (for instance our own write)."""
    REBASED = "rebased"
    """The proposal merged cleanly onto the new content; its hunks were recomputed."""
    CONFLICT = "conflict"
    """The proposal conflicts with the developer's edits; the file is marked ``conflict``."""
    RESOLVED = "resolved"
    """A conflicted file now merges cleanly again (or already has the proposed content)."""
    DELETED = "deleted"
    """The file was deleted; the proposal is marked ``deleted_on_disk``."""
    RENAMED = "renamed"
    """The file moved; the proposal followed it to ``new_path``."""


@dataclass(frozen=True)
class RebaseOutcome:
    """The result of :meth:`Workspace.disk_changed` for one proposal."""

    path: str
    """The proposal's path before the change."""
    status: RebaseStatus
    """What happened."""
    detail: str
    """One line for the developer."""
    new_path: str | None = None
    """Where the proposal lives now, when the file was renamed."""
