"""Hunks: the diff from disk to a proposal, split into reviewable pieces with stable ids, and applying them."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from backend_pair.untrusted import visible
from backend_pair.workspace.diffing import Opcode, grouped_opcodes, opcodes
from backend_pair.workspace.textfile import with_eol

CONTEXT_LINES = 3
"""Lines of unchanged context shown around each change (as ``git diff``)."""


class DiffLine(NamedTuple):
    """One line of a hunk (a named tuple: there are thousands of them in a big diff)."""

    kind: Literal[" ", "-", "+"]
    """``" "`` context, ``"-"`` removed from disk, ``"+"`` added by the proposal."""
    text: str
    """The line without its line ending."""
    old_no: int | None
    """1-based line number on disk (None for an added line)."""
    new_no: int | None
    """1-based line number in the proposal (None for a removed line)."""
    no_newline: bool = False
    """The last line of its file, without a final newline (git's ``\\ No newline at end of file``)."""


@dataclass(frozen=True)
class Edit:
    """One contiguous change in disk coordinates: lines ``[start, end)`` become ``new_lines``."""

    start: int
    end: int
    new_lines: tuple[str, ...]


@dataclass(frozen=True)
class Hunk:
    """A reviewable piece of a proposal: a group of nearby changes with context, like one ``@@`` of ``git diff``.

    The id is derived from the hunk's lines (context included) and, only when two hunks of a file have the same
    lines, an occurrence number; so a hunk keeps its id while other hunks are accepted, rejected or rebased.
    """

    id: str
    """Stable id, unique within the file."""
    old_start: int
    """1-based first disk line (as in ``@@ -old_start,old_count``)."""
    old_count: int
    """Number of disk lines covered (context and removed)."""
    new_start: int
    """1-based first proposal line."""
    new_count: int
    """Number of proposal lines covered (context and added)."""
    header: str
    """The ``@@ -a,b +c,d @@`` line."""
    lines: tuple[DiffLine, ...]
    """Context, removed and added lines, in diff order."""
    comments: tuple[str, ...] = ()
    """Comments the developer left on this hunk without deciding it."""
    edited: bool = False
    """The developer rewrote this hunk in their editor: its lines are theirs now, not the agent's."""
    edits: tuple[Edit, ...] = field(default=(), repr=False, compare=False)
    """The changes of this hunk in disk coordinates (used to apply it; not part of the public contract)."""

    @property
    def added(self) -> int:
        """Number of added lines."""
        return sum(1 for line in self.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        """Number of removed lines."""
        return sum(1 for line in self.lines if line.kind == "-")

    def as_text(self, max_lines: int | None = None) -> str:
        """The hunk as unified-diff text (header first), optionally cut after ``max_lines`` lines."""
        body: list[str] = []
        for line in self.lines:
            body.append(f"{line.kind}{line.text}")
            if line.no_newline:
                body.append("\\ No newline at end of file")
        if max_lines is not None and len(body) > max_lines:
            body = [*body[:max_lines], f"... ({len(body) - max_lines} more lines)"]
        return "\n".join([self.header, *body])


def _header(old_start: int, old_count: int, new_start: int, new_count: int) -> str:
    return f"@@ -{old_start},{old_count} +{new_start},{new_count} @@"


def _diff_line(kind: str, text: str, old_no: int | None, new_no: int | None) -> DiffLine:
    """Build a DiffLine without NamedTuple's Python-level ``__new__`` (a big diff has thousands)."""
    if text[-1:] == "\n":
        return tuple.__new__(DiffLine, (kind, text[:-1], old_no, new_no, False))
    return tuple.__new__(DiffLine, (kind, text, old_no, new_no, True))


def _hunk_from_group(group: Sequence[Opcode], old: Sequence[str], new: Sequence[str]) -> tuple[str, Hunk]:
    lines: list[DiffLine] = []
    edits: list[Edit] = []
    keyed: list[str] = []
    add_line, add_key = lines.append, keyed.append
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            for k in range(i2 - i1):
                text = old[i1 + k]
                add_line(_diff_line(" ", text, i1 + k + 1, j1 + k + 1))
                add_key(" " + text)
            continue
        edits.append(Edit(i1, i2, tuple(new[j1:j2])))
        for k in range(i1, i2):
            add_line(_diff_line("-", old[k], k + 1, None))
            add_key("-" + old[k])
        for k in range(j1, j2):
            add_line(_diff_line("+", new[k], None, k + 1))
            add_key("+" + new[k])
    digest = hashlib.sha1("\x00".join(keyed).encode("utf-8", "surrogatepass"), usedforsecurity=False)
    i1, j1 = group[0][1], group[0][3]
    i2, j2 = group[-1][2], group[-1][4]
    old_count, new_count = i2 - i1, j2 - j1
    old_start = i1 + 1 if old_count else i1
    new_start = j1 + 1 if new_count else j1
    hunk = Hunk(
        id="",
        old_start=old_start,
        old_count=old_count,
        new_start=new_start,
        new_count=new_count,
        header=_header(old_start, old_count, new_start, new_count),
        lines=tuple(lines),
        edits=tuple(edits),
    )
    return digest.hexdigest()[:12], hunk


def compute_hunks(old: Sequence[str], new: Sequence[str], context: int = CONTEXT_LINES) -> list[Hunk]:
    """Split the diff from ``old`` to ``new`` (normalised lines, endings kept) into hunks with stable ids.

    Args:
        old: Lines on disk.
        new: Lines of the proposal.
        context: Context lines around each change.

    Returns:
        The hunks in file order; empty when the texts are equal.
    """
    hunks: list[Hunk] = []
    seen: dict[str, int] = {}
    for group in grouped_opcodes(opcodes(old, new), context):
        digest, hunk = _hunk_from_group(group, old, new)
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        hunk_id = digest if occurrence == 0 else f"{digest}-{occurrence + 1}"
        hunks.append(
            Hunk(
                hunk_id,
                hunk.old_start,
                hunk.old_count,
                hunk.new_start,
                hunk.new_count,
                hunk.header,
                hunk.lines,
                edits=hunk.edits,
            )
        )
    return hunks


def new_file_hunk(new: Sequence[str]) -> Hunk:
    """The single hunk of a new file (also for an empty new file, which has no lines)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(b"new-file\x00")
    for line in new:
        digest.update(line.encode("utf-8", "surrogatepass") + b"\x00")
    lines = tuple(_diff_line("+", text, None, k + 1) for k, text in enumerate(new))
    new_start = 1 if new else 0
    return Hunk(
        id=digest.hexdigest()[:12],
        old_start=0,
        old_count=0,
        new_start=new_start,
        new_count=len(new),
        header=_header(0, 0, new_start, len(new)),
        lines=lines,
        edits=(Edit(0, 0, tuple(new)),),
    )


def apply_edits(lines: Sequence[str], edits: Iterable[Edit], eol: str = "\n") -> list[str]:
    """Apply non-overlapping edits (in the coordinates of ``lines``) and return the new lines.

    Args:
        lines: The original lines; raw lines keep their own endings where untouched.
        edits: Edits in the coordinates of ``lines``.
        eol: Line ending given to the inserted (normalised) lines.

    Returns:
        The edited lines.
    """
    result = list(lines)
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        result[edit.start : edit.end] = [with_eol(line, eol) for line in edit.new_lines]
    return result


class _LineMap:
    """Maps line positions of ``source`` to ``target`` through the opcodes between them (binary search)."""

    def __init__(self, source: Sequence[str], target: Sequence[str]) -> None:
        self.codes = [code for code in opcodes(source, target) if code[2] > code[1]]
        self.starts = [code[1] for code in self.codes]
        self.target_len = len(target)

    def _containing(self, pos: int) -> Opcode | None:
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and self.codes[k][1] <= pos < self.codes[k][2]:
            return self.codes[k]
        return None

    def start(self, pos: int) -> int:
        """Where a range starting at source line ``pos`` starts in the target (a changed block is taken whole)."""
        code = self._containing(pos)
        if code is None:
            return self.target_len
        tag, i1, _i2, j1, _j2 = code
        return j1 + (pos - i1) if tag == "equal" else j1

    def end(self, pos: int) -> int:
        """Where a range ending (exclusive) at source line ``pos`` ends in the target."""
        if pos == 0:
            return 0
        code = self._containing(pos - 1)
        if code is None:
            return 0
        tag, i1, _i2, j1, j2 = code
        return j1 + (pos - i1) if tag == "equal" else j2

    def carry(self, edit: Edit) -> Edit:
        """The edit in target coordinates."""
        start = self.start(edit.start)
        end = max(self.end(edit.end), start) if edit.end > edit.start else start
        return Edit(start, end, edit.new_lines)


def map_edits(edits: Sequence[Edit], source: Sequence[str], target: Sequence[str]) -> list[Edit]:
    """Carry edits made in ``source`` coordinates over to ``target``, a different version of the same file.

    Used to stage a hunk computed against the working tree into the index blob, which may lack (or have) other
    edits. Where ``target`` differs from ``source`` inside an edited range, the whole differing block is replaced
    by the edit; edits whose carried ranges would overlap are merged first.

    Args:
        edits: Edits against ``source``.
        source: The lines the edits were made against (normalised).
        target: The lines to carry them to (normalised).

    Returns:
        Equivalent edits against ``target``.
    """
    if list(source) == list(target):
        return list(edits)
    line_map = _LineMap(source, target)
    mapped: list[tuple[Edit, Edit]] = []  # (source edit, target edit)
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        current = edit
        carried = line_map.carry(current)
        while mapped and (
            carried.start < mapped[-1][1].end or carried.start == mapped[-1][1].start == mapped[-1][1].end
        ):
            previous, _ = mapped.pop()
            gap = tuple(source[previous.end : current.start])
            current = Edit(previous.start, current.end, previous.new_lines + gap + current.new_lines)
            carried = line_map.carry(current)
        mapped.append((current, carried))
    return [dst for _src, dst in mapped]


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
