"""A quick three-way line merge for the last moment of a write: our change and theirs, when they do not touch.

``git merge-file`` is the merge for rebasing proposals; it costs a process. In the few milliseconds between
reading a file and replacing it, another writer (a log, a formatter, an editor's autosave) may have changed it;
this merge, in-process, carries both changes when they are apart and gives up (None) when they touch, so the
caller can refuse rather than guess.
"""

from __future__ import annotations

from backend_pair.workspace.diffing import opcodes
from backend_pair.workspace.hunks import Edit, apply_edits
from backend_pair.workspace.textfile import split_lines


def _edits(base: list[str], other: list[str]) -> list[Edit]:
    return [Edit(i1, i2, tuple(other[j1:j2])) for tag, i1, i2, j1, j2 in opcodes(base, other) if tag != "equal"]


def _touch(a: Edit, b: Edit) -> bool:
    """Whether two edits of the same base overlap or meet (meeting counts: their order would be a guess)."""
    return a.start <= b.end and b.start <= a.end


def merge3(base: str, ours: str, theirs: str) -> str | None:
    """``base`` with both ``ours``' and ``theirs``' changes, or None when any two of them touch.

    Lines keep their own endings (the texts are raw).
    """
    base_lines = split_lines(base)
    mine = _edits(base_lines, split_lines(ours))
    other = _edits(base_lines, split_lines(theirs))
    if any(_touch(a, b) for a in mine for b in other):
        return None
    return "".join(apply_edits(base_lines, [*mine, *other]))
