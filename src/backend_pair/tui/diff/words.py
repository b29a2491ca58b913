"""Word-level (intra-line) changes between a removed line and the added line that replaces it.

Lines are cut into tokens (words, runs of blanks, single punctuation marks) and compared with difflib's
SequenceMatcher, so ``enum: [pending, paid]`` → ``enum: [pending, paid, cancelled]`` marks only ``, cancelled``.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import Hunk

ADDED_WORD_STYLE = "bold on #1f6b3a"
"""The changed words inside an added line that replaces a removed one."""
REMOVED_WORD_STYLE = "bold on #7a2a2f"
"""The changed words inside a removed line that an added one replaces."""
WORD_PAIR_RATIO = 0.4
"""Below this token similarity a removed/added pair is a rewrite, and its words are not marked (all would be)."""
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
"""Words, runs of blanks, and single punctuation marks: the units intra-line changes are measured in."""

Ranges = tuple[tuple[int, int], ...]
"""Character ranges ``[start, end)`` within one line."""


def intraline_changes(old: str, new: str) -> tuple[Ranges, Ranges] | None:
    """The changed parts of a removed line and the added line that replaces it, compared word by word.

    Args:
        old: The removed line's text.
        new: The added line's text.

    Returns:
        The ranges of ``old`` removed and of ``new`` added, or ``None`` when the lines are too different for
        word marks to help (or identical).
    """
    old_tokens = _TOKEN.findall(old)
    new_tokens = _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    if matcher.ratio() < WORD_PAIR_RATIO:
        return None
    old_starts = _starts(old_tokens)
    new_starts = _starts(new_tokens)
    removed: list[tuple[int, int]] = []
    added: list[tuple[int, int]] = []
    for tag, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        if tag == "equal":
            continue
        if old_to > old_from:
            removed.append((old_starts[old_from], old_starts[old_to]))
        if new_to > new_from:
            added.append((new_starts[new_from], new_starts[new_to]))
    if not removed and not added:
        return None
    return tuple(removed), tuple(added)


def _starts(tokens: list[str]) -> list[int]:
    """Offset of each token, plus the end of the line."""
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))
    return starts


WordMarks = dict[tuple[str, int | None], Ranges]
"""Changed ranges by (sign, line number on that side): ``("-", old_no)`` or ``("+", new_no)``."""


def word_marks(hunk: Hunk) -> WordMarks:
    """Pair each run of removed lines with the added lines after it, in order, and measure what changed inside.

    Args:
        hunk: The hunk to look into.
    """
    marks: WordMarks = {}
    removed: list[tuple[int | None, str]] = []
    added: list[tuple[int | None, str]] = []

    def flush() -> None:
        for (old_no, old), (new_no, new) in zip(removed, added, strict=False):
            changes = intraline_changes(visible(old), visible(new))  # measured on what is shown
            if changes is not None:
                marks["-", old_no], marks["+", new_no] = changes
        removed.clear()
        added.clear()

    for line in hunk.lines:
        if line.kind == "-":
            if added:
                flush()
            removed.append((line.old_no, line.text))
        elif line.kind == "+":
            added.append((line.new_no, line.text))
        else:
            flush()
    flush()
    return marks
