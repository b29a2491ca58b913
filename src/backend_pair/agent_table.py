"""The table `backend-pair agents` prints: one row per agent, measured in terminal cells, fitted to a width."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from backend_pair.untrusted import visible

HEADERS = ("NAME", "MODEL", "TOOLS", "DESCRIPTION", "SOURCE")
"""The columns, in order."""

GAP = "  "
"""Between two columns."""

ELLIPSIS = "…"
"""Ends a cell cut to fit (starts one for a path, whose end is what tells files apart)."""

SHRINK_ORDER: tuple[tuple[int, int], ...] = ((3, 16), (2, 16), (4, 20), (3, 8), (2, 8), (4, 12), (0, 12))
"""``(column, narrowest)`` in the order columns give up width: the description first, then the tools, the source
(cut at its start: the file name stays), description, tools and source further, the name last (it is what
``--agent`` takes). The model id is never cut; a table that still does not fit is left to the terminal to wrap."""


@dataclass(frozen=True)
class AgentRow:
    """One agent as the table shows it (any text from an agent file is untrusted)."""

    name: str
    model: str
    """The resolved model id."""
    tools: str
    description: str
    source: str


def one_line(text: str) -> str:
    """``text`` on one line, whitespace runs collapsed, control characters shown as visible tokens."""
    return visible(" ".join(text.split()), multiline=False)


def fit(text: str, width: int, *, keep_end: bool = False) -> str:
    """``text`` cut to at most ``width`` terminal cells, with ``…`` where it was cut (a wide character split by the
    cut becomes a space, so the result is never wider than asked).

    Args:
        text: One line.
        width: Cells available (at least 1).
        keep_end: Cut the start instead of the end (paths).

    Returns:
        ``text`` itself when it fits.
    """
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if keep_end:
        reversed_cut = set_cell_size(text[::-1], width - 1)
        return ELLIPSIS + reversed_cut[::-1].lstrip()
    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


def render_table(rows: Sequence[AgentRow], width: int | None) -> list[str]:
    """The table's lines: a header, then one line per row, columns aligned by terminal cells.

    Args:
        rows: The agents.
        width: The terminal's width in cells; ``None`` prints every cell whole (output to a pipe or a file).

    Returns:
        Lines without trailing spaces, each at most ``width`` cells when the columns can shrink that far.
    """
    cells = [list(HEADERS)] + [
        [one_line(row.name), one_line(row.model), one_line(row.tools), one_line(row.description), one_line(row.source)]
        for row in rows
    ]
    widths = [max(cell_len(line[column]) for line in cells) for column in range(len(HEADERS))]
    if width is not None:
        excess = sum(widths) + cell_len(GAP) * (len(widths) - 1) - width
        for column, narrowest in SHRINK_ORDER:
            if excess <= 0:
                break
            give = min(excess, max(0, widths[column] - max(narrowest, cell_len(HEADERS[column]))))
            widths[column] -= give
            excess -= give
    lines = []
    for line in cells:
        shown = [fit(cell, widths[column], keep_end=column == len(HEADERS) - 1) for column, cell in enumerate(line)]
        padded = [cell + " " * (widths[column] - cell_len(cell)) for column, cell in enumerate(shown)]
        lines.append(GAP.join(padded).rstrip())
    return lines
