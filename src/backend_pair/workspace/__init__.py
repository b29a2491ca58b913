"""The repository as the pair sees it: proposals as an overlay, hunks, accept = write + stage, outside edits."""

from backend_pair.workspace.errors import (
    FileChangedUnderneath,
    FileNotFoundInRepo,
    FileRefused,
    GitFailed,
    HunkNotFound,
    IndexLocked,
    NotARepository,
    PathRefused,
    UndoRefused,
    WorkspaceError,
)
from backend_pair.workspace.hunks import DiffLine, Hunk
from backend_pair.workspace.model import (
    ConflictSides,
    FileProposal,
    FileState,
    RebaseOutcome,
    RebaseStatus,
    ReviewCounts,
)
from backend_pair.workspace.textfile import MAX_FILE_BYTES
from backend_pair.workspace.workspace import Workspace, open_workspace

__all__ = [
    "MAX_FILE_BYTES",
    "ConflictSides",
    "DiffLine",
    "FileChangedUnderneath",
    "FileNotFoundInRepo",
    "FileProposal",
    "FileRefused",
    "FileState",
    "GitFailed",
    "Hunk",
    "HunkNotFound",
    "IndexLocked",
    "NotARepository",
    "PathRefused",
    "RebaseOutcome",
    "RebaseStatus",
    "ReviewCounts",
    "UndoRefused",
    "Workspace",
    "WorkspaceError",
    "open_workspace",
]
