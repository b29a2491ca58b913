"""The developer's review decisions on the agent's proposals: accept, reject, comment, edit, and undo / redo of each.

:class:`ReviewDecisions` is a part of :class:`~backend_pair.workspace.workspace.Workspace` (a mixin using its
lock, proposals, feedback queue and repository); it is split out so each module keeps to one responsibility.
Every decision goes on one :class:`DecisionStack`; ``undoing.py`` takes them back (``undo``) and does them again
(``redo``). Accepting (and undoing an accept) is a compare and swap on the file (see ``staging.write_disk``): bytes
another program writes meanwhile are never dropped.
"""

from __future__ import annotations

import json
import threading

from backend_pair.workspace.command_decisions import command_decision
from backend_pair.workspace.command_review import CommandReview
from backend_pair.workspace.decisions import Decision, DecisionKind, DecisionStack, ReviewStep
from backend_pair.workspace.errors import FileChangedUnderneath, WorkspaceError
from backend_pair.workspace.feedback import FeedbackQueue, plural, short_diff
from backend_pair.workspace.gitrepo import GitRepository
from backend_pair.workspace.hunk_edit import (
    edit_notes,
    file_buffer,
    hunk_body,
    hunk_buffer,
    read_back,
    replace_hunk,
)
from backend_pair.workspace.hunks import Hunk
from backend_pair.workspace.model import FileState, RebaseOutcome, split_key
from backend_pair.workspace.overlay import ProposalEntry
from backend_pair.workspace.staging import AcceptPlan, AcceptRecord, accept_plans

ACCEPT_ATTEMPTS = 8
"""Tries of an accept (or undo) whose file keeps changing underneath it before giving up with nothing written."""


class ReviewDecisions:
    """Accept, reject, comment, edit. Every public method takes the workspace's lock."""

    _git: GitRepository
    _lock: threading.RLock
    _entries: dict[str, ProposalEntry]
    _feedback: FeedbackQueue
    _decisions: DecisionStack
    _accepted: dict[str, int]
    _own_writes: dict[str, str | None]
    _commands: CommandReview

    def _entry(self, rel: str) -> ProposalEntry:
        raise NotImplementedError

    def _synced_entry(self, rel: str) -> ProposalEntry:
        raise NotImplementedError

    def _hunk(self, entry: ProposalEntry, hunk_id: str) -> Hunk:
        raise NotImplementedError

    def _rebase(self, entry: ProposalEntry, disk: str | None) -> RebaseOutcome:
        raise NotImplementedError

    def _read_disk(self, rel: str) -> str | None:
        raise NotImplementedError

    # Accepting --------------------------------------------------------------------------------------------------

    def _accept(self, selections: list[tuple[ProposalEntry, list[Hunk]]]) -> Decision | None:
        selections = [(entry, hunks) for entry, hunks in selections if hunks]
        if not selections:
            return None
        plans = [
            AcceptPlan(
                e.path, e.base_raw, tuple(x for h in hs for x in h.edits), e.eol, len(hs), e.accepted, e.was_deleted
            )
            for e, hs in selections
        ]
        root = self._git.root
        changes, undo_files = accept_plans(self._git, root, plans)
        total = sum(len(hunks) for _, hunks in selections)
        if len(selections) == 1:
            label = f"{plural(total, 'hunk')} in {selections[0][0].path}"
        else:
            label = f"{plural(total, 'hunk')} in {plural(len(selections), 'file')}"
        decision = Decision(DecisionKind.ACCEPT, f"the accept of {label}", selections[0][0].path)
        for change, (entry, hunks) in zip(changes, selections, strict=True):
            self._own_writes[entry.path] = change.disk_after
            decision.targets.append((entry.path, [hunk.id for hunk in hunks]))
            for hunk in hunks:
                comments = entry.comments.pop(hunk.id, None)
                if comments:
                    decision.hunk_comments.setdefault(entry.path, {})[hunk.id] = comments
                note = entry.edited.pop(hunk.id, None)
                if note is not None:
                    decision.notes.setdefault(entry.path, {})[hunk.id] = note
                    decision.items.append(self._feedback.edited_and_accepted(entry.path, note))
            entry.accepted += len(hunks)
            entry.was_deleted = False
            entry.set_base(change.disk_planned if change.disk_planned is not None else change.disk_after)
            entry.settle_state()
            self._accepted[entry.path] = self._accepted.get(entry.path, 0) + len(hunks)
            if change.disk_planned is not None and change.disk_planned != change.disk_after:
                # Another writer's lines were merged in as we wrote: the rest of the proposal moves onto them.
                self._rebase(entry, change.disk_after)
            if entry.is_done():
                self._entries.pop(entry.path, None)
        decision.accept = AcceptRecord(label, undo_files, self._git.head())
        for entry, hunks in selections:
            self._feedback.accepted(entry.path, len(hunks))
        return decision

    def _accept_fresh(
        self, wanted: list[tuple[str, list[str] | None]], skip_conflicts: bool = False
    ) -> Decision | None:
        """Accept ``(path, hunk ids or None for all)`` from the bytes on disk now, as a compare and swap.

        When a file changes between reading it and replacing it (a formatter, a log, an editor's autosave), nothing
        is written: the proposal is rebased onto the new bytes and the accept is tried again, up to
        :data:`ACCEPT_ATTEMPTS` times. Whatever the developer's tools wrote is never overwritten.

        Raises:
            FileChangedUnderneath: The file kept changing; nothing was written or staged.
        """
        for _attempt in range(ACCEPT_ATTEMPTS):
            selections: list[tuple[ProposalEntry, list[Hunk]]] = []
            for rel, hunk_ids in wanted:
                entry = self._synced_entry(rel)
                if entry.state is FileState.CONFLICT:
                    if skip_conflicts:
                        continue
                    self._hunk(entry, "")
                hunks = list(entry.hunks()) if hunk_ids is None else [self._hunk(entry, i) for i in hunk_ids]
                selections.append((entry, hunks))
            try:
                return self._accept(selections)
            except FileChangedUnderneath:
                continue
        paths = ", ".join(rel for rel, _ in wanted)
        raise FileChangedUnderneath(
            f"{paths} kept changing on disk while accepting ({ACCEPT_ATTEMPTS} tries); nothing was written — "
            "accept again once it settles"
        )

    def _push(self, decision: Decision | None) -> None:
        if decision is not None:
            self._decisions.push(decision)

    def accept_hunk(self, rel: str, hunk_id: str) -> None:
        """Write one hunk to disk and stage exactly that hunk (a command's hunk, already on disk, is only staged).

        Args:
            rel: The path, or a command change's review key (:attr:`FileProposal.key`).
            hunk_id: The hunk.

        Raises:
            HunkNotFound: No such pending hunk.
            IndexLocked: The index stayed locked; nothing was written.
        """
        with self._lock:
            path, is_command = split_key(rel)
            if is_command:
                self._push(self._command(path, DecisionKind.COMMAND_KEEP, [hunk_id], comment=""))
                return
            self._push(self._accept_fresh([(rel, [hunk_id])]))

    def accept_file(self, rel: str) -> None:
        """Accept every pending hunk of one file (one write, one index update), or keep a command's changes."""
        with self._lock:
            path, is_command = split_key(rel)
            if is_command:
                self._push(self._command(path, DecisionKind.COMMAND_KEEP, None, comment=""))
                return
            self._push(self._accept_fresh([(rel, None)]))

    def accept_all(self) -> None:
        """Accept every pending hunk of every file not in conflict, in one index update; keep every command change."""
        with self._lock:
            self._push(self._accept_fresh([(rel, None) for rel in sorted(self._entries)], skip_conflicts=True))
            for path in sorted(self._commands.changes):
                self._push(self._command(path, DecisionKind.COMMAND_KEEP, None, comment=""))

    # Rejecting, commenting, editing -----------------------------------------------------------------------------

    def _reject(self, rel: str, hunk_id: str, comment: str) -> Decision:
        entry = self._entry(rel)
        hunk = self._hunk(entry, hunk_id)
        note = entry.edited.pop(hunk_id, "")
        item, folded = self._feedback.rejected(entry.path, hunk, comment, note)
        decision = Decision(
            DecisionKind.REJECT,
            f"the rejection of hunk {hunk.header} in {entry.path}",
            entry.path,
            hunk_id,
            comment,
            before=entry.proposed,
            base_missing=entry.base_raw is None,
            eol=entry.eol,
            accepted=entry.accepted,
            items=[item],
            folded=folded,
            comments=entry.comments.pop(hunk_id, []),
            notes={entry.path: {hunk_id: note}} if note else {},
        )
        if entry.base_raw is None:
            del self._entries[entry.path]
            decision.after = ""
            return decision
        entry.proposed = entry.without({hunk_id})
        entry.changed()
        decision.after = entry.proposed
        if entry.is_done():
            del self._entries[entry.path]
        return decision

    def reject_hunk(self, rel: str, hunk_id: str, comment: str = "") -> None:
        """Remove a hunk from the proposal and queue the rejection (with the comment) for the agent.

        For a command's change (``rel`` its review key) the hunk is restored on disk as it was before the command,
        merged around edits made since (:class:`UndoRefused`, nothing written, when those lines were edited).
        """
        with self._lock:
            path, is_command = split_key(rel)
            if is_command:
                self._push(self._command(path, DecisionKind.COMMAND_RESTORE, [hunk_id], comment))
                return
            self._push(self._reject(rel, hunk_id, comment))

    def _reject_file(self, rel: str, comment: str) -> Decision:
        entry = self._entry(rel)
        item = self._feedback.rejected_file(entry.path, len(entry.hunks()), comment)
        del self._entries[entry.path]
        return Decision(
            DecisionKind.REJECT_FILE,
            f"the rejection of your whole proposal for {entry.path}",
            entry.path,
            text=comment,
            before=json.dumps(entry.to_json()),
            items=[item],
        )

    def reject_file(self, rel: str, comment: str = "") -> None:
        """Drop the whole proposal for a file (also one in conflict), or restore a command's whole change to it."""
        with self._lock:
            path, is_command = split_key(rel)
            if is_command:
                self._push(self._command(path, DecisionKind.COMMAND_RESTORE, None, comment))
                return
            self._push(self._reject_file(rel, comment))

    def _command(self, path: str, kind: DecisionKind, hunk_ids: list[str] | None, comment: str) -> Decision:
        """Keep (stage) or restore (on disk) hunks of a command's change, as an undoable decision."""
        commands = self._commands

        def act() -> None:
            if kind is DecisionKind.COMMAND_KEEP:
                commands.keep(path, hunk_ids)
            elif hunk_ids is None:
                commands.restore_all(path, comment)
            else:
                for hunk_id in hunk_ids:
                    commands.restore(path, hunk_id, comment)

        decision = command_decision(self._git, commands, self._feedback, path, kind, hunk_ids, act)
        decision.text = comment
        return decision

    def _comment(self, rel: str, hunk_id: str, text: str) -> Decision:
        path, is_command = split_key(rel)
        if is_command:
            hunk = self._commands.hunk(path, hunk_id)
            item = self._feedback.commented(path, hunk, text)
            label = f'the comment "{text.strip()}" on hunk {hunk.header} in {path}'
            return Decision(DecisionKind.COMMENT, label, rel, hunk_id, text, items=[item])
        entry = self._entry(rel)
        hunk = self._hunk(entry, hunk_id)
        entry.comments.setdefault(hunk_id, []).append(text)
        item = self._feedback.commented(entry.path, hunk, text)
        label = f'the comment "{text.strip()}" on hunk {hunk.header} in {entry.path}'
        return Decision(DecisionKind.COMMENT, label, entry.path, hunk_id, text, items=[item])

    def comment_hunk(self, rel: str, hunk_id: str, text: str) -> None:
        """Attach a comment to a hunk without deciding it; the comment is queued for the agent."""
        with self._lock:
            self._push(self._comment(rel, hunk_id, text))

    def redo_conflict(self, rel: str) -> None:
        """Drop a conflicted proposal and ask the agent (through feedback) to redo it on the current content."""
        with self._lock:
            entry = self._entry(rel)
            if entry.state is not FileState.CONFLICT:
                raise WorkspaceError(f"{entry.path} is not in conflict")
            del self._entries[entry.path]
            self._feedback.redo(entry.path)

    def _set_proposal(self, entry: ProposalEntry, before: str, after: str, what: str, hunk_id: str) -> ReviewStep:
        """Replace the proposal's text by the developer's edit and mark the hunks it touched."""
        entry.proposed = after
        entry.changed()
        hunks = entry.hunks()
        notes = edit_notes(before, after, hunks)
        decision = Decision(
            DecisionKind.EDIT,
            f"the edit of {what}",
            entry.path,
            hunk_id,
            before=before,
            after=after,
            accepted=entry.accepted,
        )
        decision.notes = {entry.path: notes}
        entry.edited.update(notes)
        if entry.is_done():
            # Edited back to what the file holds: the agent's change there is gone.
            del self._entries[entry.path]
            decision.items.append(self._feedback.edited_away(entry.path, short_diff(before, after, 40)))
        self._decisions.push(decision)
        first = next((hunk.id for hunk in hunks if hunk.id in notes), "")
        return ReviewStep(f"edited {what}", entry.path, first)

    def edit_hunk(self, rel: str, hunk_id: str, edited: str) -> ReviewStep | None:
        """Replace a hunk's new side in the proposal by the developer's text (what their editor left).

        Args:
            rel: The file.
            hunk_id: The hunk that was opened in the editor.
            edited: The buffer as the editor left it (:func:`~backend_pair.workspace.hunk_edit.hunk_buffer` plus the
                developer's changes); the header lines are dropped.

        Returns:
            What changed and the (first) edited hunk, or None when nothing changed (empty or unchanged buffer).

        Raises:
            HunkNotFound: No such pending hunk (decided meanwhile, or the file changed).
            WorkspaceError: The file is in conflict.
        """
        with self._lock:
            entry = self._entry(rel)
            hunk = self._hunk(entry, hunk_id)
            body = read_back(edited, hunk_body(hunk))
            if body is None:
                return None
            before = entry.proposed
            return self._set_proposal(
                entry, before, replace_hunk(before, hunk, body), f"hunk {hunk.header} in {entry.path}", hunk_id
            )

    def edit_file(self, rel: str, edited: str) -> ReviewStep | None:
        """Replace the whole proposed content of a file by the developer's text (what their editor left).

        Returns:
            What changed and the first edited hunk, or None when nothing changed.

        Raises:
            HunkNotFound: No proposal for that file.
            WorkspaceError: The file is in conflict.
        """
        with self._lock:
            entry = self._entry(rel)
            if entry.state is FileState.CONFLICT:
                self._hunk(entry, "")
            body = read_back(edited, entry.proposed)
            if body is None:
                return None
            return self._set_proposal(entry, entry.proposed, body, f"the proposal for {entry.path}", "")

    def edit_buffer(self, rel: str, hunk_id: str | None) -> str:
        """What the editor opens: a hunk's new side (``hunk_id``) or the whole proposed file (None), under a header.

        Raises:
            HunkNotFound: No such pending hunk or proposal.
            WorkspaceError: The file is in conflict.
        """
        with self._lock:
            entry = self._entry(rel)
            if hunk_id is not None:
                return hunk_buffer(entry.path, self._hunk(entry, hunk_id))
            if entry.state is FileState.CONFLICT:
                self._hunk(entry, "")  # says why a conflicted file cannot be edited
            return file_buffer(entry.path, entry.proposed)

    def accepted_paths(self) -> list[str]:
        """Files with hunks accepted (and not undone) this session, sorted."""
        with self._lock:
            return sorted(self._accepted)
