"""Rebasing a pending proposal onto new disk content with a three-way merge (``git merge-file``)."""

from __future__ import annotations

from backend_pair.workspace.gitrepo import GitRepository
from backend_pair.workspace.model import ConflictSides, FileState, RebaseStatus
from backend_pair.workspace.overlay import ProposalEntry
from backend_pair.workspace.textfile import normalize


def rebase_entry(git: GitRepository, entry: ProposalEntry, new_raw: str | None) -> tuple[RebaseStatus, str]:
    """Move ``entry`` onto the file's new disk content; never writes the working tree.

    Base = the content the proposal was made from, ours = the new disk content, theirs = the proposal. A clean
    merge becomes the new proposal (hunks recomputed, unrelated hunks keep their ids); a conflict marks the file
    ``conflict`` and keeps both sides in the model.

    Args:
        git: The repository (for ``git merge-file``).
        entry: The proposal to move.
        new_raw: The file's new content (raw endings), or None when it was deleted.

    Returns:
        What happened and one line saying so.
    """
    if entry.state is FileState.CONFLICT and entry.conflict is not None:
        sides = entry.conflict
        if new_raw is None:
            entry.state = FileState.PENDING
            entry.conflict = None
            entry.proposed = sides.theirs
            entry.set_base(None)
            entry.was_deleted = True
            entry.settle_state()
            return RebaseStatus.DELETED, f"{entry.path} was deleted on disk; accepting the proposal recreates it"
        ours = normalize(new_raw)
        merged, clean = git.merge_file(ours, sides.base, sides.theirs)
        if clean:
            entry.state = FileState.PENDING
            entry.conflict = None
            entry.set_base(new_raw)
            entry.proposed = merged
            entry.settle_state()
            if merged == ours:
                return RebaseStatus.RESOLVED, f"{entry.path} now has the proposed content; nothing left to review"
            return RebaseStatus.RESOLVED, f"{entry.path} merges cleanly again; the proposal is back for review"
        entry.conflict = ConflictSides(ours, sides.theirs, sides.base)
        entry.set_base(new_raw)
        return RebaseStatus.CONFLICT, f"{entry.path} still conflicts with the proposal"
    if new_raw == entry.base_raw:
        return RebaseStatus.UNCHANGED, f"{entry.path} is unchanged"
    if new_raw is None:
        entry.set_base(None)
        entry.was_deleted = True
        entry.settle_state()
        return RebaseStatus.DELETED, f"{entry.path} was deleted on disk; accepting the proposal recreates it"
    ours = normalize(new_raw)
    base = entry.base if entry.base is not None else ""
    merged, clean = git.merge_file(ours, base, entry.proposed)
    if clean:
        entry.set_base(new_raw)
        entry.proposed = merged
        entry.was_deleted = False
        entry.settle_state()
        if merged == ours:
            return RebaseStatus.REBASED, f"{entry.path} changed on disk and now has everything the proposal had"
        return RebaseStatus.REBASED, f"{entry.path} changed on disk; the proposal was rebased onto it"
    entry.conflict = ConflictSides(ours=ours, theirs=entry.proposed, base=base)
    entry.state = FileState.CONFLICT
    entry.set_base(new_raw)
    return RebaseStatus.CONFLICT, f"{entry.path} changed on disk and conflicts with the proposal; nothing was written"
