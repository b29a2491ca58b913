"""The workspace's state as plain JSON data, for the session journal and ``--resume``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend_pair.workspace.decisions import DecisionStack
from backend_pair.workspace.errors import WorkspaceError
from backend_pair.workspace.feedback import FeedbackQueue
from backend_pair.workspace.overlay import ProposalEntry

JSON_VERSION = 1
"""Version of the saved layout."""


@dataclass
class SavedState:
    """Everything a session needs back: proposals (with comments), decisions (undo, redo), feedback not yet sent."""

    entries: list[ProposalEntry]
    """Pending proposals."""
    decisions: DecisionStack
    """Decisions that can be undone and redone (accepts keep their texts as blob ids)."""
    accepted: dict[str, int]
    """Hunks accepted per file this session."""
    feedback: FeedbackQueue
    """Feedback waiting for the agent."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {
            "version": JSON_VERSION,
            "entries": [entry.to_json() for entry in sorted(self.entries, key=lambda e: e.path)],
            "feedback": list(self.feedback.items),
            "feedback_accepted": dict(self.feedback.accepted_hunks),
            **self.decisions.to_json(),
            "accepted": dict(self.accepted),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SavedState:
        """Rebuild from :meth:`to_json` output.

        Raises:
            WorkspaceError: Another version, or damaged data.
        """
        if not isinstance(data, dict) or data.get("version") != JSON_VERSION:
            version = data.get("version") if isinstance(data, dict) else None
            raise WorkspaceError(f"saved workspace state has version {version}, expected {JSON_VERSION}")
        try:
            feedback = FeedbackQueue()
            feedback.items = [str(item) for item in data.get("feedback", [])]
            feedback.accepted_hunks = {str(k): int(v) for k, v in dict(data.get("feedback_accepted", {})).items()}
            return cls(
                entries=[ProposalEntry.from_json(item) for item in data.get("entries", [])],
                decisions=DecisionStack.from_json(data),
                accepted={str(k): int(v) for k, v in dict(data.get("accepted", {})).items()},
                feedback=feedback,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise WorkspaceError(f"saved workspace state is damaged ({type(err).__name__}: {err})") from None
