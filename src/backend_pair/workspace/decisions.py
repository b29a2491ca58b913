"""The review's decision stack: every accept, rejection, comment and edit, in order, for undo (``u``) and redo (``U``).

A decision keeps what is needed to take it back: an accept its :class:`AcceptRecord` (disk and index, as blob ids);
a rejection, a comment or an edit the proposal text around it and the feedback line it queued (withdrawn when it
was not sent yet); a keep or restore of a Bash command's change the index entry or the bytes it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from backend_pair.workspace.model import split_key
from backend_pair.workspace.staging import AcceptRecord

MAX_DECISIONS = 200
"""Decisions kept for undo (the oldest go first)."""

MAX_SAVED_DECISIONS = 40
"""Decisions saved in the journal (rejections and edits carry the proposal's text, so the tail only)."""


class DecisionKind(StrEnum):
    """What the developer decided."""

    ACCEPT = "accept"
    """Hunks written to disk and staged (one hunk, a file, or everything)."""
    REJECT = "reject"
    """One hunk taken out of the proposal."""
    REJECT_FILE = "reject_file"
    """A whole file's proposal dropped."""
    COMMENT = "comment"
    """A comment on a pending hunk."""
    EDIT = "edit"
    """The developer rewrote a hunk (or the whole proposed file) in their editor."""
    COMMAND_KEEP = "command_keep"
    """Hunks a Bash command made, kept and staged."""
    COMMAND_RESTORE = "command_restore"
    """Hunks a Bash command made, restored on disk as before the command."""


@dataclass(frozen=True)
class ReviewStep:
    """What a decision, an undo or a redo did, and where the review cursor belongs now."""

    label: str
    """For the developer (``the rejection of hunk @@ -3,2 +3,3 @@ in app/main.py``)."""
    path: str = ""
    """The file concerned (the first one, for an accept of several)."""
    hunk_id: str = ""
    """The hunk concerned, when it is pending now (else ``""``)."""


@dataclass
class Decision:
    """One decision on the stack; which fields matter depends on ``kind``."""

    kind: DecisionKind
    """What was decided."""
    label: str
    """What it was, for the developer (``hunk @@ -3,2 +3,3 @@ in app/main.py``)."""
    path: str = ""
    """The file (the first one for an accept of several files)."""
    hunk_id: str = ""
    """The hunk (reject, comment, edit of a hunk)."""
    text: str = ""
    """The comment (comment), the rejection's comment (reject, reject_file)."""
    before: str | None = None
    """The proposal before (reject, edit); the whole entry as JSON text (reject_file)."""
    after: str | None = None
    """The proposal after (reject, edit)."""
    base_missing: bool = False
    """The proposal was for a new file (reject)."""
    eol: str = "\n"
    """The file's line ending (reject of a hunk, to rebuild the proposal)."""
    accepted: int = 0
    """Hunks of the file accepted before (reject, to rebuild the proposal)."""
    items: list[str] = field(default_factory=list)
    """Feedback lines this decision queued (withdrawn on undo when not sent yet)."""
    folded: list[tuple[str, str]] = field(default_factory=list)
    """Comment feedback lines a rejection took in (queued again when the rejection is undone before it is sent)."""
    comments: list[str] = field(default_factory=list)
    """The hunk's comments before the rejection."""
    notes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Path -> hunk id -> edit note: edit notes an accept consumed, or an edit made."""
    hunk_comments: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Path -> hunk id -> comments: the comments an accept cleared (back with the hunks when it is undone)."""
    targets: list[tuple[str, list[str]]] = field(default_factory=list)
    """(path, hunk ids) an accept took, for redo."""
    accept: AcceptRecord | None = None
    """What an accept did to disk and index (for undo)."""
    command: dict[str, Any] = field(default_factory=dict)
    """A decision on a Bash command's change: the change, index entry and disk bytes before and after."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the session journal."""
        return {
            "kind": self.kind.value,
            "label": self.label,
            "path": self.path,
            "hunk_id": self.hunk_id,
            "text": self.text,
            "before": self.before,
            "after": self.after,
            "base_missing": self.base_missing,
            "eol": self.eol,
            "accepted": self.accepted,
            "items": list(self.items),
            "folded": [list(pair) for pair in self.folded],
            "comments": list(self.comments),
            "notes": self.notes,
            "hunk_comments": self.hunk_comments,
            "targets": [[path, list(ids)] for path, ids in self.targets],
            "accept": None if self.accept is None else self.accept.to_json(),
            "command": self.command,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        """Rebuild from :meth:`to_json` output (raises ``KeyError``/``ValueError``/``TypeError`` when damaged)."""
        accept = data.get("accept")
        return cls(
            kind=DecisionKind(str(data["kind"])),
            label=str(data.get("label", "")),
            path=str(data.get("path", "")),
            hunk_id=str(data.get("hunk_id", "")),
            text=str(data.get("text", "")),
            before=None if data.get("before") is None else str(data["before"]),
            after=None if data.get("after") is None else str(data["after"]),
            base_missing=bool(data.get("base_missing", False)),
            eol=str(data.get("eol", "\n")),
            accepted=int(data.get("accepted", 0)),
            items=[str(item) for item in data.get("items", [])],
            folded=[(str(pair[0]), str(pair[1])) for pair in data.get("folded", [])],
            comments=[str(text) for text in data.get("comments", [])],
            notes={
                str(path): {str(k): str(v) for k, v in dict(notes).items()}
                for path, notes in dict(data.get("notes", {})).items()
            },
            hunk_comments={
                str(path): {str(k): [str(c) for c in v] for k, v in dict(comments).items()}
                for path, comments in dict(data.get("hunk_comments", {})).items()
            },
            targets=[(str(path), [str(i) for i in ids]) for path, ids in data.get("targets", [])],
            accept=None if not accept else AcceptRecord.from_json(accept),
            command=dict(data.get("command") or {}),
        )

    def paths(self) -> list[str]:
        """Every path this decision names (checked to be plain paths inside the repository on resume)."""
        paths = [split_key(self.path)[0]] if self.path else []
        paths += [split_key(path)[0] for path, _ids in self.targets]
        paths += [change.path for change in self.accept.files] if self.accept is not None else []
        return paths

    @classmethod
    def accepted_record(cls, record: AcceptRecord) -> Decision:
        """An accept from an older journal that kept only the accept history."""
        path = record.files[0].path if record.files else ""
        return cls(DecisionKind.ACCEPT, record.label, path, accept=record)


class DecisionStack:
    """Decisions done (undoable, oldest first) and undone (redoable, most recently undone last)."""

    def __init__(self) -> None:
        """Start empty."""
        self.done: list[Decision] = []
        """Decisions that can be undone, oldest first."""
        self.undone: list[Decision] = []
        """Decisions undone that can be redone; emptied by any new decision."""

    def push(self, decision: Decision, *, redoing: bool = False) -> None:
        """Record a decision; a new one (not a redo) makes what was undone no longer redoable."""
        self.done.append(decision)
        del self.done[:-MAX_DECISIONS]
        if not redoing:
            self.undone.clear()

    def to_json(self) -> dict[str, Any]:
        """Plain data: the tail of both lists."""
        return {
            "decisions": [d.to_json() for d in self.done[-MAX_SAVED_DECISIONS:]],
            "undone": [d.to_json() for d in self.undone[-MAX_SAVED_DECISIONS:]],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionStack:
        """Rebuild from :meth:`to_json` output, or from an older journal's accept ``history``."""
        stack = cls()
        if "decisions" in data:
            stack.done = [Decision.from_json(item) for item in data.get("decisions", [])]
            stack.undone = [Decision.from_json(item) for item in data.get("undone", [])]
        else:
            stack.done = [Decision.accepted_record(AcceptRecord.from_json(item)) for item in data.get("history", [])]
        return stack
