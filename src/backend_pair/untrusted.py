"""Text that backend-pair did not write, made safe to show: no terminal control, no bidi tricks, nothing hidden.

Model answers, tool input and output, file contents, git output, agent files and error bodies may carry escape
sequences (retitle the terminal, write the clipboard with OSC 52, clear the screen, move the cursor to overwrite
what was shown) or bidi overrides (show text in another order than it runs). Every such string passes
:func:`visible` before it becomes something on screen: each control character is shown as a visible token and
nothing else changes.
"""

from __future__ import annotations

import re

from backend_pair.redact import REDACTOR

TAB_SIZE = 4
"""Columns a tab expands to (text is shown, not interpreted: a tab is spaces)."""

ESCAPE_GLYPH = "␛"
"""How ESC is shown (``ESC[2J`` reads ``␛[2J``)."""

BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
"""Embedding, override and isolate controls (U+202A to U+202E, U+2066 to U+2069): they reorder what follows."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _token(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\x1b":
        return ESCAPE_GLYPH
    if char in BIDI_CONTROLS:
        return f"<U+{ord(char):04X}>"
    return f"\\x{ord(char):02x}"


def visible(text: str, *, multiline: bool = True) -> str:
    r"""``text`` with every control character shown as a token: ESC as ``␛``, bidi controls as ``<U+202E>``, other
    C0/C1 controls and DEL as ``\x07``; tabs expanded; ``\r\n`` read as ``\n``.

    Args:
        text: Untrusted text.
        multiline: Keep line breaks (``False``: a one-line surface, newlines shown as ``\x0a``).

    Returns:
        Text that cannot move the cursor, change modes, talk to the terminal or reorder itself.
    """
    if not text:
        return text
    text = REDACTOR.redact(text).replace("\r\n", "\n")
    pattern = _CONTROL if multiline else _CONTROL_OR_NEWLINE
    if "\t" in text:
        text = "\n".join(line.expandtabs(TAB_SIZE) for line in text.split("\n"))
    return pattern.sub(_token, text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds anything :func:`visible` would change besides tabs and line endings."""
    return _CONTROL.search(text.replace("\r\n", "\n")) is not None


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (every run of whitespace one space), cut to ``limit`` characters with ``…``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
