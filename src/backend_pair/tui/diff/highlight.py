"""Syntax highlighting of the two sides of a diff, by file name, whole for small files, in windows for large ones."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from rich.console import Console
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme
from rich.text import Span, Text

from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import Hunk

SYNTAX_THEME = "monokai"
"""Pygments theme used for code tokens."""


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
WRAP_CONSOLE = Console(width=200, color_system=None, file=io.StringIO())
"""Only for Text.wrap's signature: wrapping measures cells itself and writes nothing."""
_TOKEN_STYLES: dict[_TokenType, Style] = {}
"""Token colours by token type, filled as tokens are met."""


def _foreground(style: Style) -> Style:
    """Token colours only: the theme's background would hide the added / removed line backgrounds."""
    if style.bgcolor is None:
        return style
    return Style(color=style.color, bold=style.bold, italic=style.italic, underline=style.underline)


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
def highlighter_for(path: str, base: str | None, proposed: str) -> Highlighter:
    """One highlighter per (path, texts): lines highlighted for one draw are reused by every later one."""
    return Highlighter(path, base, proposed)


class Highlighter:
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
