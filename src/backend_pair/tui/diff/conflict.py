"""A conflicted file: what is on disk now beside what the agent proposed."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from rich.text import Text

from backend_pair.tui.diff.highlight import WRAP_CONSOLE, highlight_lines
from backend_pair.tui.diff.rows import ADDED_STYLE, REMOVED_STYLE, cell, half_width
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal


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
    headline = list(intro.wrap(WRAP_CONSOLE, max(width - 1, 20)))
    for line in headline:
        line.rstrip()
    rows: list[Text] = [*headline, Text("")]
    if split:
        half = half_width(width)
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
                    cell(position + 1 if left is not None else None, left, "", half),
                    Text("│", style="dim"),
                    cell(position + 1 if right is not None else None, right, "", half),
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
