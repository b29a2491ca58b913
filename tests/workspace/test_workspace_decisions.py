"""Editing a hunk before accepting it, and one stack of decisions to undo (``u``) and redo (``U``), on real repos."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_pair.workspace import FileState, UndoRefused, Workspace, open_workspace
from backend_pair.workspace.hunk_edit import HEADER_PREFIX, read_back
from tests.support import FORTY_LINES, GitRunner, edit_lines


def _rewrite(buffer: str, old: str, new: str) -> str:
    assert old in buffer
    return buffer.replace(old, new)


# Editing ----------------------------------------------------------------------------------------------------------


def test_the_edit_buffer_holds_a_header_and_the_new_side_with_context(ws: Workspace, service: Path) -> None:
    hunk = ws.propose("svc.py", edit_lines(FORTY_LINES, {10: "TEN\n"})).hunks[0]
    buffer = ws.edit_buffer("svc.py", hunk.id)
    header = [line for line in buffer.splitlines() if line.startswith(HEADER_PREFIX)]
    body = [line for line in buffer.splitlines() if not line.startswith(HEADER_PREFIX)]
    assert any("empty the file" in line for line in header)
    assert body == ["line 7", "line 8", "line 9", "TEN", "line 11", "line 12", "line 13"]
    assert "line 10" not in buffer  # the removed side is not offered


def test_an_edited_hunk_is_marked_and_accepting_stages_exactly_the_edited_lines(
    ws: Workspace, service: Path, git: GitRunner
) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {10: "TEN\n", 30: "THIRTY\n"}))
    first, second = proposal.hunks
    step = ws.edit_hunk("svc.py", first.id, _rewrite(ws.edit_buffer("svc.py", first.id), "TEN\n", "ten, by me\n"))
    assert step is not None and step.path == "svc.py"
    edited = ws.proposal("svc.py")
    assert edited is not None and len(edited.hunks) == 2
    mine = next(h for h in edited.hunks if h.id == step.hunk_id)
    assert mine.edited and "ten, by me" in mine.as_text() and "TEN" not in mine.as_text()
    assert [h.edited for h in edited.hunks if h.id != mine.id] == [False]  # the other hunk is still the agent's
    assert next(h for h in edited.hunks if h.id != mine.id).id == second.id

    ws.accept_hunk("svc.py", mine.id)
    assert service.read_text() == edit_lines(FORTY_LINES, {10: "ten, by me\n"})
    staged = git("diff", "--cached", "-U0", "svc.py")
    assert [line for line in staged.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-line 10",
        "+ten, by me",
    ]
    feedback = ws.take_feedback()
    assert "changed it and accepted" in feedback
    assert "-TEN" in feedback and "+ten, by me" in feedback


def test_an_empty_or_unchanged_buffer_changes_nothing(ws: Workspace, service: Path) -> None:
    hunk = ws.propose("svc.py", edit_lines(FORTY_LINES, {10: "TEN\n"})).hunks[0]
    buffer = ws.edit_buffer("svc.py", hunk.id)
    assert ws.edit_hunk("svc.py", hunk.id, buffer) is None
    assert ws.edit_hunk("svc.py", hunk.id, "") is None
    header_only = "".join(line for line in buffer.splitlines(keepends=True) if line.startswith(HEADER_PREFIX))
    assert ws.edit_hunk("svc.py", hunk.id, header_only + "\n\n") is None
    proposal = ws.proposal("svc.py")
    assert proposal is not None and [h.id for h in proposal.hunks] == [hunk.id]
    with pytest.raises(UndoRefused, match="nothing to undo"):
        ws.undo()


def test_read_back_keeps_the_missing_final_newline_and_crlf_becomes_lf() -> None:
    assert read_back("a\r\nb\r\n", "a\nc") == "a\nb"
    assert read_back("a\nb", "a\nc\n") == "a\nb\n"
    assert read_back(f"{HEADER_PREFIX}x\n# a python comment\n", "y\n") == "# a python comment\n"


def test_editing_the_whole_file_marks_each_touched_hunk_and_the_agent_hears_per_hunk(
    ws: Workspace, service: Path, git: GitRunner
) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {5: "FIVE\n"}))
    buffer = ws.edit_buffer("svc.py", None)
    step = ws.edit_file("svc.py", _rewrite(_rewrite(buffer, "FIVE\n", "five!\n"), "line 35\n", "35!\n"))
    assert step is not None
    proposal = ws.proposal("svc.py")
    assert proposal is not None and [h.edited for h in proposal.hunks] == [True, True]
    ws.accept_file("svc.py")
    assert service.read_text() == edit_lines(FORTY_LINES, {5: "five!\n", 35: "35!\n"})
    assert "+35!" in git("diff", "--cached", "svc.py")
    feedback = ws.take_feedback()
    assert feedback.count("changed it and accepted") == 2


def test_edited_lines_are_data_never_a_command(ws: Workspace, service: Path, git: GitRunner) -> None:
    hostile = "$(touch pwned) `rm -rf /` \x1b]52;c;aGk=\x07 ; echo hi\n"
    hunk = ws.propose("svc.py", edit_lines(FORTY_LINES, {10: "TEN\n"})).hunks[0]
    step = ws.edit_hunk("svc.py", hunk.id, _rewrite(ws.edit_buffer("svc.py", hunk.id), "TEN\n", hostile))
    assert step is not None
    ws.accept_hunk("svc.py", step.hunk_id)
    assert service.read_text() == edit_lines(FORTY_LINES, {10: hostile})
    assert not (service.parent / "pwned").exists()


# The decision stack -----------------------------------------------------------------------------------------------


def test_undo_takes_back_decisions_of_every_kind_in_order_and_redo_does_them_again(
    ws: Workspace, service: Path, git: GitRunner
) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 20: "TWENTY\n", 37: "THIRTY-SEVEN\n"}))
    first, second, third = proposal.hunks
    ws.accept_hunk("svc.py", first.id)
    ws.comment_hunk("svc.py", second.id, "why?")
    ws.reject_hunk("svc.py", second.id)
    step = ws.edit_hunk("svc.py", third.id, _rewrite(ws.edit_buffer("svc.py", third.id), "THIRTY-SEVEN", "37"))
    assert step is not None

    undone = ws.undo()  # the edit
    assert undone.label.startswith("undid the edit of hunk") and undone.hunk_id == third.id
    left = ws.proposal("svc.py")
    assert left is not None and [h.id for h in left.hunks] == [third.id] and not left.hunks[0].edited

    undone = ws.undo()  # the rejection: the hunk is back, with its comment
    assert undone.label.startswith("undid the rejection of hunk") and undone.hunk_id == second.id
    left = ws.proposal("svc.py")
    assert left is not None and [h.id for h in left.hunks] == [second.id, third.id]
    assert left.hunks[0].comments == ("why?",)

    assert ws.undo().label.startswith('undid the comment "why?"')
    left = ws.proposal("svc.py")
    assert left is not None and left.hunks[0].comments == ()

    undone = ws.undo()  # the accept: disk and index as before
    assert undone.hunk_id == first.id
    assert service.read_text() == FORTY_LINES and git("diff", "--cached") == ""
    with pytest.raises(UndoRefused, match="nothing to undo"):
        ws.undo()
    assert ws.take_feedback() == ""  # nothing had been sent: everything queued was taken back silently

    ws.redo()  # accept
    assert git("diff", "--cached", "-U0").count("+THREE") == 1
    ws.redo()  # comment
    ws.redo()  # reject
    ws.redo()  # edit
    with pytest.raises(UndoRefused, match="nothing to redo"):
        ws.redo()
    left = ws.proposal("svc.py")
    assert left is not None and len(left.hunks) == 1 and left.hunks[0].edited and "+37" in left.hunks[0].as_text()
    feedback = ws.take_feedback()
    assert "Rejected hunk" in feedback and "why?" in feedback


def test_a_new_decision_ends_redo(ws: Workspace, service: Path) -> None:
    first, second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.reject_hunk("svc.py", first.id)
    ws.undo()
    ws.reject_hunk("svc.py", second.id)
    with pytest.raises(UndoRefused, match="nothing to redo"):
        ws.redo()


def test_undoing_a_rejection_already_sent_tells_the_agent(ws: Workspace, service: Path) -> None:
    first, _second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.reject_hunk("svc.py", first.id, "not now")
    assert "Rejected hunk" in ws.take_feedback()
    ws.undo()
    feedback = ws.take_feedback()
    assert f"the developer took back the rejection of hunk {first.header} in svc.py" in feedback.lower()
    proposal = ws.proposal("svc.py")
    assert proposal is not None and first.id in [h.id for h in proposal.hunks]


def test_undoing_an_unsent_rejection_removes_its_line_and_keeps_the_comment_line(ws: Workspace, service: Path) -> None:
    first, _second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.comment_hunk("svc.py", first.id, "looks odd")
    ws.reject_hunk("svc.py", first.id)
    ws.undo()
    feedback = ws.take_feedback()
    assert "Rejected" not in feedback and "took back" not in feedback
    assert "Comment on hunk" in feedback and "looks odd" in feedback


def test_undoing_a_whole_file_rejection_brings_the_proposal_back(ws: Workspace, service: Path, git_repo: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.propose("new.py", "n = 1\n")
    ws.reject_file("new.py")
    ws.reject_file("svc.py")
    assert ws.proposals() == []
    assert ws.undo().path == "svc.py"
    assert [p.path for p in ws.proposals()] == ["svc.py"]
    ws.undo()
    assert [p.path for p in ws.proposals()] == ["new.py", "svc.py"]
    assert ws.take_feedback() == ""
    ws.redo()
    assert [p.path for p in ws.proposals()] == ["svc.py"]
    assert not (git_repo / "new.py").exists()


def test_undoing_a_rejection_of_a_new_file(ws: Workspace, git_repo: Path) -> None:
    hunk = ws.propose("new.py", "n = 1\n").hunks[0]
    ws.reject_hunk("new.py", hunk.id)
    assert ws.proposals() == []
    assert ws.undo().hunk_id == hunk.id
    proposal = ws.proposal("new.py")
    assert proposal is not None and proposal.is_new and proposal.proposed == "n = 1\n"


def test_undoing_a_rejection_merges_with_what_the_agent_proposed_since(ws: Workspace, service: Path) -> None:
    first, _second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.reject_hunk("svc.py", first.id)
    ws.propose("svc.py", edit_lines(FORTY_LINES, {30: "THIRTY\n", 35: "THIRTY-FIVE\n"}))
    ws.undo()
    proposal = ws.proposal("svc.py")
    assert proposal is not None
    assert proposal.proposed == edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n", 35: "THIRTY-FIVE\n"})


def test_undo_of_an_accept_keeps_a_concurrent_writers_lines(ws: Workspace, service: Path, git: GitRunner) -> None:
    first, _second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.accept_hunk("svc.py", first.id)
    ws.comment_hunk("svc.py", _second.id, "later")
    service.write_text(edit_lines(service.read_text(), {20: "the developer's line 20\n"}))
    ws.undo()  # the comment
    ws.undo()  # the accept: line 3 back, the developer's line 20 kept
    assert service.read_text() == edit_lines(FORTY_LINES, {20: "the developer's line 20\n"})
    assert git("diff", "--cached") == ""


def test_the_stack_survives_a_resume(ws: Workspace, service: Path, git_repo: Path) -> None:
    first, second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.reject_hunk("svc.py", first.id)
    step = ws.edit_hunk("svc.py", second.id, _rewrite(ws.edit_buffer("svc.py", second.id), "THIRTY", "30"))
    assert step is not None
    saved = ws.to_json()
    restored = open_workspace(git_repo)
    try:
        restored.restore_json(saved)
        proposal = restored.proposal("svc.py")
        assert proposal is not None and proposal.hunks[0].edited
        restored.undo()
        restored.undo()
        proposal = restored.proposal("svc.py")
        assert proposal is not None and proposal.proposed == edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})
        assert proposal.state is FileState.PENDING
    finally:
        restored.close()


def test_undoing_an_accept_brings_back_the_hunks_comments(ws: Workspace, service: Path) -> None:
    first, _second = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"})).hunks
    ws.comment_hunk("svc.py", first.id, "fine, but why?")
    ws.accept_hunk("svc.py", first.id)
    ws.undo()
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.hunks[0].id == first.id
    assert proposal.hunks[0].comments == ("fine, but why?",)
