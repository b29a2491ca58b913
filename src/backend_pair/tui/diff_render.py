"""Render a file proposal's hunks as Rich text: unified or side by side, syntax highlighted by file name."""

from __future__ import annotations

import difflib
import io
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme
from rich.text import Span, Text

from backend_pair.tui.diff_wrap import wrap_rows, wrap_starts
from backend_pair.tui.word_diff import ADDED_WORD_STYLE, REMOVED_WORD_STYLE, Ranges, word_marks
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal, Hunk

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
    return list(_highlighted(text, path))


@lru_cache(maxsize=8)
def _highlighted(text: str | None, path: str) -> tuple[Text, ...]:
    """Cached per (text, path): a file's text is lexed once, however often it is drawn."""
    return _highlight_text(text, path)


def _highlight_text(text: str | None, path: str) -> tuple[Text, ...]:
    """Lex ``text`` with pygments and cut the tokens into one Text per line (uncached).

    Every line of a file shown in the review passes here, so this is where file content is made visible: no
    control character of a repository file reaches the terminal.
    """
    if not text:
        return ()
    text = visible(text)
    lexer_name = lexer_name_for(path)
    if lexer_name == "text":
        return tuple(Text(line) for line in text.splitlines())
    # The options Rich's Syntax uses, so lines read the same as before (tabs expanded to 4).
    lexer = get_lexer_by_name(lexer_name, stripnl=False, ensurenl=True, tabsize=4)
    styles = _TOKEN_STYLES
    lines: list[Text] = []
    parts: list[str] = []
    spans: list[Span] = []
    column = 0
    for token_type, token in lexer.get_tokens(text):
        style = styles.get(token_type)
        if style is None:
            style = styles[token_type] = _foreground(_THEME.get_style_for_token(token_type))
        pieces = token.split("\n")
        for position, piece in enumerate(pieces):
            if position:
                lines.append(Text("".join(parts), spans=spans))
                parts, spans, column = [], [], 0
            if piece:
                parts.append(piece)
                if style:
                    spans.append(Span(column, column + len(piece), style))
                column += len(piece)
    if parts:
        lines.append(Text("".join(parts), spans=spans))
    return tuple(lines)


_THEME = PygmentsSyntaxTheme(SYNTAX_THEME)
_WRAP_CONSOLE = Console(width=200, color_system=None, file=io.StringIO())
"""Only for Text.wrap's signature: wrapping measures cells itself and writes nothing."""
_TOKEN_STYLES: dict[_TokenType, Style] = {}
"""Token colours by token type, filled as tokens are met."""


def _foreground(style: Style) -> Style:
    """Token colours only: the theme's background would hide the added / removed line backgrounds."""
    if style.bgcolor is None:
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
    shown = visible(path, multiline=False)
    lines = [f"--- a/{shown}", f"+++ b/{shown}", hunk_title(hunk)]
    # Only what the review pane shows goes to the clipboard: control characters stay visible tokens.
    lines.extend(f"{line.kind}{visible(line.text, multiline=False)}" for line in hunk.lines)
    return "\n".join(lines) + "\n"


WHOLE_FILE_LINES = 1500
"""Files up to this many lines are highlighted whole; longer ones in windows around the hunks drawn.

Pygments lexes dense Python at ~7 lines per millisecond, so a 10,000-line file whole would hold the first paint for
over a second; windows cost only what is on screen, and each line, once highlighted, is kept.
"""
WINDOW_LEAD = 40
"""Lines before a hunk included when highlighting around it (so a string or comment opened above colours right)."""
WINDOW_AHEAD = 120
"""Lines after a hunk highlighted with it, so stepping on to the next hunks finds their lines ready."""


class _Side:
    """Highlighted lines of one side (disk or proposal), by 1-based line number, filled as hunks are drawn."""

    def __init__(self, text: str | None, path: str) -> None:
        self._path = path
        self._lines = (text or "").splitlines()
        self._by_number: dict[int, Text] = {}
        if len(self._lines) <= WHOLE_FILE_LINES:
            self._by_number = dict(enumerate(_highlighted(text, path), 1))

    def prepare(self, start: int, count: int) -> None:
        """Make sure lines ``start .. start + count - 1`` are highlighted (large files: a window around them)."""
        last = min(start + count - 1, len(self._lines))
        if all(n in self._by_number for n in range(start, last + 1)):
            return
        first = max(start - WINDOW_LEAD, 1)
        last = min(last + WINDOW_AHEAD, len(self._lines))
        window = "\n".join(self._lines[first - 1 : last]) + "\n"
        for offset, line in enumerate(_highlight_text(window, self._path)):
            self._by_number.setdefault(first + offset, line)

    def get(self, number: int | None) -> Text | None:
        """The highlighted line, if known."""
        return self._by_number.get(number) if number is not None else None


@lru_cache(maxsize=4)
def _highlighter_for(path: str, base: str | None, proposed: str) -> _Highlighter:
    """One highlighter per (path, texts): lines highlighted for one draw are reused by every later one."""
    return _Highlighter(path, base, proposed)


class _Highlighter:
    """Looks up the highlighted text of a diff line by its line number on either side."""

    def __init__(self, path: str, base: str | None, proposed: str) -> None:
        self._old = _Side(base, path)
        self._new = _Side(proposed, path)
        self._path = path

    def prepare(self, hunk: Hunk) -> None:
        """Highlight what ``hunk`` shows (only does work for large files, once per line)."""
        self._old.prepare(hunk.old_start, hunk.old_count)
        self._new.prepare(hunk.new_start, hunk.new_count)

    def line(self, kind: str, text: str, old_no: int | None, new_no: int | None) -> Text:
        """The highlighted code of one diff line, falling back to highlighting the line alone."""
        candidate = self._old.get(old_no) if kind == "-" else self._new.get(new_no)
        if candidate is not None and candidate.plain == visible(text):
            return candidate.copy()
        return _highlight_text(text, self._path)[0] if text else Text("")


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


def _unified_rows(
    hunk: Hunk, index: int, total: int, current: bool, width: int, highlighter: _Highlighter, wrap: bool = False
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


def render_unified(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk of ``proposal`` one after another, the ``current`` one marked.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available (the current hunk's header is padded to it).
    """
    return DiffDocument(proposal, current, width, split=False).render_all()


def _cell(number: int | None, code: Text | None, style: str, half: int) -> Text:
    if code is None:
        return Text(" " * half)
    cell = Text.assemble(Text(f"{number if number is not None else '':>4} ", style=GUTTER_STYLE), code)
    cell.truncate(half, overflow="ellipsis", pad=True)
    if style:
        cell.stylize_before(style)
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


def _split_rows(hunk: Hunk, index: int, total: int, current: bool, width: int, highlighter: _Highlighter) -> list[Text]:
    """One hunk's rows side by side: header, paired lines, comments, a blank line."""
    half = _half(width)
    rows = [_hunk_header(hunk, index, total, current, width)]
    bar = Text("▌" if current else " ", style="bold yellow")
    marks = word_marks(hunk)
    for left, right in _pair_rows(hunk):
        left_text = right_text = None
        if left is not None:
            left_text = highlighter.line(left[1], left[2], left[0], None if left[1] == "-" else right and right[0])
            if left[1] == "-":
                _mark_words(left_text, marks.get(("-", left[0])), REMOVED_WORD_STYLE)
        if right is not None:
            right_text = highlighter.line(right[1], right[2], None, right[0])
            if right[1] == "+":
                _mark_words(right_text, marks.get(("+", right[0])), ADDED_WORD_STYLE)
        left_style = REMOVED_STYLE if left is not None and left[1] == "-" else ""
        right_style = ADDED_STYLE if right is not None and right[1] == "+" else ""
        row = Text.assemble(
            bar,
            _cell(left[0] if left else None, left_text, left_style, half),
            Text("│", style="dim"),
            _cell(right[0] if right else None, right_text, right_style, half),
        )
        row.no_wrap = True
        rows.append(row)
    rows.extend(_comment_lines(hunk))
    rows.append(Text(""))
    return rows


def _half(width: int) -> int:
    """Columns of each side in the side-by-side view."""
    return max((width - 3) // 2, 12)


def render_split(proposal: FileProposal, current: int, width: int) -> RenderedDiff:
    """Render every hunk side by side: the file on disk left, the proposal right.

    Args:
        proposal: The file proposal to show.
        current: Index of the current hunk.
        width: Columns available; each side gets half.
    """
    return DiffDocument(proposal, current, width, split=True).render_all()


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
        self._highlighter: _Highlighter | None = None
        self._rows: dict[int, list[Text]] = {}
        offsets: list[int] = []
        line_count = 0
        widest = max(width, 10)
        half = _half(width)
        for hunk in proposal.hunks:
            offsets.append(line_count)
            if split:
                body = len(_pair_rows(hunk))
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
                self._highlighter = _highlighter_for(proposal.path, proposal.base, proposal.proposed)
            self._highlighter.prepare(self.proposal.hunks[index])
            total = len(self.proposal.hunks)
            hunk = self.proposal.hunks[index]
            current = index == self.current
            if self.split:
                rows = _split_rows(hunk, index, total, current, self.width, self._highlighter)
            else:
                rows = _unified_rows(hunk, index, total, current, self.width, self._highlighter, self.wrap)
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


def render_conflict(proposal: FileProposal, width: int, split: bool, keys: tuple[str, str] = ("r", "D")) -> Text:
    """Both sides of a conflicted file: what is on disk now and what the agent proposed.

    Args:
        proposal: A proposal in conflict (``proposal.conflict`` set).
        width: Columns available.
        split: Side by side when true, one above the other otherwise.
        keys: The active keys that redo the change and drop the proposal.
    """
    sides = proposal.conflict
    ours = sides.ours if sides is not None else (proposal.base or "")
    theirs = sides.theirs if sides is not None else proposal.proposed
    intro = Text.assemble(
        ("✖ conflict: ", "bold red"),
        f"{visible(proposal.path, multiline=False)} changed on disk under the proposal. Your bytes are kept. ",
        (keys[0], "bold reverse"),
        " asks the agent to redo the change; ",
        (keys[1], "bold reverse"),
        " drops the proposal.",
    )
    our_lines = highlight_lines(ours, proposal.path)
    their_lines = highlight_lines(theirs, proposal.path)
    # The headline wraps at the pane's width (it says what to do: cut, it would hide the keys).
    headline = list(intro.wrap(_WRAP_CONSOLE, max(width - 1, 20)))
    for line in headline:
        line.rstrip()
    rows: list[Text] = [*headline, Text("")]
    if split:
        half = _half(width)
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
