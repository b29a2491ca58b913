"""The diff of one file, hunk by hunk, with the current hunk marked and kept in view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.widgets import Static

from backend_pair.tui.diff_render import render_conflict, render_split, render_unified

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal

EMPTY_TEXT = "Nothing to review. Proposals from the agent appear here, hunk by hunk."
"""Shown when no file awaits review."""


class DiffView(VerticalScroll, can_focus=False):
    """Shows a proposal as a unified or side-by-side diff; the review pane says which file and hunk."""

    DEFAULT_CSS = """
    DiffView {
        height: 1fr;
        padding: 0;
        overflow-x: auto;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    DiffView > Static {
        width: auto;
        min-width: 100%;
        text-wrap: nowrap;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty diff view."""
        super().__init__(id=id)
        self._proposal: FileProposal | None = None
        self._current = 0
        self._split = False
        self._body = Static(Text(EMPTY_TEXT, style="dim"))

    def compose(self) -> ComposeResult:
        """The one Static that holds the rendered diff."""
        yield self._body

    def show(self, proposal: FileProposal | None, current: int, split: bool) -> None:
        """Render ``proposal`` with hunk ``current`` marked and scrolled into view.

        Args:
            proposal: The file to show, or None for the empty state.
            current: Index of the current hunk.
            split: Side by side instead of unified.
        """
        self._proposal, self._current, self._split = proposal, current, split
        self._render_diff()

    def _render_diff(self) -> None:
        proposal = self._proposal
        width = max(self.scrollable_content_region.width, 20)
        if proposal is None:
            self._body.update(Text(EMPTY_TEXT, style="dim"))
            self.call_after_refresh(self.scroll_home, animate=False)
            return
        if proposal.conflict is not None or str(getattr(proposal.state, "value", proposal.state)) == "conflict":
            self._body.update(render_conflict(proposal, width, self._split))
            self.call_after_refresh(self.scroll_home, animate=False)
            return
        rendered = (render_split if self._split else render_unified)(proposal, self._current, width)
        self._body.update(rendered.text)
        if rendered.hunk_offsets:
            offset = rendered.hunk_offsets[min(self._current, len(rendered.hunk_offsets) - 1)]
            self.call_after_refresh(self.scroll_to, y=max(offset - 1, 0), animate=False)

    def on_resize(self, event: Resize) -> None:
        """Re-render at the new width (headers and split columns depend on it)."""
        self._render_diff()
