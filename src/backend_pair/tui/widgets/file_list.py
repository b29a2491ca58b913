"""The files with pending changes, each with its review state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend_pair.untrusted import visible
from backend_pair.workspace.model import FileState

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal

STATE_BADGES: dict[FileState, tuple[str, str]] = {
    FileState.PENDING: ("●", "yellow"),
    FileState.PARTLY_ACCEPTED: ("◐", "green"),
    FileState.CONFLICT: ("✖", "bold red"),
    FileState.DELETED_ON_DISK: ("⌫", "red"),
}
"""Glyph and colour for each file state."""

STATE_LABELS: dict[FileState, str] = {
    FileState.PENDING: "pending",
    FileState.PARTLY_ACCEPTED: "partly accepted",
    FileState.CONFLICT: "conflict",
    FileState.DELETED_ON_DISK: "deleted on disk",
}
"""Words for each file state."""


def in_conflict(proposal: FileProposal) -> bool:
    """Whether the file is in conflict (the proposal no longer merges with the developer's edit)."""
    return proposal.conflict is not None or proposal.state is FileState.CONFLICT


class FileList(OptionList, can_focus=False):
    """Lists proposals as ``▸ ● path  (state, N hunks)``, ``▸`` marking the file shown; the review pane drives it."""

    DEFAULT_CSS = """
    FileList {
        height: auto;
        max-height: 7;
        border: none;
        border-bottom: solid $primary 30%;
        padding: 0;
        background: transparent;
    }
    """

    def show(self, proposals: Sequence[FileProposal], selected: int, problems: Mapping[str, str] | None = None) -> None:
        """Replace the list and highlight the ``selected`` file.

        Args:
            proposals: The files awaiting review, in display order.
            selected: Index of the file shown in the diff.
            problems: Paths whose proposed contract does not validate (marked ``⚠ invalid``).
        """
        options: list[Option] = []
        for index, proposal in enumerate(proposals):
            state = proposal.state
            glyph, style = STATE_BADGES.get(state, ("●", ""))
            hunks = len(proposal.hunks)
            detail = STATE_LABELS.get(state, str(state))
            if proposal.origin:
                detail = "changed by Bash"
            elif proposal.is_new:
                detail = f"new file, {detail}"
            count = f", {hunks} hunk{'s' if hunks != 1 else ''}" if hunks else ""
            if problems and proposal.path in problems:
                count += ", ⚠ invalid"
            if proposal.agent:  # proposed by a subagent (a Task), not the main agent
                count += f" · by {visible(proposal.agent, multiline=False)[:30]}"
            # The marker keeps the selection visible without colour (NO_COLOR, monochrome terminals).
            is_selected = index == selected
            prompt = Text.assemble(
                ("▸ " if is_selected else "  ", "bold"),
                (glyph + " ", style),
                (visible(proposal.path, multiline=False), "bold" if is_selected else ""),
                (f"  {detail}{count}", "dim"),
                no_wrap=True,
                overflow="ellipsis",
            )
            options.append(Option(prompt, id=proposal.key))
        self.set_options(options)
        if proposals:
            self.highlighted = min(max(selected, 0), len(proposals) - 1)
