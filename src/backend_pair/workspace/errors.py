"""Errors the workspace raises: each one is a single clear line for the developer or the agent."""

from __future__ import annotations

from backend_pair.errors import BackendPairError


class WorkspaceError(BackendPairError):
    """Base of every error raised by ``backend_pair.workspace``."""


class NotARepository(WorkspaceError):
    """The folder is not inside a git working tree (or the repository is bare)."""


class PathRefused(WorkspaceError):
    """A path resolves outside the repository, through a symlink leading out, or into ``.git/``."""


class FileRefused(WorkspaceError):
    """A file cannot be reviewed as text: binary, not UTF-8, too large, ignored by git, or inside a submodule."""


class FileNotFoundInRepo(WorkspaceError):
    """The path names no file on disk and no pending proposal."""


class IndexLocked(WorkspaceError):
    """``.git/index.lock`` stayed held by another process; nothing was written."""


class UndoRefused(WorkspaceError):
    """The last accept cannot be undone (nothing to undo, or the developer edited those lines since)."""


class HunkNotFound(WorkspaceError):
    """No pending hunk with that id (already decided, or the file changed and its hunks were recomputed)."""


class GitFailed(WorkspaceError):
    """A git command failed for a reason other than the ones above; the message carries git's own words."""


class FileChangedUnderneath(WorkspaceError):
    """The file changed on disk between reading it and replacing it; nothing was written (try again)."""
