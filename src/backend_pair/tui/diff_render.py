"""Render a file proposal's hunks as Rich text: unified or side by side, syntax highlighted by file name."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pygments.lexers import get_lexer_for_filename
from pygments.util import ClassNotFound
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Span, Text

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal, Hunk

ADDED_STYLE = "on #12361f"
"""Background of an added line."""
REMOVED_STYLE = "on #3d1518"
"""Background of a removed line."""
GUTTER_STYLE = "dim"
"""Line numbers."""
SYNTAX_THEME = "monokai"
"""Pygments theme used for code tokens."""


@dataclass(frozen=True)
class RenderedDiff:
    """A diff as lines of text plus where each hunk starts, so the view can scroll the current hunk into sight."""

    text: Text
    """All lines, joined with newlines."""
    hunk_offsets: tuple[int, ...]
    """Line index of each hunk's header within ``text``."""


@lru_cache(maxsize=64)
def lexer_name_for(path: str) -> str:
    """The pygments lexer alias for a file name (``text`` when none matches).

    Args:
        path: A repo-relative path; only its name matters.
    """
    try:
        lexer = get_lexer_for_filename(path.rsplit("/", 1)[-1])
    except ClassNotFound:
        return "text"
    aliases: list[str] = list(lexer.aliases)
    return aliases[0] if aliases else "text"


def highlight_lines(text: str | None, path: str) -> list[Text]:
    """Highlight a whole file at once (so multi-line strings colour right) and split it into lines.

    Args:
        text: The file's text; ``None`` gives no lines.
        path: Its path, which picks the lexer.
    """
    if not text:
        return []
    lexer = lexer_name_for(path)
    if lexer == "text":
        return [Text(line) for line in text.splitlines()]
    syntax = Syntax("", lexer, theme=SYNTAX_THEME, background_color="default")
    highlighted = syntax.highlight(text)
    highlighted.rstrip()
    # Token colours only: the theme's background would hide the added / removed line backgrounds.
    highlighted.style = ""
    highlighted.spans = [Span(span.start, span.end, _foreground(span.style)) for span in highlighted.spans]
    return list(highlighted.split("\n", allow_blank=True))


def _foreground(style: str | Style) -> str | Style:
    if isinstance(style, str) or style.bgcolor is None:
        return style
    return Style(color=style.color, bold=style.bold, italic=style.italic, underline=style.underline)


def hunk_title(hunk: Hunk) -> str:
    """The ``@@ -a,b +c,d @@`` line of a hunk (with the enclosing context when the hunk carries one)."""
    header = hunk.header.strip()
    if header.startswith("@@"):
        return header
    title = f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"
    return f"{title} {header}" if header else title


def hunk_as_patch(path: str, hunk: Hunk) -> str:
    """A hunk as unified diff text, for the clipboard."""
    lines = [f"--- a/{path}", f"+++ b/{path}", hunk_title(hunk)]
    lines.extend(f"{line.kind}{line.text}" for line in hunk.lines)
    return "\n".join(lines) + "\n"


WHOLE_FILE_LINES = 1500
"""Files up to this many lines are highlighted whole; longer ones around each hunk only (keeps keys instant)."""
WINDOW_LEAD = 40
"""Lines before a hunk included when highlighting around it (so a string or comment opened above colours right)."""


@lru_cache(maxsize=32)
def _highlighted(text: str | None, path: str) -> tuple[Text, ...]:
    """Cached: moving between hunks re-renders the file, but its texts rarely change between key presses."""
    return tuple(highlight_lines(text, path))


class _Side:
    """Highlighted lines of one side (disk or proposal), by 1-based line number."""

    def __init__(self, text: str | None, path: str) -> None:
        self._path = path
        self._text = text or ""
        self._lines = self._text.splitlines()
        self._by_number: dict[int, Text] = {}
        if len(self._lines) <= WHOLE_FILE_LINES:
            self._by_number = dict(enumerate(_highlighted(text, path), 1))

    def prepare(self, start: int, count: int) -> None:
        """Make sure lines ``start .. start + count - 1`` are highlighted (large files: a window around them)."""
        if len(self._lines) <= WHOLE_FILE_LINES or all(n in self._by_number for n in range(start, start + count)):
            return
        first = max(start - WINDOW_LEAD, 1)
        last = min(start + count - 1, len(self._lines))
        window = "\n".join(self._lines[first - 1 : last]) + "\n"
        for offset, line in enumerate(_highlighted(window, self._path)):
            self._by_number.setdefault(first + offset, line)

    def get(self, number: int | None) -> Text | None:
        """The highlighted line, if known."""
        return self._by_number.get(number) if number is not None else None


class _Highlighter:
    """Looks up the highlighted text of a diff line by its line number on either side."""

    def __init__(self, proposal: FileProposal) -> None:
        self._old = _Side(proposal.base, proposal.path)
        self._new = _Side(proposal.proposed, proposal.path)
        self._path = proposal.path

    def prepare(self, hunk: Hunk) -> None:
        """Highlight what ``hunk`` shows (only matters for large files)."""
        self._old.prepare(hunk.old_start, hunk.old_count)
        self._new.prepare(hunk.new_start, hunk.new_count)

    def line(self, kind: str, text: str, old_no: int | None, new_no: int | None) -> Text:
        """The highlighted code of one diff line, falling back to highlighting the line alone."""
        candidate = self._old.get(old_no) if kind == "-" else self._new.get(new_no)
        if candidate is not None and candidate.plain == text:
            return candidate.copy()
        return highlight_lines(text, self._path)[0] if text else Text("")


def _hunk_header(hunk: Hunk, index: int, total: int, current: bool, width: int) -> Text:
    marker = "▶ " if current else "  "
    label = f"{marker}hunk {index + 1}/{total}  {hunk_title(hunk)}"
    header = Text(label, style="bold reverse" if current else "bold cyan", no_wrap=True, overflow="ellipsis")
    header.truncate(max(width, 10), pad=current)
    return header


def _comment_lines(hunk: Hunk) -> list[Text]:
    return [Text(f"    # comment: {comment}", style="italic yellow") for comment in hunk.comments]


def render_unified(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk of ``proposal`` one after another, the ``current`` one marked.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available (the current hunk's header is padded to it).
    """
    highlighter = _Highlighter(proposal)
    lines: list[Text] = []
    offsets: list[int] = []
    total = len(proposal.hunks)
    for index, hunk in enumerate(proposal.hunks):
        is_current = index == current
        highlighter.prepare(hunk)
        offsets.append(len(lines))
        lines.append(_hunk_header(hunk, index, total, is_current, width))
        bar = Text("▌" if is_current else " ", style="bold yellow")
        for diff_line in hunk.lines:
            gutter = Text(
                f"{diff_line.old_no if diff_line.old_no is not None else '':>4} "
                f"{diff_line.new_no if diff_line.new_no is not None else '':>4} ",
                style=GUTTER_STYLE,
            )
            sign_style = {"+": "bold green", "-": "bold red"}.get(diff_line.kind, "")
            code = highlighter.line(diff_line.kind, diff_line.text, diff_line.old_no, diff_line.new_no)
            row = Text.assemble(bar, gutter, Text(diff_line.kind, style=sign_style), " ", code)
            row.no_wrap = True
            row.overflow = "ellipsis"
            if diff_line.kind == "+":
                row.stylize(ADDED_STYLE)
            elif diff_line.kind == "-":
                row.stylize(REMOVED_STYLE)
            lines.append(row)
        lines.extend(_comment_lines(hunk))
        lines.append(Text(""))
    return RenderedDiff(Text("\n", no_wrap=True).join(lines), tuple(offsets))


def _cell(number: int | None, code: Text | None, style: str, half: int) -> Text:
    if code is None:
        return Text(" " * half)
    cell = Text.assemble(Text(f"{number if number is not None else '':>4} ", style=GUTTER_STYLE), code)
    cell.truncate(half, overflow="ellipsis", pad=True)
    if style:
        cell.stylize(style)
    return cell


def _pair_rows(hunk: Hunk) -> list[tuple[tuple[int | None, str, str] | None, tuple[int | None, str, str] | None]]:
    """Pair removed lines with the added lines that replace them; context lines sit on both sides."""
    rows: list[tuple[tuple[int | None, str, str] | None, tuple[int | None, str, str] | None]] = []
    removed: list[tuple[int | None, str, str]] = []
    added: list[tuple[int | None, str, str]] = []

    def flush() -> None:
        for position in range(max(len(removed), len(added))):
            left = removed[position] if position < len(removed) else None
            right = added[position] if position < len(added) else None
            rows.append((left, right))
        removed.clear()
        added.clear()

    for line in hunk.lines:
        if line.kind == "-":
            removed.append((line.old_no, "-", line.text))
        elif line.kind == "+":
            added.append((line.new_no, "+", line.text))
        else:
            flush()
            rows.append(((line.old_no, " ", line.text), (line.new_no, " ", line.text)))
    flush()
    return rows


def render_split(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk side by side: the file on disk left, the proposal right.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available; each side gets half.
    """
    highlighter = _Highlighter(proposal)
    half = max((width - 3) // 2, 12)
    lines: list[Text] = []
    offsets: list[int] = []
    total = len(proposal.hunks)
    for index, hunk in enumerate(proposal.hunks):
        is_current = index == current
        highlighter.prepare(hunk)
        offsets.append(len(lines))
        lines.append(_hunk_header(hunk, index, total, is_current, width))
        bar = Text("▌" if is_current else " ", style="bold yellow")
        for left, right in _pair_rows(hunk):
            left_text = right_text = None
            if left is not None:
                left_text = highlighter.line(left[1], left[2], left[0], None if left[1] == "-" else right and right[0])
            if right is not None:
                right_text = highlighter.line(right[1], right[2], None, right[0])
            left_style = REMOVED_STYLE if left is not None and left[1] == "-" else ""
            right_style = ADDED_STYLE if right is not None and right[1] == "+" else ""
            row = Text.assemble(
                bar,
                _cell(left[0] if left else None, left_text, left_style, half),
                Text("│", style="dim"),
                _cell(right[0] if right else None, right_text, right_style, half),
            )
            row.no_wrap = True
            lines.append(row)
        lines.extend(_comment_lines(hunk))
        lines.append(Text(""))
    return RenderedDiff(Text("\n", no_wrap=True).join(lines), tuple(offsets))


def render_conflict(proposal: FileProposal, width: int, split: bool) -> Text:
    """Both sides of a conflicted file: what is on disk now and what the agent proposed.

    Args:
        proposal: A proposal in conflict (``proposal.conflict`` set).
        width: Columns available.
        split: Side by side when true, one above the other otherwise.
    """
    sides = proposal.conflict
    ours = sides.ours if sides is not None else (proposal.base or "")
    theirs = sides.theirs if sides is not None else proposal.proposed
    intro = Text.assemble(
        ("✖ conflict: ", "bold red"),
        f"{proposal.path} changed on disk under the proposal. Your bytes are kept. ",
        ("r", "bold reverse"),
        " asks the agent to redo the change; ",
        ("D", "bold reverse"),
        " drops the proposal.",
    )
    our_lines = highlight_lines(ours, proposal.path)
    their_lines = highlight_lines(theirs, proposal.path)
    rows: list[Text] = [intro, Text("")]
    if split:
        half = max((width - 3) // 2, 12)
        left_title = Text("On disk (yours)", style="bold underline")
        left_title.truncate(half, pad=True)
        right_title = Text("Agent's proposal", style="bold underline")
        titles = Text.assemble(" ", left_title, "│", right_title)
        rows.append(titles)
        for position in range(max(len(our_lines), len(their_lines))):
            left = our_lines[position] if position < len(our_lines) else None
            right = their_lines[position] if position < len(their_lines) else None
            rows.append(
                Text.assemble(
                    " ",
                    _cell(position + 1 if left is not None else None, left, "", half),
                    Text("│", style="dim"),
                    _cell(position + 1 if right is not None else None, right, "", half),
                )
            )
    else:
        rows.extend(_conflict_diff(ours, theirs))
    for row in rows:
        row.no_wrap = True
    return Text("\n", no_wrap=True).join(rows)


def _conflict_diff(ours: str, theirs: str) -> list[Text]:
    """Where the two sides differ, as a compact diff: ``-`` lines are yours (on disk), ``+`` lines the agent's."""
    rows: list[Text] = []
    diff = difflib.unified_diff(
        ours.splitlines(), theirs.splitlines(), "on disk (yours)", "agent's proposal", n=2, lineterm=""
    )
    for line in diff:
        if line.startswith(("---", "+++")):
            rows.append(Text(line, style="bold"))
        elif line.startswith("@@"):
            rows.append(Text(line, style="bold cyan"))
        elif line.startswith("-"):
            rows.append(Text(line, style=f"red {REMOVED_STYLE}"))
        elif line.startswith("+"):
            rows.append(Text(line, style=f"green {ADDED_STYLE}"))
        else:
            rows.append(Text(line))
    return rows
