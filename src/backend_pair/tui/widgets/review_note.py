"""The note above the review pane's diff: which Bash command made the change, and why a contract does not validate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal


class ReviewNote(Static):
    """Shown only while there is something to say about the selected file."""

    def show(self, proposal: FileProposal | None, problem: str | None) -> None:
        """Say what there is to say about ``proposal``; hide when nothing.

        Args:
            proposal: The selected file, if any.
            problem: Why its proposed contract (OpenAPI, DBML) does not validate, if it does not.
        """
        note = Text()
        if proposal is not None and proposal.origin:
            note.append("changed by Bash ", "bold")
            note.append(f"`{visible(proposal.origin)}`", "bold cyan")
            note.append("  (already on disk: accept keeps and stages a hunk, reject restores it)", "dim")
        if problem is not None:
            if note:
                note.append("\n")
            note.append_text(Text.assemble(("⚠ does not validate: ", "bold yellow"), (visible(problem), "yellow")))
        self.display = bool(note)
        if note:
            self.update(note)
