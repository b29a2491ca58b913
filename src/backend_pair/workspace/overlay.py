"""One file's pending proposal, as the workspace keeps it: what disk held, what the agent proposes, the hunks."""

from __future__ import annotations

import dataclasses
from typing import Any

from backend_pair.workspace.hunks import Hunk, apply_edits, compute_hunks, new_file_hunk
from backend_pair.workspace.model import ConflictSides, FileProposal, FileState
from backend_pair.workspace.textfile import detect_eol, normalize, split_lines


class ProposalEntry:
    """Mutable record behind a :class:`FileProposal`; only the workspace touches it, under its lock."""

    def __init__(self, path: str, base_raw: str | None, proposed: str, eol: str | None = None) -> None:
        """Start a proposal.

        Args:
            path: Repo-relative path.
            base_raw: The disk content (raw line endings) the proposal is diffed against; None = no file on disk.
            proposed: The proposed content, normalised to LF.
            eol: Line ending for written lines; detected from ``base_raw`` when omitted.
        """
        self.path = path
        self.base_raw = base_raw
        self.proposed = proposed
        self.eol = eol or detect_eol(base_raw if base_raw is not None else "")
        self.state = FileState.PENDING
        self.conflict: ConflictSides | None = None
        self.comments: dict[str, list[str]] = {}
        self.edited: dict[str, str] = {}
        """Hunk id -> how the developer changed the agent's lines there (a diff, told to the agent on accept)."""
        self.accepted = 0
        self.was_deleted = False
        self.agent = ""
        """The subagent whose Write/Edit made the latest proposed content (empty: the main agent)."""
        self._hunks: list[Hunk] | None = None

    @property
    def base(self) -> str | None:
        """The disk content, normalised to LF (None when there is no file)."""
        return None if self.base_raw is None else normalize(self.base_raw)

    def changed(self) -> None:
        """Forget cached hunks after ``base_raw`` or ``proposed`` changed."""
        self._hunks = None

    def set_base(self, base_raw: str | None) -> None:
        """Point the proposal at new disk content (after an accept, an undo or a rebase)."""
        self.base_raw = base_raw
        if base_raw is not None and base_raw:
            self.eol = detect_eol(base_raw)
        self.changed()

    def hunks(self) -> list[Hunk]:
        """Pending hunks (none while in conflict)."""
        if self.state is FileState.CONFLICT:
            return []
        if self._hunks is None:
            if self.base_raw is None:
                self._hunks = [new_file_hunk(split_lines(self.proposed))]
            else:
                self._hunks = compute_hunks(split_lines(normalize(self.base_raw)), split_lines(self.proposed))
        return self._hunks

    def hunk(self, hunk_id: str) -> Hunk | None:
        """The pending hunk with that id."""
        return next((h for h in self.hunks() if h.id == hunk_id), None)

    def settle_state(self) -> None:
        """Recompute ``state`` from accepted count and disk presence (conflict is left to the rebase)."""
        if self.state is FileState.CONFLICT:
            return
        if self.base_raw is None and self.was_deleted:
            self.state = FileState.DELETED_ON_DISK
        elif self.accepted:
            self.state = FileState.PARTLY_ACCEPTED
        else:
            self.state = FileState.PENDING

    def is_done(self) -> bool:
        """Whether nothing is left to review (every hunk decided)."""
        return self.state is not FileState.CONFLICT and self.base_raw is not None and not self.hunks()

    def without(self, hunk_ids: set[str]) -> str:
        """The proposal with the given hunks taken out (rejected), normalised."""
        base = self.base
        if base is None:
            return self.proposed
        keep = [edit for hunk in self.hunks() if hunk.id not in hunk_ids for edit in hunk.edits]
        return "".join(apply_edits(split_lines(base), keep))

    def visible_text(self) -> str:
        """What reading through the overlay returns: the proposal, or the developer's side while in conflict."""
        if self.state is FileState.CONFLICT and self.conflict is not None:
            return self.conflict.ours
        return self.proposed

    def snapshot(self) -> FileProposal:
        """The frozen public view."""
        hunks = tuple(
            dataclasses.replace(h, comments=tuple(self.comments.get(h.id, ())), edited=h.id in self.edited)
            if h.id in self.comments or h.id in self.edited
            else h
            for h in self.hunks()
        )
        return FileProposal(
            path=self.path,
            base=self.base,
            proposed=self.proposed,
            state=self.state,
            hunks=hunks,
            conflict=self.conflict,
            agent=self.agent,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {
            "path": self.path,
            "base_raw": self.base_raw,
            "proposed": self.proposed,
            "eol": self.eol,
            "state": self.state.value,
            "conflict": dataclasses.asdict(self.conflict) if self.conflict else None,
            "comments": self.comments,
            "edited": self.edited,
            "accepted": self.accepted,
            "was_deleted": self.was_deleted,
            "agent": self.agent,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProposalEntry:
        """Rebuild from :meth:`to_json` output."""
        entry = cls(str(data["path"]), data.get("base_raw"), str(data["proposed"]), data.get("eol") or None)
        entry.state = FileState(data.get("state", "pending"))
        conflict = data.get("conflict")
        entry.conflict = ConflictSides(**conflict) if conflict else None
        entry.comments = {str(k): [str(c) for c in v] for k, v in dict(data.get("comments") or {}).items()}
        entry.edited = {str(k): str(v) for k, v in dict(data.get("edited") or {}).items()}
        entry.accepted = int(data.get("accepted", 0))
        entry.was_deleted = bool(data.get("was_deleted", False))
        entry.agent = str(data.get("agent") or "")
        return entry
