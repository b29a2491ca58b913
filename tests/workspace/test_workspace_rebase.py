"""Outside edits: three-way rebase of pending proposals, conflicts kept in the model, deletes and renames."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_pair.workspace import FileState, RebaseStatus, Workspace, WorkspaceError, open_workspace
from tests.support import FORTY_LINES, GitRunner, edit_lines


def test_clean_merge_updates_hunks_and_keeps_ids(ws: Workspace, service: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    service.write_text(edit_lines(FORTY_LINES, {15: "developer fifteen\n"}))
    outcomes = ws.disk_changed(["svc.py"])
    assert [(o.path, o.status) for o in outcomes] == [("svc.py", RebaseStatus.REBASED)]
    rebased = ws.proposal("svc.py")
    assert rebased is not None and rebased.state is FileState.PENDING
    assert rebased.base == service.read_text()
    assert rebased.proposed == edit_lines(FORTY_LINES, {3: "THREE\n", 15: "developer fifteen\n", 30: "THIRTY\n"})
    assert [h.id for h in rebased.hunks] == [h.id for h in proposal.hunks]
    feedback = ws.take_feedback()
    assert "Outside edit: svc.py changed on disk; the proposal was rebased" in feedback
    assert "+developer fifteen" in feedback


def test_conflict_keeps_both_sides_and_never_writes(ws: Workspace, service: Path, git: GitRunner) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {20: "agent twenty\n"}))
    developer = edit_lines(FORTY_LINES, {20: "developer twenty\n"})
    service.write_text(developer)
    [outcome] = ws.disk_changed(["svc.py"])
    assert outcome.status is RebaseStatus.CONFLICT
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.state is FileState.CONFLICT and proposal.hunks == ()
    assert proposal.conflict is not None
    assert proposal.conflict.ours == developer
    assert proposal.conflict.theirs == edit_lines(FORTY_LINES, {20: "agent twenty\n"})
    assert proposal.conflict.base == FORTY_LINES
    assert service.read_text() == developer
    assert ws.read_text("svc.py") == developer
    assert ws.counts().conflicts == 1
    with pytest.raises(WorkspaceError, match="conflicts"):
        ws.accept_file("svc.py")
    with pytest.raises(WorkspaceError, match="conflicts"):
        ws.accept_hunk("svc.py", "any")
    ws.accept_all()
    assert service.read_text() == developer and git("diff", "--cached") == ""
    assert "conflicts with the proposal" in ws.take_feedback()


def test_conflict_resolves_when_the_developer_reverts(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {20: "agent twenty\n"}))
    service.write_text(edit_lines(FORTY_LINES, {20: "developer twenty\n"}))
    ws.disk_changed(["svc.py"])
    service.write_text(FORTY_LINES)
    [outcome] = ws.disk_changed(["svc.py"])
    assert outcome.status is RebaseStatus.RESOLVED
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.state is FileState.PENDING and len(proposal.hunks) == 1


def test_redo_conflict_drops_it_and_asks_the_agent(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {20: "agent twenty\n"}))
    service.write_text(edit_lines(FORTY_LINES, {20: "developer twenty\n"}))
    ws.disk_changed(["svc.py"])
    ws.take_feedback()
    ws.redo_conflict("svc.py")
    assert ws.proposals() == []
    assert "propose the change anew" in ws.take_feedback()
    with pytest.raises(WorkspaceError):
        ws.redo_conflict("svc.py")


def test_new_proposal_on_conflicted_file_starts_from_disk(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {20: "agent twenty\n"}))
    developer = edit_lines(FORTY_LINES, {20: "developer twenty\n"})
    service.write_text(developer)
    ws.disk_changed(["svc.py"])
    proposal = ws.propose("svc.py", edit_lines(developer, {21: "agent 21\n"}))
    assert proposal.state is FileState.PENDING and proposal.base == developer and len(proposal.hunks) == 1


def test_own_writes_and_unchanged_files_are_quiet(ws: Workspace, service: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    ws.take_feedback()
    [outcome] = ws.disk_changed(["svc.py"])
    assert outcome.status is RebaseStatus.UNCHANGED
    ws.accept_hunk("svc.py", proposal.hunks[1].id)
    ws.take_feedback()
    assert ws.disk_changed(["svc.py"]) == []
    assert not ws.has_feedback()


def test_other_files_changed_are_listed_for_the_agent(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "README.md").write_text("# changed by the developer\n")
    assert ws.disk_changed(["README.md", "../outside", ".git/index"]) == []
    assert "Files changed on disk outside the app: README.md" in ws.take_feedback()


def test_deleted_file_is_marked(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    service.unlink()
    [outcome] = ws.disk_changed(["svc.py"])
    assert outcome.status is RebaseStatus.DELETED
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.state is FileState.DELETED_ON_DISK and proposal.is_new
    assert "was deleted on disk" in ws.take_feedback()
    ws.reject_file("svc.py")
    assert ws.proposals() == []


def test_renamed_file_moves_the_proposal(ws: Workspace, service: Path, git_repo: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    service.rename(git_repo / "service.py")
    [outcome] = ws.disk_changed(["svc.py", "service.py"])
    assert outcome.status is RebaseStatus.RENAMED and outcome.new_path == "service.py"
    moved = ws.proposal("service.py")
    assert moved is not None and [h.id for h in moved.hunks] == [h.id for h in proposal.hunks]
    assert ws.proposal("svc.py") is None
    ws.accept_file("service.py")
    assert (git_repo / "service.py").read_text() == edit_lines(FORTY_LINES, {3: "THREE\n"})


def test_accept_syncs_with_disk_even_before_the_watcher(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {30: "THIRTY\n"}))
    service.write_text(edit_lines(FORTY_LINES, {5: "dev five\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    assert service.read_text() == edit_lines(FORTY_LINES, {5: "dev five\n", 30: "THIRTY\n"})
    staged = git("diff", "--cached", "-U0")
    assert "+THIRTY" in staged and "dev five" not in staged


def test_propose_after_outside_edit_merges_onto_it(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    service.write_text(edit_lines(FORTY_LINES, {30: "dev thirty\n"}))
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 10: "TEN\n"}))
    proposal = ws.proposal("svc.py")
    assert proposal is not None
    assert proposal.proposed == edit_lines(FORTY_LINES, {3: "THREE\n", 10: "TEN\n", 30: "dev thirty\n"})


def test_json_round_trip_restores_proposals_comments_feedback_and_undo(
    ws: Workspace, service: Path, git_repo: Path, git: GitRunner
) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.propose("new.py", "n = 1\n")
    ws.accept_hunk("svc.py", proposal.hunks[1].id)
    ws.comment_hunk("svc.py", proposal.hunks[0].id, "hmm")
    saved = ws.to_json()
    assert "THIRTY" not in str(saved["decisions"])  # undo data is kept as blob ids, not texts
    ws.close()

    restored = open_workspace(git_repo)
    try:
        restored.restore_json(saved)
        assert [p.path for p in restored.proposals()] == ["new.py", "svc.py"]
        svc = restored.proposal("svc.py")
        assert svc is not None and svc.state is FileState.PARTLY_ACCEPTED
        assert svc.hunks[0].comments == ("hmm",)
        assert restored.accepted_paths() == ["svc.py"]
        assert "hmm" in restored.take_feedback()
        assert restored.undo().label.startswith('undid the comment "hmm"')  # the stack came back in order
        restored.undo_last_accept()
        assert service.read_text() == FORTY_LINES and git("diff", "--cached") == ""
        assert restored.to_json()["version"] == 1
    finally:
        restored.close()


def test_restore_rebases_onto_changed_disk(ws: Workspace, service: Path, git_repo: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    saved = ws.to_json()
    service.write_text(edit_lines(FORTY_LINES, {30: "dev thirty\n"}))
    ws.restore_json(saved)
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.base == service.read_text()
    with pytest.raises(WorkspaceError, match="version"):
        ws.restore_json({"version": 99})


def test_new_file_proposal_when_the_developer_creates_the_file(ws: Workspace, git_repo: Path) -> None:
    ws.propose("new.py", "agent = 1\n")
    (git_repo / "new.py").write_text("developer = 1\n")
    [outcome] = ws.disk_changed(["new.py"])
    assert outcome.status is RebaseStatus.CONFLICT
    (git_repo / "new.py").write_text("agent = 1\n")
    [outcome] = ws.disk_changed(["new.py"])
    assert outcome.status is RebaseStatus.RESOLVED and "nothing left to review" in outcome.detail
    assert ws.proposals() == []


def test_restore_refuses_damaged_or_escaping_state(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="damaged"):
        ws.restore_json({"version": 1, "entries": [{"nopath": 1}]})
    escaping = {"version": 1, "entries": [{"path": "../evil.py", "base_raw": None, "proposed": "x\n"}]}
    with pytest.raises(WorkspaceError, match="not a plain repository path"):
        ws.restore_json(escaping)
    assert ws.proposals() == []


def test_conflicted_file_deleted_becomes_a_new_file_proposal(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {20: "agent twenty\n"}))
    service.write_text(edit_lines(FORTY_LINES, {20: "developer twenty\n"}))
    ws.disk_changed(["svc.py"])
    service.unlink()
    [outcome] = ws.disk_changed(["svc.py"])
    assert outcome.status is RebaseStatus.DELETED
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.state is FileState.DELETED_ON_DISK
    assert proposal.proposed == edit_lines(FORTY_LINES, {20: "agent twenty\n"}) and len(proposal.hunks) == 1
