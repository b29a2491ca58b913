"""Diffing and hunks without git: opcodes, grouping, stable ids, applying and carrying edits."""

from __future__ import annotations

import difflib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from backend_pair.workspace.diffing import grouped_opcodes, opcodes
from backend_pair.workspace.hunks import Edit, apply_edits, compute_hunks, map_edits, new_file_hunk
from backend_pair.workspace.textfile import detect_eol, split_lines

lines_strategy = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "x"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(lines_strategy, lines_strategy)
def test_opcodes_cover_both_sides_and_rebuild_the_new_text(a: list[str], b: list[str]) -> None:
    rebuilt: list[str] = []
    i = j = 0
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        assert (i1, j1) == (i, j)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            rebuilt += a[i1:i2]
        else:
            rebuilt += b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    assert rebuilt == b


def test_grouping_matches_difflib_on_a_simple_case() -> None:
    a = [f"{n}\n" for n in range(40)]
    b = list(a)
    b[5] = "five\n"
    b[30] = "thirty\n"
    ours = grouped_opcodes(opcodes(a, b))
    theirs = list(difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(3))
    assert ours == theirs


def test_hunk_fields_and_line_numbers() -> None:
    old = split_lines("a\nb\nc\nd\n")
    new = split_lines("a\nB\nc\nd\ne\n")
    hunks = compute_hunks(old, new, context=1)
    assert [h.header for h in hunks] == ["@@ -1,4 +1,5 @@"]
    kinds = [(line.kind, line.text, line.old_no, line.new_no) for line in hunks[0].lines]
    assert kinds == [
        (" ", "a", 1, 1),
        ("-", "b", 2, None),
        ("+", "B", None, 2),
        (" ", "c", 3, 3),
        (" ", "d", 4, 4),
        ("+", "e", None, 5),
    ]


def test_hunk_ids_survive_other_hunks_being_applied() -> None:
    old = [f"line {n}\n" for n in range(60)]
    new = list(old)
    new[5] = "changed 5\n"
    new[30] = "changed 30\n"
    new[50] = "changed 50\n"
    first = compute_hunks(old, new)
    middle = first[1]
    after = apply_edits(old, middle.edits)
    second = compute_hunks(after, new)
    assert {h.id for h in second} == {first[0].id, first[2].id}
    assert len({h.id for h in first}) == 3


def test_identical_hunks_get_distinct_ids() -> None:
    block = ["x\n", "y\n", "z\n", "w\n"]
    old = block + ["gap\n"] * 10 + block
    new = ["x\n", "Y\n", "z\n", "w\n"] + ["gap\n"] * 10 + ["x\n", "Y\n", "z\n", "w\n"]
    ids = [h.id for h in compute_hunks(old, new)]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_new_file_hunk_covers_everything_and_handles_empty_files() -> None:
    hunk = new_file_hunk(["a\n", "b"])
    assert hunk.header == "@@ -0,0 +1,2 @@"
    assert apply_edits([], hunk.edits) == ["a\n", "b"]
    empty = new_file_hunk([])
    assert empty.header == "@@ -0,0 +0,0 @@" and empty.lines == ()


def test_apply_edits_keeps_untouched_crlf_lines_and_gives_new_lines_the_file_ending() -> None:
    raw = ["a\r\n", "b\r\n", "c\r\n"]
    result = apply_edits(raw, [Edit(1, 2, ("B\n", "B2\n"))], "\r\n")
    assert result == ["a\r\n", "B\r\n", "B2\r\n", "c\r\n"]


def test_detect_eol() -> None:
    assert detect_eol("a\r\nb\r\n") == "\r\n"
    assert detect_eol("a\nb\n") == "\n"
    assert detect_eol("") == "\n"


def test_split_lines_splits_on_newline_only() -> None:
    assert split_lines("a\x0cb\rc\nd") == ["a\x0cb\rc\n", "d"]
    assert split_lines("") == []


def test_map_edits_carries_a_hunk_past_other_changes() -> None:
    source = ["a\n", "b\n", "c\n", "d\n", "e\n"]
    target = ["a\n", "A2\n", "b\n", "c\n", "d\n", "e\n"]  # the index lacks nothing but has an extra line
    mapped = map_edits([Edit(3, 4, ("D\n",))], source, target)
    assert apply_edits(target, mapped) == ["a\n", "A2\n", "b\n", "c\n", "D\n", "e\n"]


def test_map_edits_insertion_at_end_and_overlap_with_a_changed_block() -> None:
    source = ["a\n", "b\n", "c\n"]
    target = ["a\n", "B\n", "c\n"]
    assert apply_edits(target, map_edits([Edit(3, 3, ("d\n",))], source, target)) == ["a\n", "B\n", "c\n", "d\n"]
    replaced = apply_edits(target, map_edits([Edit(1, 2, ("beta\n",))], source, target))
    assert replaced == ["a\n", "beta\n", "c\n"]


@settings(max_examples=300, deadline=None)
@given(lines_strategy, lines_strategy, lines_strategy)
def test_carried_edits_stay_in_range_and_never_overlap(source: list[str], target: list[str], new: list[str]) -> None:
    edits = [edit for hunk in compute_hunks(source, new) for edit in hunk.edits]
    mapped = sorted(map_edits(edits, source, target), key=lambda e: (e.start, e.end))
    for edit in mapped:
        assert 0 <= edit.start <= edit.end <= len(target)
    for before, after in itertools.pairwise(mapped):
        assert before.end <= after.start
        assert not (before.start == before.end == after.start == after.end)
    if source == target:
        assert apply_edits(target, mapped) == new


def test_missing_final_newline_is_marked() -> None:
    [hunk] = compute_hunks(["a\n", "b"], ["a\n", "b\n", "c\n"])
    assert [(line.kind, line.text, line.no_newline) for line in hunk.lines] == [
        (" ", "a", False),
        ("-", "b", True),
        ("+", "b", False),
        ("+", "c", False),
    ]
    assert "-b\n\\ No newline at end of file\n+b" in hunk.as_text()
