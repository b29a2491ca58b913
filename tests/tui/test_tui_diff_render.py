"""Diff rendering: hunk offsets, unified and side by side, highlighting windows for large files, conflicts."""

from __future__ import annotations

from backend_pair.tui.diff_render import (
    DiffDocument,
    hunk_as_patch,
    lexer_name_for,
    render_conflict,
    render_split,
    render_unified,
)
from backend_pair.workspace.hunks import compute_hunks
from backend_pair.workspace.model import ConflictSides, FileProposal, FileState


def _proposal(path: str, base: str, new: str) -> FileProposal:
    hunks = compute_hunks(base.splitlines(True), new.splitlines(True))
    return FileProposal(path, base, new, FileState.PENDING, tuple(hunks))


BIG = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(3000))
BIG_NEW = BIG.replace("return x + 5\n", "return x - 5\n").replace("return x + 2500\n", "return 0\n")


def test_lexer_by_file_name() -> None:
    assert lexer_name_for("app/models.py") == "python"
    assert lexer_name_for("openapi.yaml") == "yaml"
    assert lexer_name_for("notes.unknown-ext") == "text"


def test_unified_marks_the_current_hunk_and_reports_offsets() -> None:
    proposal = _proposal("big.py", BIG, BIG_NEW)
    assert len(proposal.hunks) == 2
    rendered = render_unified(proposal, 1, 80)
    lines = rendered.text.plain.splitlines()
    first, second = rendered.hunk_offsets
    assert lines[first].startswith("  hunk 1/2  @@ -14,7 +14,7 @@")
    assert lines[second].startswith("▶ hunk 2/2")
    assert "-     return x + 2500" in rendered.text.plain and "+     return 0" in rendered.text.plain
    assert all(line.startswith("▌") for line in lines[second + 1 : second + 8])


def test_large_files_are_highlighted_around_hunks_only() -> None:
    proposal = _proposal("big.py", BIG, BIG_NEW)
    rendered = render_unified(proposal, 0, 80)
    coloured = {str(span.style) for span in rendered.text.spans}
    assert any("#66d9ef" in style for style in coloured), "keywords keep their colour in a 9,000 line file"
    assert not any("on #272822" in style for style in coloured), "the theme background never hides diff colours"


def test_document_rows_match_the_full_render_and_fit_its_width() -> None:
    for split in (False, True):
        proposal = _proposal("big.py", BIG, BIG_NEW)
        document = DiffDocument(proposal, 1, 80, split=split)
        full = (render_split if split else render_unified)(proposal, 1, 80)
        rows = [document.row(y) for y in range(document.line_count)]
        assert [row.plain for row in rows] == full.text.plain.split("\n")
        assert document.hunk_offsets == full.hunk_offsets
        assert max(row.cell_len for row in rows) <= document.max_width


def test_moving_the_mark_redraws_only_the_two_hunks_concerned() -> None:
    proposal = _proposal("big.py", BIG, BIG_NEW)
    document = DiffDocument(proposal, 0, 80, split=False)
    first, second = document.hunk_offsets
    assert document.row(first).plain.startswith("▶ hunk 1/2")
    changed = document.set_current(1)
    assert changed == [range(first, second), range(second, document.line_count)]
    assert document.row(first).plain.startswith("  hunk 1/2")
    assert document.row(second).plain.startswith("▶ hunk 2/2")
    assert document.set_current(1) == []


def test_split_pairs_removed_and_added_lines() -> None:
    proposal = _proposal("a.py", "x = 1\ny = 2\n", "x = 1\ny = 3\n")
    row = next(line for line in render_split(proposal, 0, 60).text.plain.splitlines() if "y = 2" in line)
    assert "│" in row and row.index("y = 2") < row.index("│") < row.index("y = 3")


def test_conflict_shows_both_sides() -> None:
    proposal = FileProposal(
        "a.py", "v = 1\n", "v = 3\n", FileState.CONFLICT, (), ConflictSides("v = 2\n", "v = 3\n", "v = 1\n")
    )
    unified = render_conflict(proposal, 80, split=False).plain
    assert "-v = 2" in unified and "+v = 3" in unified and "r asks the agent to redo" in unified
    split = render_conflict(proposal, 80, split=True).plain
    assert "On disk (yours)" in split and "Agent's proposal" in split


def test_hunk_as_patch() -> None:
    proposal = _proposal("a.py", "x = 1\n", "x = 2\n")
    assert hunk_as_patch("a.py", proposal.hunks[0]) == "--- a/a.py\n+++ b/a.py\n@@ -1,1 +1,1 @@\n-x = 1\n+x = 2\n"
