"""A hunk's rows as Rich text: unified or side by side, with the header, the word marks and the comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text

from backend_pair.tui.diff.words import ADDED_WORD_STYLE, REMOVED_WORD_STYLE, Ranges, word_marks
from backend_pair.tui.diff.wrap import wrap_rows
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import Hunk
from backend_pair.tui.diff.highlight import Highlighter
from backend_pair.workspace.hunks import hunk_title

ADDED_STYLE = "on #12361f"
"""Background of an added line."""
REMOVED_STYLE = "on #3d1518"
"""Background of a removed line."""
GUTTER_STYLE = "dim"
"""Line numbers."""
EDITED_MARK = "✎ edited by you"
"""After the header of a hunk the developer rewrote in their editor."""

COMMENT_PREFIX = "    # comment: "
"""What a reviewer's comment line starts with, under its hunk."""
UNIFIED_LEAD = 13
"""Cells before the code in a unified row: the mark, two 4-digit line numbers each with a space, the sign, a space."""


@dataclass(frozen=True)
class RenderedDiff:
    """A diff as lines of text plus where each hunk starts, so the view can scroll the current hunk into sight."""

    text: Text
    """All lines, joined with newlines."""
    hunk_offsets: tuple[int, ...]
    """Line index of each hunk's header within ``text``."""


def _mark_words(code: Text, ranges: Ranges | None, style: str) -> None:
    """Emphasise ``ranges`` of ``code`` (skipped if the highlighted text is not the line the ranges measure)."""
    if not ranges:
        return
    for start, end in ranges:
        if end <= len(code.plain):
            code.stylize(style, start, end)


def _hunk_header(hunk: Hunk, index: int, total: int, current: bool, width: int) -> Text:
    marker = "▶ " if current else "  "
    label = f"{marker}hunk {index + 1}/{total}  {hunk_title(hunk)}"
    if hunk.edited:
        label += f"  {EDITED_MARK}"
    header = Text(label, style="bold reverse" if current else "bold cyan", no_wrap=True, overflow="ellipsis")
    header.truncate(max(width, 10), pad=current)
    return header


def _comment_lines(hunk: Hunk) -> list[Text]:
    return [
        Text(COMMENT_PREFIX + visible(comment, multiline=False), style="italic yellow") for comment in hunk.comments
    ]


def unified_rows(
    hunk: Hunk, index: int, total: int, current: bool, width: int, highlighter: Highlighter, wrap: bool = False
) -> list[Text]:
    """One hunk's rows in the unified view: header, lines (cut to the width when ``wrap``), comments, a blank."""
    rows = [_hunk_header(hunk, index, total, current, width)]
    bar = Text("▌" if current else " ", style="bold yellow")
    marks = word_marks(hunk)
    for diff_line in hunk.lines:
        gutter = Text(
            f"{diff_line.old_no if diff_line.old_no is not None else '':>4} "
            f"{diff_line.new_no if diff_line.new_no is not None else '':>4} ",
            style=GUTTER_STYLE,
        )
        sign_style = {"+": "bold green", "-": "bold red"}.get(diff_line.kind, "")
        code = highlighter.line(diff_line.kind, diff_line.text, diff_line.old_no, diff_line.new_no)
        if diff_line.kind == "+":
            _mark_words(code, marks.get(("+", diff_line.new_no)), ADDED_WORD_STYLE)
        elif diff_line.kind == "-":
            _mark_words(code, marks.get(("-", diff_line.old_no)), REMOVED_WORD_STYLE)
        row = Text.assemble(bar, gutter, Text(diff_line.kind, style=sign_style), " ", code)
        row.no_wrap = True
        row.overflow = "ellipsis"
        # Underneath what is already there, so the changed words' stronger background stays on top.
        background = {"+": ADDED_STYLE, "-": REMOVED_STYLE}.get(diff_line.kind, "")
        if background:
            row.stylize_before(background)
        if wrap:
            rows.extend(wrap_rows(row, UNIFIED_LEAD, bar, width, background))
        else:
            rows.append(row)
    rows.extend(_comment_lines(hunk))
    rows.append(Text(""))
    return rows


def cell(number: int | None, code: Text | None, style: str, half: int) -> Text:
    if code is None:
        return Text(" " * half)
    cell = Text.assemble(Text(f"{number if number is not None else '':>4} ", style=GUTTER_STYLE), code)
    cell.truncate(half, overflow="ellipsis", pad=True)
    if style:
        cell.stylize_before(style)
    return cell


class SideLine(NamedTuple):
    """One side of a side-by-side row."""

    number: int | None
    """The line's number on its side."""
    kind: str
    """``-`` removed, ``+`` added, `` `` context."""
    text: str
    """The line's text."""


class RowPair(NamedTuple):
    """A side-by-side row: a removed (or context) line beside the added (or context) line; either may be absent."""

    left: SideLine | None
    right: SideLine | None


def pair_rows(hunk: Hunk) -> list[RowPair]:
    """Pair removed lines with the added lines that replace them; context lines sit on both sides."""
    rows: list[RowPair] = []
    removed: list[SideLine] = []
    added: list[SideLine] = []

    def flush() -> None:
        for position in range(max(len(removed), len(added))):
            left = removed[position] if position < len(removed) else None
            right = added[position] if position < len(added) else None
            rows.append(RowPair(left, right))
        removed.clear()
        added.clear()

    for line in hunk.lines:
        if line.kind == "-":
            removed.append(SideLine(line.old_no, "-", line.text))
        elif line.kind == "+":
            added.append(SideLine(line.new_no, "+", line.text))
        else:
            flush()
            rows.append(RowPair(SideLine(line.old_no, " ", line.text), SideLine(line.new_no, " ", line.text)))
    flush()
    return rows


def split_rows(hunk: Hunk, index: int, total: int, current: bool, width: int, highlighter: Highlighter) -> list[Text]:
    """One hunk's rows side by side: header, paired lines, comments, a blank line."""
    half = half_width(width)
    rows = [_hunk_header(hunk, index, total, current, width)]
    bar = Text("▌" if current else " ", style="bold yellow")
    marks = word_marks(hunk)
    for left, right in pair_rows(hunk):
        left_text = right_text = None
        if left is not None:
            paired_new = None if left.kind == "-" or right is None else right.number
            left_text = highlighter.line(left.kind, left.text, left.number, paired_new)
            if left.kind == "-":
                _mark_words(left_text, marks.get(("-", left.number)), REMOVED_WORD_STYLE)
        if right is not None:
            right_text = highlighter.line(right.kind, right.text, None, right.number)
            if right.kind == "+":
                _mark_words(right_text, marks.get(("+", right.number)), ADDED_WORD_STYLE)
        left_style = REMOVED_STYLE if left is not None and left.kind == "-" else ""
        right_style = ADDED_STYLE if right is not None and right.kind == "+" else ""
        row = Text.assemble(
            bar,
            cell(left.number if left else None, left_text, left_style, half),
            Text("│", style="dim"),
            cell(right.number if right else None, right_text, right_style, half),
        )
        row.no_wrap = True
        rows.append(row)
    rows.extend(_comment_lines(hunk))
    rows.append(Text(""))
    return rows


def half_width(width: int) -> int:
    """Columns of each side in the side-by-side view."""
    return max((width - 3) // 2, 12)
