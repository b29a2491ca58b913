"""Editing a proposal by hand before accepting it (``git add -p``'s ``e``): the editor buffer, reading it back.

The developer's editor gets a temporary file holding the hunk's new side (its context lines and the proposed lines)
under a short header; what comes back replaces those lines in the proposal. Nothing here runs the editor or touches
the repository: the buffer is plain data, and so is what the editor leaves.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_pair.untrusted import visible
from backend_pair.workspace.hunks import Hunk, compute_hunks
from backend_pair.workspace.merge3 import merge3
from backend_pair.workspace.textfile import normalize, split_lines

HEADER_PREFIX = "# backend-pair: "
"""Every header line starts with this; the leading run of such lines is dropped when the buffer is read back."""

NOTE_CONTEXT = 1
"""Context lines around each change in the diff the agent is told (from its proposal to the developer's version)."""


def hunk_body(hunk: Hunk) -> str:
    """The hunk's new side: its context and added lines, as they stand in the proposal (LF endings)."""
    out: list[str] = []
    for line in hunk.lines:
        if line.kind != "-":
            out.append(line.text if line.no_newline else line.text + "\n")
    return "".join(out)


def _header(lines: Sequence[str]) -> str:
    return "".join(f"{HEADER_PREFIX}{visible(line, multiline=False)}\n" for line in lines)


def hunk_buffer(path: str, hunk: Hunk) -> str:
    """What the editor opens for one hunk: the header, then :func:`hunk_body`.

    Args:
        path: The file's repo-relative path (shown in the header only).
        hunk: The hunk to edit.
    """
    header = _header(
        [
            f"edit the proposed lines of {path} ({hunk.header}), context included, then save and quit.",
            "Your text replaces them in the proposal; you then accept or reject it like any hunk.",
            "To abort: empty the file, or quit without saving. These header lines are ignored.",
        ]
    )
    return header + hunk_body(hunk)


def file_buffer(path: str, proposed: str) -> str:
    """What the editor opens for a whole proposed file: the header, then the proposed text."""
    header = _header(
        [
            f"edit the whole proposed content of {path}, then save and quit.",
            "Your text replaces the proposal; its hunks are then reviewed like any others.",
            "To abort: empty the file, or quit without saving. These header lines are ignored.",
        ]
    )
    return header + proposed


def read_back(edited: str, original: str) -> str | None:
    """The developer's text from the edited buffer, or None when nothing changed (empty, or the same text).

    Args:
        edited: The buffer as the editor left it (any line endings).
        original: What the body held before (:func:`hunk_body` or the proposed file).

    Returns:
        The new body with LF endings and the original's final-newline habit, or None (abort).
    """
    lines = split_lines(normalize(edited))
    start = 0
    while start < len(lines) and lines[start].startswith(HEADER_PREFIX):
        start += 1
    body = "".join(lines[start:])
    if not body.strip():
        return None
    if original.endswith("\n") and not body.endswith("\n"):
        body += "\n"
    elif original and not original.endswith("\n") and body.endswith("\n"):
        body = body[:-1]  # the editor added the final newline the file does not have
    return None if body == original else body


def replace_hunk(proposed: str, hunk: Hunk, body: str) -> str:
    """``proposed`` with the hunk's new side (lines ``new_start .. new_start + new_count``) replaced by ``body``."""
    lines = split_lines(proposed)
    start = hunk.new_start - 1 if hunk.new_count else hunk.new_start
    return "".join([*lines[:start], *split_lines(body), *lines[start + hunk.new_count :]])


def edit_notes(before: str, after: str, hunks: Sequence[Hunk]) -> dict[str, str]:
    """For each hunk of the edited proposal that the edit touched, the diff from the agent's text to the developer's.

    Args:
        before: The proposal before the edit (the agent's).
        after: The proposal after it (the developer's).
        hunks: The hunks of ``after`` against the file on disk.

    Returns:
        Hunk id -> unified diff text (``-`` the agent's lines, ``+`` the developer's) of the changes inside it.
    """
    changes = compute_hunks(split_lines(before), split_lines(after), context=NOTE_CONTEXT)
    notes: dict[str, str] = {}
    for hunk in hunks:
        first, last = hunk.new_start, hunk.new_start + max(hunk.new_count, 1) - 1
        inside = [
            change.as_text()
            for change in changes
            if change.new_start <= last and first <= change.new_start + max(change.new_count, 1) - 1
        ]
        if inside:
            notes[hunk.id] = "\n".join(inside)
    return notes


def carry(previous: str, current: str, wanted: str) -> str | None:
    """Move a proposal from ``previous`` to ``wanted`` when it is ``current`` now (undo and redo of text changes).

    Args:
        previous: The text right after the decision (undo) or right before it (redo).
        current: The proposal now (the agent or an outside edit may have changed it since).
        wanted: The text to go back (or forward) to.

    Returns:
        ``wanted`` with whatever else changed since merged in, or None when those changes touch the same lines.
    """
    if current in (previous, wanted):
        return wanted
    return merge3(previous, current, wanted)
