"""Accept = write to disk atomically and stage exactly that hunk; reject, comment, accept file/all, undo."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from backend_pair.workspace import (
    FileState,
    HunkNotFound,
    IndexLocked,
    UndoRefused,
    Workspace,
    WorkspaceError,
    gitrepo,
    open_workspace,
)
from tests.support import FORTY_LINES, GitRunner, edit_lines


def test_accept_one_hunk_writes_and_stages_only_that_hunk(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    first, second = proposal.hunks
    ws.accept_hunk("svc.py", second.id)
    assert service.read_text() == edit_lines(FORTY_LINES, {30: "THIRTY\n"})
    staged = git("diff", "--cached", "-U0", "svc.py")
    assert "+THIRTY" in staged and "THREE" not in staged
    assert git("diff", "svc.py") == ""
    left = ws.proposal("svc.py")
    assert left is not None and left.state is FileState.PARTLY_ACCEPTED
    assert [h.id for h in left.hunks] == [first.id]
    assert ws.accepted_paths() == ["svc.py"]
    assert ws.counts().staged_hunks == 1 and ws.counts().pending_hunks == 1


def test_developer_unstaged_edits_stay_unstaged(ws: Workspace, service: Path, git: GitRunner) -> None:
    service.write_text(edit_lines(FORTY_LINES, {10: "developer edit\n"}))
    proposal = ws.propose("svc.py", edit_lines(service.read_text(), {30: "THIRTY\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    assert service.read_text() == edit_lines(FORTY_LINES, {10: "developer edit\n", 30: "THIRTY\n"})
    staged = git("diff", "--cached", "-U0")
    assert "+THIRTY" in staged and "developer edit" not in staged
    unstaged = git("diff", "-U0")
    assert "+developer edit" in unstaged and "THIRTY" not in unstaged


def test_developer_staged_edits_are_kept_in_the_index(ws: Workspace, service: Path, git: GitRunner) -> None:
    service.write_text(edit_lines(FORTY_LINES, {1: "staged by dev\n"}))
    git("add", "svc.py")
    proposal = ws.propose("svc.py", edit_lines(service.read_text(), {30: "THIRTY\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    staged = git("diff", "--cached", "-U0")
    assert "+staged by dev" in staged and "+THIRTY" in staged
    assert git("diff") == ""


def test_hunk_ids_stay_stable_while_others_are_decided(ws: Workspace, service: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {2: "A\n", 15: "B\n", 28: "C\n", 39: "D\n"}))
    ids = [h.id for h in proposal.hunks]
    assert len(ids) == 4
    ws.accept_hunk("svc.py", ids[1])
    ws.reject_hunk("svc.py", ids[2], "not this one")
    left = ws.proposal("svc.py")
    assert left is not None and [h.id for h in left.hunks] == [ids[0], ids[3]]
    ws.accept_hunk("svc.py", ids[3])
    left = ws.proposal("svc.py")
    assert left is not None and [h.id for h in left.hunks] == [ids[0]]


def test_new_file_is_created_and_added(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    proposal = ws.propose("pkg/deep/new.py", "x = 1\n")
    ws.accept_hunk(proposal.path, proposal.hunks[0].id)
    assert (git_repo / "pkg" / "deep" / "new.py").read_text() == "x = 1\n"
    assert git("diff", "--cached", "--name-status") == "A\tpkg/deep/new.py\n"
    assert ws.proposals() == []


def test_unborn_branch(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "trunk"], cwd=root, check=True)
    ws = open_workspace(root)
    try:
        assert ws.branch() == "trunk"
        assert ws.list_files() == []
        proposal = ws.propose("main.py", "print('hi')\n")
        ws.accept_all()
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
        assert status == "A  main.py\n"
        assert proposal.is_new
    finally:
        ws.close()


def test_crlf_and_missing_final_newline_are_preserved(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    path = git_repo / "win.txt"
    path.write_bytes(b"one\r\ntwo\r\nthree\r\nfour")
    git("add", "win.txt")
    git("commit", "-qm", "crlf")
    assert ws.read_text("win.txt") == "one\ntwo\nthree\nfour"
    proposal = ws.propose("win.txt", "one\nTWO\nthree\nfour")
    ws.accept_hunk("win.txt", proposal.hunks[0].id)
    assert path.read_bytes() == b"one\r\nTWO\r\nthree\r\nfour"
    staged = subprocess.run(["git", "show", ":win.txt"], cwd=git_repo, capture_output=True, check=True).stdout
    assert staged == b"one\r\nTWO\r\nthree\r\nfour"


def test_mode_is_kept(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    script = git_repo / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    git("add", "run.sh")
    git("commit", "-qm", "script")
    proposal = ws.propose("run.sh", "#!/bin/sh\necho hello\n")
    ws.accept_file(proposal.path)
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert git("ls-files", "-s", "run.sh").startswith("100755 ")
    assert not [p for p in git_repo.iterdir() if p.name.endswith(".bp-tmp")]


def test_reject_removes_the_hunk_and_queues_feedback(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.reject_hunk("svc.py", proposal.hunks[0].id, "keep line 3 as it is")
    assert ws.read_text("svc.py") == edit_lines(FORTY_LINES, {30: "THIRTY\n"})
    assert service.read_text() == FORTY_LINES
    assert git("diff", "--cached") == ""
    feedback = ws.take_feedback()
    assert "Rejected hunk @@ -1,6 +1,6 @@ in svc.py" in feedback
    assert "keep line 3 as it is" in feedback and "+THREE" in feedback
    assert ws.take_feedback() == "" and not ws.has_feedback()


def test_comment_without_deciding(ws: Workspace, service: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    hunk_id = proposal.hunks[0].id
    ws.comment_hunk("svc.py", hunk_id, "why uppercase?")
    again = ws.proposal("svc.py")
    assert again is not None and again.hunks[0].comments == ("why uppercase?",)
    assert again.hunks[0].id == hunk_id
    assert ws.has_feedback() and "why uppercase?" in ws.take_feedback()


def test_reject_file_and_new_file(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    new = ws.propose("extra.py", "y = 2\n")
    ws.reject_file("svc.py", "wrong approach")
    ws.reject_hunk("extra.py", new.hunks[0].id)
    assert ws.proposals() == []
    text = ws.take_feedback()
    assert "Rejected all 2 pending hunk(s) in svc.py" in text and "wrong approach" in text
    assert "extra.py" in text


def test_accept_all_batches_files(ws: Workspace, service: Path, git_repo: Path, git: GitRunner) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.propose("README.md", "# sample service\n")
    ws.propose("docs/new.md", "hello\n")
    ws.accept_all()
    assert ws.proposals() == []
    assert sorted(git("diff", "--cached", "--name-only").split()) == ["README.md", "docs/new.md", "svc.py"]
    assert git("diff") == ""
    assert ws.counts().staged_hunks == 4
    ws.undo_last_accept()
    assert git("diff", "--cached") == "" and service.read_text() == FORTY_LINES
    assert not (git_repo / "docs").exists()
    assert ws.counts().pending_hunks == 4


def test_unknown_hunk(ws: Workspace, service: Path) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    with pytest.raises(HunkNotFound):
        ws.accept_hunk("svc.py", "nope")
    with pytest.raises(HunkNotFound):
        ws.accept_hunk("README.md", "nope")


def test_undo_puts_disk_and_index_back_and_the_hunk_returns(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n", 30: "THIRTY\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    ws.accept_hunk("svc.py", proposal.hunks[1].id)
    assert ws.proposals() == []
    assert ws.undo_last_accept() == "1 hunk in svc.py"
    assert service.read_text() == edit_lines(FORTY_LINES, {3: "THREE\n"})
    assert "THIRTY" not in git("diff", "--cached")
    back = ws.proposal("svc.py")
    assert back is not None and [h.id for h in back.hunks] == [proposal.hunks[1].id]
    ws.undo_last_accept()
    assert service.read_text() == FORTY_LINES and git("diff", "--cached") == ""
    with pytest.raises(UndoRefused, match="nothing to undo"):
        ws.undo_last_accept()


def test_undo_survives_edits_elsewhere_but_refuses_edits_on_those_lines(
    ws: Workspace, service: Path, git: GitRunner
) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {30: "THIRTY\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    service.write_text(edit_lines(service.read_text(), {5: "dev five\n"}))
    ws.undo_last_accept()
    assert service.read_text() == edit_lines(FORTY_LINES, {5: "dev five\n"})
    assert git("diff", "--cached") == ""

    again = ws.proposal("svc.py")
    assert again is not None
    ws.accept_hunk("svc.py", again.hunks[0].id)
    service.write_text(edit_lines(service.read_text(), {30: "dev rewrote thirty\n"}))
    before = service.read_bytes()
    with pytest.raises(UndoRefused, match=r"you edited the accepted lines of svc\.py"):
        ws.undo_last_accept()
    assert service.read_bytes() == before
    assert "+THIRTY" in git("diff", "--cached")


def test_index_lock_waits_then_refuses_with_nothing_written(
    ws: Workspace, service: Path, git_repo: Path, git: GitRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitrepo, "INDEX_LOCK_WAIT_SECONDS", 0.3)
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    lock = git_repo / ".git" / "index.lock"
    lock.write_text("")
    with pytest.raises(IndexLocked, match=r"index\.lock"):
        ws.accept_hunk("svc.py", proposal.hunks[0].id)
    assert service.read_text() == FORTY_LINES
    lock.unlink()
    assert git("diff", "--cached") == ""
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    assert "+THREE" in git("diff", "--cached")


def test_index_lock_released_while_waiting(ws: Workspace, service: Path, git_repo: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    lock = git_repo / ".git" / "index.lock"
    lock.write_text("")
    releaser = threading.Timer(0.2, lock.unlink)
    releaser.start()
    try:
        ws.accept_hunk("svc.py", proposal.hunks[0].id)
    finally:
        releaser.join()
    assert "+THREE" in git("diff", "--cached")


def test_accept_is_thread_safe(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {2: "A\n", 15: "B\n", 28: "C\n", 39: "D\n"}))
    errors: list[BaseException] = []

    def accept(hunk_id: str) -> None:
        try:
            ws.accept_hunk("svc.py", hunk_id)
        except BaseException as err:  # collected and re-raised by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=accept, args=(h.id,)) for h in proposal.hunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert service.read_text() == edit_lines(FORTY_LINES, {2: "A\n", 15: "B\n", 28: "C\n", 39: "D\n"})
    assert git("diff") == ""


def test_accepting_a_file_the_developer_deleted_recreates_it(ws: Workspace, service: Path, git: GitRunner) -> None:
    ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    os.remove(service)
    outcome = ws.disk_changed(["svc.py"])
    assert outcome[0].status.value == "deleted"
    proposal = ws.proposal("svc.py")
    assert proposal is not None and proposal.state is FileState.DELETED_ON_DISK and proposal.is_new
    ws.accept_file("svc.py")
    assert service.read_text() == edit_lines(FORTY_LINES, {3: "THREE\n"})
    assert git("status", "--porcelain", "svc.py") == "M  svc.py\n"


def test_accept_feedback_is_summed_per_file_and_undo_before_telling_is_silent(ws: Workspace, service: Path) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {2: "A\n", 15: "B\n", 28: "C\n"}))
    ws.accept_hunk("svc.py", proposal.hunks[0].id)
    ws.accept_hunk("svc.py", proposal.hunks[1].id)
    text = ws.take_feedback()
    assert "Accepted, written to disk and staged: 2 hunk(s) in svc.py." in text
    assert text.count("Accepted") == 1
    ws.accept_hunk("svc.py", proposal.hunks[2].id)
    ws.undo_last_accept()
    assert not ws.has_feedback()
    ws.undo_last_accept()
    assert "undid the accept of 1 hunk in svc.py" in ws.take_feedback()


def test_untracked_file_is_added_whole(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    (git_repo / "draft.py").write_text("a = 1\nb = 2\n")
    proposal = ws.propose("draft.py", "a = 1\nb = 3\n")
    assert not proposal.is_new
    ws.accept_hunk("draft.py", proposal.hunks[0].id)
    assert git("status", "--porcelain", "draft.py") == "A  draft.py\n"
    assert git("show", ":draft.py") == "a = 1\nb = 3\n"


def test_unmerged_index_entry_is_refused_clearly(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    git("checkout", "-q", "-b", "other")
    (git_repo / "README.md").write_text("# other\n")
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    (git_repo / "README.md").write_text("# main\n")
    git("commit", "-qam", "main")
    subprocess.run(["git", "merge", "-q", "other"], cwd=git_repo, capture_output=True, check=False)
    proposal = ws.propose("README.md", "# merged\n")
    with pytest.raises(WorkspaceError, match="unresolved merge conflicts"):
        ws.accept_file(proposal.path)
    assert "<<<<<<<" in (git_repo / "README.md").read_text()


def test_utf8_bom_is_hidden_from_the_agent_and_kept_on_disk(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    path = git_repo / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfone\ntwo\n")
    git("add", "bom.txt")
    assert ws.read_text("bom.txt") == "one\ntwo\n"
    proposal = ws.propose("bom.txt", "one\nTWO\n")
    assert [line.text for line in proposal.hunks[0].lines if line.kind != " "] == ["two", "TWO"]
    ws.accept_file("bom.txt")
    assert path.read_bytes() == b"\xef\xbb\xbfone\nTWO\n"


def test_empty_new_file(ws: Workspace, git_repo: Path, git: GitRunner) -> None:
    proposal = ws.propose("pkg/__init__.py", "")
    assert proposal.is_new and len(proposal.hunks) == 1
    ws.accept_hunk(proposal.path, proposal.hunks[0].id)
    assert (git_repo / "pkg" / "__init__.py").read_bytes() == b""
    assert git("status", "--porcelain") == "A  pkg/__init__.py\n"


def test_undo_is_refused_after_a_commit(ws: Workspace, service: Path, git: GitRunner) -> None:
    proposal = ws.propose("svc.py", edit_lines(FORTY_LINES, {3: "THREE\n"}))
    ws.accept_file(proposal.path)
    git("commit", "-qm", "agent change")
    with pytest.raises(UndoRefused, match="a commit was made since"):
        ws.undo_last_accept()
    assert service.read_text() == edit_lines(FORTY_LINES, {3: "THREE\n"})


def test_a_comment_then_a_rejection_reach_the_agent_once(ws: Workspace, git_repo: Path) -> None:
    ws.propose("app/main.py", "def hello() -> str:\n    return 'bonjour'\n")
    hunk = ws.proposals()[0].hunks[0]
    ws.comment_hunk("app/main.py", hunk.id, "French? really?")
    ws.reject_hunk("app/main.py", hunk.id, "keep English")
    feedback = ws.take_feedback()
    assert "still pending" not in feedback
    assert feedback.count("Rejected hunk") == 1
    assert 'The developer says: "French? really? / keep English"' in feedback


def test_outside_edit_feedback_leaves_out_files_that_came_and_went(ws: Workspace, git_repo: Path) -> None:
    (git_repo / "notes.txt").write_text("mine\n")
    (git_repo / "README.md").unlink()
    ws.disk_changed(["app/sedEL4f1p", "notes.txt", "README.md"])
    feedback = ws.take_feedback()
    assert "notes.txt" in feedback and "README.md" in feedback  # new, and deleted by the developer
    assert "sedEL4f1p" not in feedback
