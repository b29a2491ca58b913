"""The repository as the pair sees it: proposals as an overlay, hunks, accept = write + stage, outside edits.

Names are imported on first use (PEP 562), as ``textual.widgets`` does: the UI can use ``FileState`` and the other
small types before its first frame without paying for git and the workspace itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "backend_pair.workspace.errors": (
        "FileChangedUnderneath",
        "FileNotFoundInRepo",
        "FileRefused",
        "GitFailed",
        "HunkNotFound",
        "IndexLocked",
        "NotARepository",
        "PathRefused",
        "UndoRefused",
        "WorkspaceError",
    ),
    "backend_pair.workspace.hunks": ("DiffLine", "Hunk"),
    "backend_pair.workspace.model": (
        "ConflictSides",
        "FileProposal",
        "FileState",
        "RebaseOutcome",
        "RebaseStatus",
        "ReviewCounts",
    ),
    "backend_pair.workspace.textfile": ("MAX_FILE_BYTES",),
    "backend_pair.workspace.workspace": ("Workspace", "open_workspace"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

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


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The exported names, as if they were imported."""
    return sorted({*globals(), *__all__})
