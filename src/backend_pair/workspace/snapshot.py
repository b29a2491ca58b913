"""Snapshots of the working tree as git trees, in a private index: what an approved Bash command changed.

Before a command runs, ``git add -A`` into an index of backend-pair's own (``GIT_INDEX_FILE`` under
``.git/backend-pair/``) and ``git write-tree`` record the working tree as it is (ignored files left out, as git
leaves them out). After the command, the same gives a second tree; ``git diff-tree`` between the two is exactly
what the command changed. The developer's index, stash and branches are never touched. The private index keeps
git's stat cache from one snapshot to the next, so a snapshot of an unchanged tree only stats the files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from backend_pair.workspace.errors import GitFailed, WorkspaceError
from backend_pair.workspace.gitrepo import GitRepository

SNAPSHOT_LIMIT_BYTES = 500 * 1024 * 1024
"""Untracked, unignored files larger than this in total are not snapshotted (the command runs without review)."""

PRIVATE_FOLDER = "backend-pair"
"""backend-pair's folder inside ``.git``."""

INDEX_NAME = "snapshot.index"
"""The private index's file name inside that folder."""


class SnapshotSkipped(WorkspaceError):
    """The working tree could not be snapshotted; ``str()`` says why in one line."""


@dataclass(frozen=True)
class TreeChange:
    """One path that differs between two snapshots."""

    path: str
    """Repo-relative path."""
    before_mode: str | None
    """Mode before (``100644``, ``100755``, ``120000``), None when the command created the path."""
    after_mode: str | None
    """Mode after, None when the command deleted the path."""
    before_sha: str | None
    """Blob id before, None when created."""
    after_sha: str | None
    """Blob id after, None when deleted."""


class Snapshots:
    """Takes snapshots of one repository's working tree and compares them."""

    def __init__(self, git: GitRepository, limit_bytes: int = SNAPSHOT_LIMIT_BYTES) -> None:
        """Use ``git``'s repository; ``limit_bytes`` caps the untracked files a snapshot may hash."""
        self._git = git
        self._limit = limit_bytes
        self.index_path: Path = (git.git_dir / PRIVATE_FOLDER / INDEX_NAME).resolve()
        """The private index file."""

    def _env(self) -> dict[str, str]:
        return {"GIT_INDEX_FILE": str(self.index_path)}

    def _untracked_bytes(self) -> int:
        _, out = self._git.run("ls-files", "-z", "--others", "--exclude-standard", env=self._env())
        total = 0
        for raw in out.split(b"\0"):
            if raw:
                try:
                    total += os.lstat(self._git.root / os.fsdecode(raw)).st_size
                except OSError:
                    continue
                if total > self._limit:
                    break
        return total

    def take(self) -> str:
        """Record the working tree as it is now and return the tree id.

        Raises:
            SnapshotSkipped: Too many untracked bytes to hash, or git could not read the tree (one line why).
        """
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        real_index = self._git.git_dir / "index"
        if not self.index_path.exists() and real_index.exists():
            # Start from the developer's index: its stat cache spares hashing every tracked file the first time.
            shutil.copyfile(real_index, self.index_path)
        try:
            untracked = self._untracked_bytes()
            if untracked > self._limit:
                raise SnapshotSkipped(
                    f"more than {self._limit // (1024 * 1024)} MB of untracked files; the command's changes "
                    "cannot be snapshotted for review"
                )
            self._git.run("add", "-A", "--", ".", env=self._env())
            _, out = self._git.run("write-tree", env=self._env())
        except GitFailed as err:
            raise SnapshotSkipped(f"the working tree could not be snapshotted ({err})") from None
        return out.decode().strip()

    def changes(self, before: str, after: str) -> list[TreeChange]:
        """What differs between two snapshots, path by path (renames as a deletion and a creation).

        Raises:
            GitFailed: A tree id is unknown (pruned).
        """
        if before == after:
            return []
        _, out = self._git.run("diff-tree", "-r", "-z", "--no-renames", "--raw", before, after)
        fields = out.split(b"\0")
        changes: list[TreeChange] = []
        for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):
            if not meta.startswith(b":"):
                continue
            old_mode, new_mode, old_sha, new_sha, _status = meta[1:].decode().split()
            changes.append(
                TreeChange(
                    raw_path.decode("utf-8", "surrogateescape"),
                    None if old_mode == "000000" else old_mode,
                    None if new_mode == "000000" else new_mode,
                    None if old_mode == "000000" else old_sha,
                    None if new_mode == "000000" else new_sha,
                )
            )
        return changes

    def ignored_entries(self) -> set[str]:
        """Ignored files and folders (folders as ``name/``, not descended into): build output, dependencies."""
        _, out = self._git.run(
            "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", env=self._env()
        )
        return {raw.decode("utf-8", "surrogateescape") for raw in out.split(b"\0") if raw}
