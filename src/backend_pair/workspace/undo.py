"""Undoing an accept: put back the disk and the index, merging around edits made since, or refuse."""

from __future__ import annotations

from backend_pair.workspace.errors import FileRefused, GitFailed, UndoRefused
from backend_pair.workspace.gitrepo import GitRepository, IndexEntry
from backend_pair.workspace.staging import AcceptedFile, FileChange
from backend_pair.workspace.textfile import decode_text


def _blob_text(git: GitRepository, path: str, sha: str) -> str:
    try:
        return decode_text(path, git.read_blob(sha))
    except FileRefused as err:
        raise UndoRefused(f"cannot undo: {err}") from None
    except GitFailed:
        raise UndoRefused(f"cannot undo {path}: the saved content is gone from git (pruned?)") from None


def _revert_disk(git: GitRepository, change: AcceptedFile, current: str | None) -> str | None:
    after = _blob_text(git, change.path, change.disk_after)
    before = None if change.disk_before is None else _blob_text(git, change.path, change.disk_before)
    if current == after:
        return before
    if current is None or before is None:
        raise UndoRefused(f"cannot undo: {change.path} was changed on disk since it was accepted; undo by hand")
    merged, clean = git.merge_file(current, after, before)
    if not clean:
        raise UndoRefused(f"cannot undo: you edited the accepted lines of {change.path} since; undo by hand")
    return merged


def _revert_index(git: GitRepository, change: AcceptedFile, current: IndexEntry | None) -> IndexEntry | None:
    if current == change.index_after:
        return change.index_before
    if current is None or change.index_before is None:
        raise UndoRefused(f"cannot undo: the staged {change.path} changed since it was accepted; undo by hand")
    ours, base, theirs = (
        _blob_text(git, change.path, entry.sha) for entry in (current, change.index_after, change.index_before)
    )
    merged, clean = git.merge_file(ours, base, theirs)
    if not clean:
        raise UndoRefused(f"cannot undo: you restaged the accepted lines of {change.path} since; undo by hand")
    return IndexEntry(current.mode, git.write_blob(merged.encode("utf-8")))


def plan_revert(git: GitRepository, change: AcceptedFile, current_disk: str | None) -> FileChange:
    """The change that undoes ``change``, given what is on disk and in the index now.

    If the file (or its staged version) still holds exactly what the accept produced, the old content comes
    back as it was; if the developer edited other lines since, the accepted hunks are taken out with a three-way
    merge and the developer's edits stay.

    Args:
        git: The repository.
        change: What the accept did.
        current_disk: The file's content now (raw endings), None when it is gone.

    Returns:
        A :class:`FileChange` from now back to before the accept.

    Raises:
        UndoRefused: The developer edited the accepted lines since (on disk or in the index).
    """
    current_index = git.index_entries([change.path]).get(change.path)
    return FileChange(
        change.path,
        current_disk,
        _revert_disk(git, change, current_disk),
        current_index,
        _revert_index(git, change, current_index),
    )
