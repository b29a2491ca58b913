"""Per-turn checkpoints: the working tree as a git tree at the start of each of the developer's turns.

A checkpoint is a snapshot in backend-pair's private index (see ``snapshot.py``); its tree id is all that is kept,
in the journal with the rest of the review state. Rewinding a file to a checkpoint never writes it: it proposes the
old content, which the developer reviews hunk by hunk like any proposal (so edits made since are never lost, and an
accepted rewind is undone like any accept).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from backend_pair.workspace.errors import GitFailed, WorkspaceError
from backend_pair.workspace.gitrepo import GitRepository
from backend_pair.workspace.snapshot import Snapshots, TreeChange

MAX_CHECKPOINTS = 100
"""Checkpoints kept (the oldest go first)."""


@dataclass(frozen=True)
class Checkpoint:
    """The working tree at the start of one turn."""

    tree: str
    """The snapshot's tree id."""
    label: str
    """What the developer asked in that turn (first line, cut)."""
    at: float
    """When (seconds since the epoch)."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the journal."""
        return {"tree": self.tree, "label": self.label, "at": self.at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        """Rebuild from :meth:`to_json` output."""
        return cls(str(data["tree"]), str(data.get("label", "")), float(data.get("at", 0.0)))


class Checkpoints:
    """The session's checkpoints, oldest first; not thread-safe (the workspace locks)."""

    def __init__(self, git: GitRepository, snapshots: Snapshots) -> None:
        """Share the workspace's repository and snapshotter."""
        self._git = git
        self._snapshots = snapshots
        self.items: list[Checkpoint] = []
        """Oldest first."""

    def take(self, label: str) -> Checkpoint:
        """Snapshot the working tree now (a turn starts).

        Raises:
            SnapshotSkipped: The tree is too large to snapshot (one line why).
        """
        first = " ".join(label.split())
        checkpoint = Checkpoint(self._snapshots.take(), first[:60] + ("…" if len(first) > 60 else ""), time.time())
        if not self.items or self.items[-1].tree != checkpoint.tree or self.items[-1].label != checkpoint.label:
            self.items.append(checkpoint)
            del self.items[:-MAX_CHECKPOINTS]
        return checkpoint

    def changed_since(self, tree: str) -> list[TreeChange]:
        """The files that differ between a checkpoint and the working tree now."""
        return self._snapshots.changes(tree, self._snapshots.take())

    def content_at(self, tree: str, path: str) -> bytes | None:
        """A file's bytes at a checkpoint, None when it did not exist then.

        Raises:
            WorkspaceError: The checkpoint is gone from git (pruned).
        """
        status, out = self._git.run("rev-parse", "-q", "--verify", f"{tree}:{path}", ok_codes=(0, 1, 128))
        if status != 0:
            try:
                self._git.run("cat-file", "-e", tree)
            except GitFailed:
                raise WorkspaceError("that checkpoint is gone from git (pruned); it cannot be restored") from None
            return None
        return self._git.read_blob(out.decode().strip())

    def to_json(self) -> list[dict[str, Any]]:
        """Plain data for the journal."""
        return [checkpoint.to_json() for checkpoint in self.items]

    def restore_json(self, data: list[Any]) -> None:
        """Bring back journaled checkpoints (damaged entries are skipped)."""
        restored = []
        for item in data:
            try:
                restored.append(Checkpoint.from_json(item))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        self.items = restored[-MAX_CHECKPOINTS:]
