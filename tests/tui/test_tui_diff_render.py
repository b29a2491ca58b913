"""Diff rendering: hunk offsets, unified and side by side, highlighting windows for large files, conflicts."""

from __future__ import annotations

from rich.text import Text

from backend_pair.tui.diff.conflict import render_conflict
from backend_pair.tui.diff.document import DiffDocument, render_split, render_unified
from backend_pair.tui.diff.highlight import lexer_name_for
from backend_pair.tui.diff.rows import ADDED_STYLE, UNIFIED_LEAD
from backend_pair.tui.diff.words import ADDED_WORD_STYLE, REMOVED_WORD_STYLE, intraline_changes
from backend_pair.tui.diff.wrap import WRAP_MARK, wrap_starts
from backend_pair.workspace.hunks import compute_hunks, hunk_as_patch
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
    assert "-v = 2" in unified and "+v = 3" in unified and "r asks the agent to redo" in unified.replace("\n", " ")
    split = render_conflict(proposal, 80, split=True).plain
    assert "On disk (yours)" in split and "Agent's proposal" in split


def test_hunk_as_patch() -> None:
    proposal = _proposal("a.py", "x = 1\n", "x = 2\n")
    assert hunk_as_patch("a.py", proposal.hunks[0]) == "--- a/a.py\n+++ b/a.py\n@@ -1,1 +1,1 @@\n-x = 1\n+x = 2\n"


def _styled_at(row: Text, offset: int) -> list[str]:
    """The styles of the spans covering character ``offset`` of ``row``."""
    return [str(span.style) for span in row.spans if span.start <= offset < span.end]


LONG_OLD = "status:\n  type: string\n  enum: [pending, paid]" + ", x" * 60 + "\n"
LONG_NEW = "status:\n  type: string\n  enum: [pending, paid, cancelled]" + ", x" * 60 + "\n"


def test_intraline_changes_mark_only_the_changed_words() -> None:
    changes = intraline_changes("enum: [pending, paid]", "enum: [pending, paid, cancelled]")
    assert changes is not None
    removed, added = changes
    assert removed == ()
    assert [("enum: [pending, paid, cancelled]")[start:end] for start, end in added] == [", cancelled"]
    assert intraline_changes("x = 1", "return compute(total)") is None, "a rewrite marks no words"


def test_unified_highlights_the_changed_word_even_past_the_pane_edge() -> None:
    proposal = _proposal("api.yaml", LONG_OLD, LONG_NEW)
    document = DiffDocument(proposal, 0, 40, split=False)
    rows = [document.row(y) for y in range(document.line_count)]
    added = next(row for row in rows if row.plain[UNIFIED_LEAD - 2] == "+" and "cancelled" in row.plain)
    assert added.cell_len > 40, "the line is wider than the pane"
    at = added.plain.index("cancelled")
    assert any(ADDED_WORD_STYLE in style for style in _styled_at(added, at))
    assert not any(ADDED_WORD_STYLE in style for style in _styled_at(added, added.plain.index("pending")))
    removed = next(row for row in rows if row.plain[UNIFIED_LEAD - 2] == "-")
    assert not any(REMOVED_WORD_STYLE in str(span.style) for span in removed.spans), "nothing removed inside"
    # The stronger background is drawn over the line's own background, not under it.
    styles = [str(span.style) for span in added.spans]
    assert styles.index(ADDED_STYLE) < max(i for i, s in enumerate(styles) if ADDED_WORD_STYLE in s)


def test_split_highlights_the_changed_words_on_both_sides() -> None:
    proposal = _proposal("a.py", "total = price * count\n", "total = price * quantity\n")
    row = next(line for line in render_split(proposal, 0, 80).text.split("\n") if "count" in line.plain)
    assert any(REMOVED_WORD_STYLE in style for style in _styled_at(row, row.plain.index("count")))
    assert any(ADDED_WORD_STYLE in style for style in _styled_at(row, row.plain.index("quantity")))
    assert not any("bold on" in style for style in _styled_at(row, row.plain.index("price")))


def test_wrap_cuts_long_lines_into_marked_rows_that_fit() -> None:
    proposal = _proposal("api.yaml", LONG_OLD, LONG_NEW)
    document = DiffDocument(proposal, 0, 60, split=False, wrap=True)
    rows = [document.row(y) for y in range(document.line_count)]
    assert document.line_count == len(render_unified(proposal, 0, 60).text.plain.split("\n")) + sum(
        len(wrap_starts(line.text, 60 - UNIFIED_LEAD)) - 1 for line in proposal.hunks[0].lines
    )
    assert all(row.cell_len <= 60 for row in rows), "nothing is wider than the pane"
    continued = [row for row in rows if row.plain[UNIFIED_LEAD - 2 : UNIFIED_LEAD] == WRAP_MARK]
    assert len(continued) >= 4, "both long lines go on over several rows"
    joined = "".join(row.plain[UNIFIED_LEAD:] for row in rows if "cancelled" in row.plain or row in continued)
    assert "enum: [pending, paid, cancelled], x, x" in joined
    assert document.max_width == 60 and document.fixed_cells(2) == 0


def test_sideways_scroll_keeps_the_numbers_and_sign_of_code_rows_only() -> None:
    proposal = _proposal("api.yaml", LONG_OLD, LONG_NEW)
    document = DiffDocument(proposal, 0, 60, split=False)
    header, first_line = 0, 1
    assert document.fixed_cells(header) is None
    assert document.fixed_cells(first_line) == UNIFIED_LEAD
    assert document.fixed_cells(document.line_count - 1) == 0
    assert DiffDocument(proposal, 0, 60, split=True).fixed_cells(first_line) == 0


def test_conflict_headline_wraps_at_the_pane_width() -> None:
    proposal = FileProposal(
        "a.py", "v = 1\n", "v = 3\n", FileState.CONFLICT, (), ConflictSides("v = 2\n", "v = 3\n", "v = 1\n")
    )
    for split in (False, True):
        rows = render_conflict(proposal, 50, split=split).plain.split("\n")
        headline = " ".join(row.strip() for row in rows[: rows.index("")])
        assert "r asks the agent to redo the change; D drops the proposal." in headline
        assert all(len(row) <= 50 for row in rows[: rows.index("")]), "nothing is cut at the pane edge"
