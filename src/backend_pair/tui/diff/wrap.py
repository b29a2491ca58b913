"""Wrapping a long diff line into rows that fit the pane, continuation rows marked."""

from __future__ import annotations

from rich.cells import get_character_cell_size
from rich.text import Text

WRAP_MARK = "↪ "
"""Where a wrapped line's continuation rows start (under the sign and its space)."""


def wrap_starts(code: str, width: int) -> list[int]:
    """Offsets in ``code`` where each row of it starts when it is wrapped at ``width`` cells (``[0]``: one row).

    Args:
        code: The code of one line as shown.
        width: Cells available for code on a row.
    """
    starts = [0]
    used = 0
    width = max(width, 1)
    for offset, char in enumerate(code):
        size = get_character_cell_size(char)
        if used + size > width and used:
            starts.append(offset)
            used = 0
        used += size
    return starts


def wrap_rows(row: Text, lead: int, bar: Text, width: int, background: str) -> list[Text]:
    """A code row cut into rows of ``width``: continuation rows start with the mark and ``WRAP_MARK``.

    Args:
        row: The row: ``lead`` cells of mark, line numbers and sign, then the code.
        lead: Cells before the code.
        bar: The current-hunk mark, repeated on continuation rows.
        width: Cells available; the code gets ``width - lead`` (at least 10) on each row.
        background: The line's background style, laid under continuation rows too.
    """
    code = row[lead:]
    starts = wrap_starts(code.plain, max(width - lead, 10))
    if len(starts) == 1:
        return [row]
    pieces = code.divide(starts[1:])
    rows = [Text.assemble(row[:lead], pieces[0])]
    for piece in pieces[1:]:
        prefix = Text.assemble(bar, " " * (lead - 1 - len(WRAP_MARK)), (WRAP_MARK, "dim"))
        rows.append(Text.assemble(prefix, piece))
    for wrapped in rows:
        wrapped.no_wrap = True
        if background:
            wrapped.stylize_before(background)
    return rows
