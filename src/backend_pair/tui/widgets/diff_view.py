"""The diff of one file, hunk by hunk, with the current hunk marked and kept in view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from backend_pair.tui.diff.conflict import render_conflict
from backend_pair.tui.diff.document import DiffDocument
from backend_pair.tui.key_hints import key_hint
from backend_pair.tui.widgets.file_list import in_conflict

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal

EMPTY_TEXT = "Nothing to review. Proposals from the agent appear here, hunk by hunk."
"""Shown when no file awaits review."""


class _FixedRows:
    """Rows rendered all at once (the empty state, a conflict): few enough that laziness buys nothing."""

    def __init__(self, text: Text) -> None:
        self._rows = text.split("\n", allow_blank=True) if text.plain else [text]
        self.line_count = len(self._rows)
        self.max_width = max((row.cell_len for row in self._rows), default=0)

    def row(self, y: int) -> Text:
        return self._rows[y]


class DiffView(ScrollView, can_focus=False):
    """Shows a proposal as a unified or side-by-side diff; the review pane says which file and hunk.

    A Line API widget: only the rows on screen are drawn, and only the hunks they belong to are highlighted and
    assembled, so a 10,000-line file costs what a 40-line one does. Moving the current-hunk mark rebuilds the rows
    of the two hunks it leaves and reaches; every other row is drawn from the cache.
    """

    DEFAULT_CSS = """
    DiffView {
        height: 1fr;
        padding: 0;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty diff view."""
        super().__init__(id=id)
        self._proposal: FileProposal | None = None
        self._current = 0
        self._split = False
        self._wrap = False
        self._width = 0
        self._document: DiffDocument | _FixedRows = _FixedRows(Text(EMPTY_TEXT, style="dim"))
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._base_style: Style | None = None
        self.virtual_size = Size(self._document.max_width, self._document.line_count)

    def show(self, proposal: FileProposal | None, current: int, split: bool, wrap: bool = False) -> None:
        """Render ``proposal`` with hunk ``current`` marked and scrolled into view.

        The same proposal in the same mode only moves the mark (the rows of the two hunks concerned are rebuilt).

        Args:
            proposal: The file to show, or None for the empty state.
            current: Index of the current hunk.
            split: Side by side instead of unified.
            wrap: Wrap long lines instead of scrolling them sideways.
        """
        document = self._document
        if (
            isinstance(document, DiffDocument)
            and proposal is self._proposal
            and split == self._split
            and wrap == self._wrap
            and self._render_width() == self._width
        ):
            self._current = current
            for rows in document.set_current(current):
                self._forget_rows(rows)
            # The view scrolls to the hunk and draws itself once; refreshing the changed rows by their own
            # regions would mark rows off screen, outside the widget, as dirty.
            self.refresh()
            self._scroll_to_current(at_once=True)
            return
        new_file = proposal is None or self._proposal is None or proposal.path != self._proposal.path
        self._proposal, self._current, self._split, self._wrap = proposal, current, split, wrap
        self._render_diff()
        if new_file and self.scroll_x:
            self.scroll_home_x()

    def scroll_home_x(self) -> None:
        """Back to the start of the lines (the sideways offset is per file: a new file starts at column 0)."""
        self.scroll_to(x=0, animate=False, immediate=True)

    def rendered_text(self) -> str:
        """Every row as plain text (for tests: a large diff is drawn in full by this)."""
        return "\n".join(self._document.row(y).plain for y in range(self._document.line_count))

    def _render_width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _render_diff(self) -> None:
        proposal = self._proposal
        self._width = width = self._render_width()
        if proposal is None:
            lines = Text(EMPTY_TEXT, style="dim").wrap(self.app.console, width)
            self._set_document(_FixedRows(Text("\n").join(lines)))
            self.call_after_refresh(self.scroll_home, animate=False)
            return
        if in_conflict(proposal):
            keys = (key_hint(self.app, "review.redo_conflict", "r"), key_hint(self.app, "review.reject_file", "D"))
            self._set_document(_FixedRows(render_conflict(proposal, width, self._split, keys)))
            self.call_after_refresh(self.scroll_home, animate=False)
            return
        self._set_document(DiffDocument(proposal, self._current, width, split=self._split, wrap=self._wrap))
        self._scroll_to_current()

    def _set_document(self, document: DiffDocument | _FixedRows) -> None:
        self._document = document
        self._strips.clear()
        self.virtual_size = Size(document.max_width, document.line_count)
        self.refresh()

    def _scroll_to_current(self, at_once: bool = False) -> None:
        """Bring the current hunk's header to the top; ``at_once`` when the document (and its size) is unchanged.

        A new document waits for the refresh that applies its size; moving the mark scrolls in the same frame.
        """
        document = self._document
        if isinstance(document, DiffDocument) and document.hunk_offsets:
            offset = document.hunk_offsets[min(self._current, len(document.hunk_offsets) - 1)]
            if at_once:
                self.scroll_to(y=max(offset - 1, 0), animate=False, immediate=True)
            else:
                self.call_after_refresh(self.scroll_to, y=max(offset - 1, 0), animate=False)

    def _forget_rows(self, rows: range) -> None:
        for y in rows:
            self._strips.discard(y)

    def render_line(self, y: int) -> Strip:
        """One screen row: the document row under it, cropped to the horizontal scroll."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        if row >= self._document.line_count:
            return Strip.blank(width, self._style())
        strip = self._strips.get(row)
        if strip is None:
            text = self._document.row(row)
            if text.style or "\t" in text.plain:
                # Text.render ignores a Text's own style (only spans count), so it becomes the bottom span.
                text = text.copy()
                if text.style:
                    text.stylize_before(text.style)
                    text.style = ""
                text.expand_tabs(4)
            strip = Strip(text.render(self.app.console), text.cell_len).apply_style(self._style())
            self._strips[row] = strip
        document = self._document
        fixed = document.fixed_cells(row) if isinstance(document, DiffDocument) else 0
        if fixed is None:
            return strip.crop_extend(0, width, self._style())
        if fixed and scroll_x and width > fixed:
            # Line numbers and the +/- sign stay in place; only the code moves.
            lead = strip.crop_extend(0, fixed, self._style())
            code = strip.crop_extend(fixed + scroll_x, scroll_x + width, self._style())
            return Strip.join([lead, code])
        return strip.crop_extend(scroll_x, scroll_x + width, self._style())

    def _style(self) -> Style:
        """The widget's own style under every row (``rich_style`` walks the DOM: too slow to ask per row)."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        """Theme or CSS changed: drop the drawn rows."""
        super().notify_style_update()
        self._strips.clear()
        self._base_style = None

    def on_resize(self, event: Resize) -> None:
        """Re-render at a new width (headers and split columns depend on it); a height change needs nothing."""
        if self._render_width() != self._width:
            self._render_diff()
