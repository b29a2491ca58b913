"""A proposal's diff as rows built on demand: drawing costs what is on screen, not what is in the file."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from backend_pair.tui.diff.highlight import Highlighter
from backend_pair.tui.diff.rows import (
    COMMENT_PREFIX,
    UNIFIED_LEAD,
    RenderedDiff,
    half_width,
    pair_rows,
    split_rows,
    unified_rows,
)
from backend_pair.tui.diff.wrap import wrap_starts
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal
from backend_pair.tui.diff.highlight import highlighter_for


class DiffDocument:
    """A proposal's diff as rows built on demand, so drawing costs what is on screen, not what is in the file.

    Row counts and widths are known up front (cheap: no highlighting); a hunk's rows are assembled the first time
    one of them is drawn and kept until the current-hunk mark moves onto or off that hunk.
    """

    def __init__(self, proposal: FileProposal, current: int, width: int, *, split: bool, wrap: bool = False) -> None:
        """Lay out ``proposal``'s hunks.

        Args:
            proposal: The file proposal to show.
            current: Index of the current hunk.
            width: Columns available.
            split: Side by side instead of unified.
            wrap: Wrap long lines of the unified view (continuation rows marked) instead of scrolling sideways.
        """
        self.proposal = proposal
        """The proposal shown."""
        self.split = split
        """Side by side instead of unified."""
        self.wrap = wrap and not split
        """Long lines wrap (unified only: the side-by-side halves are cut at their width)."""
        self.width = width
        """Columns the rows are laid out for."""
        self.current = current
        """Index of the marked hunk."""
        self._highlighter: Highlighter | None = None
        self._rows: dict[int, list[Text]] = {}
        offsets: list[int] = []
        line_count = 0
        widest = max(width, 10)
        half = half_width(width)
        for hunk in proposal.hunks:
            offsets.append(line_count)
            if split:
                body = len(pair_rows(hunk))
            elif self.wrap:
                body = sum(len(wrap_starts(visible(line.text), max(width - UNIFIED_LEAD, 10))) for line in hunk.lines)
            else:
                body = len(hunk.lines)
            line_count += 2 + body + len(hunk.comments)
            if split:
                widest = max(widest, 2 * half + 2)  # the mark, both halves, the rule
            elif not self.wrap:
                for diff_line in hunk.lines:
                    code = visible(diff_line.text)
                    widest = max(widest, UNIFIED_LEAD + cell_len(code))
            for comment in hunk.comments:
                widest = max(widest, len(COMMENT_PREFIX) + cell_len(comment))
        self.hunk_offsets: tuple[int, ...] = tuple(offsets)
        """Line index of each hunk's header."""
        self.line_count = line_count
        """Rows in all."""
        self.max_width = widest
        """Cells of the widest row."""

    def hunk_at(self, y: int) -> int:
        """Index of the hunk row ``y`` belongs to."""
        return max(bisect_right(self.hunk_offsets, y) - 1, 0)

    def row(self, y: int) -> Text:
        """Row ``y`` (0-based), assembled with its hunk the first time it is asked for."""
        index = self.hunk_at(y)
        rows = self._rows.get(index)
        if rows is None:
            if self._highlighter is None:
                proposal = self.proposal
                self._highlighter = highlighter_for(proposal.path, proposal.base, proposal.proposed)
            self._highlighter.prepare(self.proposal.hunks[index])
            total = len(self.proposal.hunks)
            hunk = self.proposal.hunks[index]
            current = index == self.current
            if self.split:
                rows = split_rows(hunk, index, total, current, self.width, self._highlighter)
            else:
                rows = unified_rows(hunk, index, total, current, self.width, self._highlighter, self.wrap)
            self._rows[index] = rows
        return rows[y - self.hunk_offsets[index]]

    def fixed_cells(self, y: int) -> int | None:
        """Cells at the left of row ``y`` that stay put when the view scrolls sideways.

        Unified code rows keep their mark, line numbers and sign (``UNIFIED_LEAD``) while the code scrolls; a hunk
        header does not scroll at all (``None``); every other row scrolls whole (0).
        """
        if self.split or self.wrap:
            return 0
        index = self.hunk_at(y)
        within = y - self.hunk_offsets[index] if self.hunk_offsets else -1
        if within == 0:
            return None
        if 0 < within <= len(self.proposal.hunks[index].lines):
            return UNIFIED_LEAD
        return 0

    def hunk_lines(self, index: int) -> range:
        """The rows of hunk ``index``."""
        if not 0 <= index < len(self.hunk_offsets):
            return range(0)
        end = self.hunk_offsets[index + 1] if index + 1 < len(self.hunk_offsets) else self.line_count
        return range(self.hunk_offsets[index], end)

    def set_current(self, current: int) -> list[range]:
        """Move the mark to hunk ``current``; the rows that changed."""
        if current == self.current:
            return []
        changed = [self.hunk_lines(self.current), self.hunk_lines(current)]
        self._rows.pop(self.current, None)
        self._rows.pop(current, None)
        self.current = current
        return changed

    def render_all(self) -> RenderedDiff:
        """Every row joined: for tests and small files."""
        lines = [self.row(y) for y in range(self.line_count)]
        return RenderedDiff(Text("\n", no_wrap=True).join(lines), self.hunk_offsets)


def render_unified(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk of ``proposal`` one after another, the ``current`` one marked.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available (the current hunk's header is padded to it).
    """
    return DiffDocument(proposal, current, width, split=False).render_all()


def render_split(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk side by side: the file on disk left, the proposal right.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available; each side gets half.
    """
    return DiffDocument(proposal, current, width, split=True).render_all()
