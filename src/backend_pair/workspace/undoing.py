"""Undo and redo of review decisions: one stack, every kind (accept, rejection, whole-file rejection, comment, edit).

Undoing an accept unstages it and puts the disk back as a compare and swap (see ``staging.write_disk``), merging
around lines the developer edited since, or refusing; undoing a rejection or an edit puts the proposal's text back,
merged with what the agent proposed since. A feedback line not sent yet is withdrawn; one already sent is followed by
"the developer took back ...".
"""

from __future__ import annotations

import json

from backend_pair.workspace.command_decisions import undo_command_decision
from backend_pair.workspace.decisions import Decision, DecisionKind, ReviewStep
from backend_pair.workspace.errors import FileChangedUnderneath, HunkNotFound, UndoRefused
from backend_pair.workspace.hunk_edit import carry
from backend_pair.workspace.model import FileState, split_key
from backend_pair.workspace.overlay import ProposalEntry
from backend_pair.workspace.reviewing import ACCEPT_ATTEMPTS, ReviewDecisions
from backend_pair.workspace.staging import apply_changes
from backend_pair.workspace.textfile import normalize
from backend_pair.workspace.undo import plan_revert

COMMAND_KINDS = (DecisionKind.COMMAND_KEEP, DecisionKind.COMMAND_RESTORE)
"""Decisions on a Bash command's changes."""

THEN = {
    DecisionKind.REJECT: "; it is back in your proposal, pending review",
    DecisionKind.REJECT_FILE: "; it is back in your proposal, pending review",
    DecisionKind.COMMAND_KEEP: "; that change is unstaged and pending review again",
    DecisionKind.COMMAND_RESTORE: "; your command's change is back on disk, pending review",
}
"""What the agent is told after "the developer took back ..." (when it had heard of the decision)."""


class DecisionUndo(ReviewDecisions):
    """``undo`` and ``redo`` over the workspace's decision stack (a part of the workspace, under its lock)."""

    def undo(self) -> ReviewStep:
        """Take back the last decision of any kind (accept, reject, whole-file reject, comment, edit).

        Returns:
            What was undone, and the hunk that is pending again (for the review cursor).

        Raises:
            UndoRefused: Nothing to undo, or it cannot be undone safely (nothing is changed).
            IndexLocked: The index stayed locked; nothing was changed.
        """
        with self._lock:
            if not self._decisions.done:
                raise UndoRefused("nothing to undo: no decision in this session")
            decision = self._decisions.done[-1]
            step = self._undo(decision)
            self._decisions.done.pop()
            self._decisions.undone.append(decision)
            return step

    def undo_last_accept(self) -> str:
        """Undo the last decision when it is an accept (see :meth:`undo`); returns what was undone.

        Raises:
            UndoRefused: No accept to undo, or the last decision is not an accept, or it cannot be undone.
        """
        with self._lock:
            if not any(d.kind is DecisionKind.ACCEPT for d in self._decisions.done):
                raise UndoRefused("nothing to undo: no accept in this session")
            last = self._decisions.done[-1]
            if last.kind is not DecisionKind.ACCEPT:
                raise UndoRefused(f"the last decision is {last.label}; undo that first")
            return self.undo().label.removeprefix("undid the accept of ")

    def redo(self) -> ReviewStep:
        """Do again the decision undone last.

        Raises:
            UndoRefused: Nothing to redo, or the proposal changed so that it cannot be done again.
        """
        with self._lock:
            if not self._decisions.undone:
                raise UndoRefused("nothing to redo")
            decision = self._decisions.undone[-1]
            try:
                again, step = self._redo(decision)
            except HunkNotFound as err:
                raise UndoRefused(f"cannot redo {decision.label}: {err}") from None
            self._decisions.undone.pop()
            self._decisions.push(again, redoing=True)
            return step

    def _redo(self, decision: Decision) -> tuple[Decision, ReviewStep]:
        kind, path = decision.kind, decision.path
        if kind is DecisionKind.ACCEPT:
            wanted: list[tuple[str, list[str] | None]] = [(p, list(ids)) for p, ids in decision.targets]
            again = self._accept_fresh(wanted)
            if again is None:
                raise UndoRefused(f"cannot redo {decision.label}: those hunks are no longer pending")
        elif kind is DecisionKind.REJECT:
            again = self._reject(path, decision.hunk_id, decision.text)
        elif kind is DecisionKind.REJECT_FILE:
            again = self._reject_file(path, decision.text)
        elif kind is DecisionKind.COMMENT:
            again = self._comment(path, decision.hunk_id, decision.text)
        elif kind in COMMAND_KINDS:
            ids = decision.targets[0][1] if decision.targets and decision.targets[0][1] else None
            again = self._command(split_key(path)[0], kind, ids, decision.text)
        else:
            entry = self._entry(path)
            text = carry(decision.before or "", entry.proposed, decision.after or "")
            if text is None:
                raise UndoRefused(f"cannot redo {decision.label}: the proposal changed there since")
            entry.proposed = text
            entry.changed()
            entry.edited.update(decision.notes.get(path, {}))
            again = decision
        return again, ReviewStep(f"redid {decision.label}", path, self._pending_id(path, decision))

    def _pending_id(self, path: str, decision: Decision) -> str:
        """The hunk to put the cursor on after undo/redo: the decision's hunk if pending, else the first edited one."""
        bare, is_command = split_key(path)
        if is_command:
            change = self._commands.changes.get(bare)
            ids = [] if change is None else [hunk.id for hunk in change.hunks()]
            decided = [i for _key, hunk_ids in decision.targets for i in hunk_ids]
            return next((i for i in decided if i in ids), ids[0] if ids else "")
        entry = self._entries.get(path)
        if entry is None:
            return ""
        ids = [hunk.id for hunk in entry.hunks()]
        wanted = [decision.hunk_id, *(i for _p, hs in decision.targets for i in hs), *decision.notes.get(path, {})]
        return next((i for i in wanted if i and i in ids), "")

    def _undo(self, decision: Decision) -> ReviewStep:
        kind = decision.kind
        if kind is DecisionKind.ACCEPT:
            self._undo_accept(decision)
        elif kind in COMMAND_KINDS:
            path = split_key(decision.path)[0]
            undo_command_decision(self._git, self._commands, self._own_writes, path, decision)
        elif kind is DecisionKind.COMMENT:
            entry = self._entries.get(decision.path)
            comments = entry.comments.get(decision.hunk_id, []) if entry is not None else []
            if decision.text in comments:
                comments.reverse()
                comments.remove(decision.text)
                comments.reverse()
            if entry is not None and not comments:
                entry.comments.pop(decision.hunk_id, None)
        elif kind is DecisionKind.REJECT_FILE:
            self._undo_reject_file(decision)
        else:
            self._undo_text(decision)
        for item in decision.items:
            if self._feedback.withdraw(item):
                if decision.folded:
                    self._feedback.restore_comments(decision.path, decision.hunk_id, decision.folded)
            elif kind is not DecisionKind.ACCEPT:
                then = THEN.get(kind, "")
                self._feedback.took_back(decision.label + then)
        return ReviewStep(f"undid {decision.label}", decision.path, self._pending_id(decision.path, decision))

    def _undo_text(self, decision: Decision) -> None:
        """Undo a rejection or an edit: put the proposal's text back, merged with what changed since."""
        path = decision.path
        entry = self._entries.get(path)
        if entry is not None and entry.state is FileState.CONFLICT:
            raise UndoRefused(f"cannot undo {decision.label}: {path} is in conflict now; resolve it first")
        if entry is None:
            disk = self._read_disk(path)
            if decision.base_missing:
                if disk is not None:
                    raise UndoRefused(f"cannot undo {decision.label}: {path} exists on disk now")
                entry = ProposalEntry(path, None, decision.before or "", eol=decision.eol)
            else:
                if disk is None:
                    raise UndoRefused(f"cannot undo {decision.label}: {path} is gone from disk")
                current = normalize(disk)
                text = carry(decision.after or "", current, decision.before or "")
                if text is None:
                    raise UndoRefused(f"cannot undo {decision.label}: {path} changed there since")
                entry = ProposalEntry(path, disk, text)
            entry.accepted = decision.accepted
            entry.settle_state()
            self._entries[path] = entry
        else:
            text = carry(decision.after or "", entry.proposed, decision.before or "")
            if text is None:
                raise UndoRefused(f"cannot undo {decision.label}: the proposal changed there since")
            entry.proposed = text
            entry.changed()
        for hunk_id in decision.notes.get(path, {}):
            if decision.kind is DecisionKind.EDIT:
                entry.edited.pop(hunk_id, None)
        if decision.kind is DecisionKind.REJECT:
            entry.edited.update(decision.notes.get(path, {}))
            if decision.comments:
                entry.comments[decision.hunk_id] = list(decision.comments)
        if entry.is_done():
            del self._entries[path]

    def _undo_reject_file(self, decision: Decision) -> None:
        path = decision.path
        if path in self._entries:
            raise UndoRefused(f"cannot undo {decision.label}: the agent proposed {path} again since")
        entry = ProposalEntry.from_json(json.loads(decision.before or "{}"))
        self._entries[path] = entry
        disk = self._read_disk(path)
        if disk != entry.base_raw and not (disk is None and entry.was_deleted):
            self._rebase(entry, disk)

    def _undo_accept(self, decision: Decision) -> None:
        """Unstage an accept and put the disk back (a compare and swap, as the accept); its hunks are pending again."""
        record = decision.accept
        if record is None:
            raise UndoRefused(f"cannot undo {decision.label}: nothing was recorded")
        if self._git.head() != record.head:
            raise UndoRefused(f"cannot undo the accept of {record.label}: a commit was made since; use git")
        for _attempt in range(ACCEPT_ATTEMPTS):
            for change in record.files:
                if change.path in self._entries:
                    self._synced_entry(change.path)
            reverts = [plan_revert(self._git, change, self._read_disk(change.path)) for change in record.files]
            try:
                reverts = apply_changes(self._git, self._git.root, reverts)
                break
            except FileChangedUnderneath:
                continue
        else:
            raise FileChangedUnderneath(
                f"the files of {record.label} kept changing on disk while undoing; nothing was changed"
            )
        for change, revert in zip(record.files, reverts, strict=True):
            self._own_writes[change.path] = revert.disk_after
            entry = self._entries.get(change.path)
            if entry is None:
                # Everything had been decided: the proposal comes back as what the file held before the undo.
                entry = ProposalEntry(change.path, None, normalize(revert.disk_before or ""), eol=change.eol)
                self._entries[change.path] = entry
            entry.accepted = change.accepted_before
            entry.was_deleted = revert.disk_after is None and change.was_deleted
            entry.set_base(revert.disk_after)
            entry.settle_state()
            entry.edited.update(decision.notes.get(change.path, {}))
            entry.comments.update(decision.hunk_comments.get(change.path, {}))
            left = self._accepted.get(change.path, 0) - change.hunks
            if left > 0:
                self._accepted[change.path] = left
            else:
                self._accepted.pop(change.path, None)
        self._feedback.undone(record.label, {change.path: change.hunks for change in record.files})
