"""Changes an approved Bash command makes go through review: snapshot, diff, keep (stage) or restore per hunk."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.workspace import RebaseStatus, UndoRefused, Workspace, open_workspace
from backend_pair.workspace.model import command_key
from backend_pair.workspace.snapshot import Snapshots, SnapshotSkipped
from tests.support import git

TEN = "".join(f"line {n}\n" for n in range(1, 21))


def shell(root: Path, command: str) -> None:
    subprocess.run(["bash", "-c", command], cwd=root, check=True)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app" / "lines.txt").write_text(TEN)
    (git_repo / "gone.txt").write_text("to be deleted\n")
    (git_repo / "run.sh").write_text("echo hi\n")
    (git_repo / ".gitignore").write_text("build/\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "more")
    return git_repo


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    opened = open_workspace(repo)
    yield opened
    opened.close()


def run(ws: Workspace, command: str) -> list[str]:
    start = ws.begin_command(command)
    shell(ws.root, command)
    return list(ws.finish_command(start).changed)


EDIT = "sed -i 's/^line 2$/LINE TWO/; s/^line 18$/LINE EIGHTEEN/' app/lines.txt"


def test_a_command_s_changes_are_listed_for_review_and_nothing_is_staged(ws: Workspace, repo: Path) -> None:
    command = f"{EDIT} && echo new > new.txt && rm gone.txt && chmod +x run.sh && mkdir -p build && touch build/x"
    start = ws.begin_command(command)
    shell(repo, command)
    report = ws.finish_command(start)
    assert report.changed == ("app/lines.txt", "gone.txt", "new.txt", "run.sh")
    assert report.ignored == ("build/",)
    assert "The command changed 4 files: app/lines.txt, gone.txt, new.txt, run.sh" in report.summary()
    views = {view.path: view for view in ws.proposals() if view.origin}
    assert set(views) == set(report.changed)
    assert all(view.origin == command for view in views.values())
    assert len(views["app/lines.txt"].hunks) == 2
    assert views["run.sh"].hunks[0].header == "@@ file 8 bytes → 8 bytes, mode 100644 → 100755 @@"
    assert ws.counts().pending_hunks == 5
    assert git(repo, "diff", "--cached") == "" and git(repo, "stash", "list") == ""
    assert not (repo / ".git" / "backend-pair" / "running-command.json").exists()


def test_keep_stages_exactly_that_hunk_and_leaves_the_disk(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    view = next(v for v in ws.proposals() if v.origin)
    first = view.hunks[0]
    ws.accept_hunk(view.key, first.id)
    staged = git(repo, "diff", "--cached")
    assert "+LINE TWO" in staged and "EIGHTEEN" not in staged
    assert "LINE TWO" in (repo / "app" / "lines.txt").read_text()
    assert "LINE EIGHTEEN" in (repo / "app" / "lines.txt").read_text()
    remaining = next(v for v in ws.proposals() if v.origin)
    assert [line.text for line in remaining.hunks[0].lines if line.kind == "+"] == ["LINE EIGHTEEN"]
    ws.accept_file(remaining.key)
    assert [v for v in ws.proposals() if v.origin] == []
    assert git(repo, "diff") == ""
    assert "Kept and staged 1 hunk(s)" in ws.take_feedback()


def test_restore_puts_exactly_that_hunk_back(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    view = next(v for v in ws.proposals() if v.origin)
    ws.reject_hunk(view.key, view.hunks[1].id, "keep line 18")
    text = (repo / "app" / "lines.txt").read_text()
    assert "LINE TWO" in text and "line 18\n" in text and "EIGHTEEN" not in text
    assert git(repo, "diff", "--cached") == ""
    feedback = ws.take_feedback()
    assert "restored @@" in feedback and "keep line 18" in feedback


def test_restore_merges_around_the_developer_s_later_edits_and_refuses_over_them(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    path = repo / "app" / "lines.txt"
    path.write_text(path.read_text().replace("line 10\n", "line ten (mine)\n"))
    view = next(v for v in ws.proposals() if v.origin)
    ws.reject_hunk(view.key, view.hunks[0].id)
    text = path.read_text()
    assert "line 2\n" in text and "line ten (mine)" in text and "LINE EIGHTEEN" in text
    path.write_text(text.replace("LINE EIGHTEEN", "my eighteen"))
    view = next(v for v in ws.proposals() if v.origin)
    with pytest.raises(UndoRefused, match="you edited those lines"):
        ws.reject_hunk(view.key, view.hunks[0].id)
    assert "my eighteen" in path.read_text()


def test_created_deleted_and_mode_changes_are_kept_or_restored_whole(ws: Workspace, repo: Path) -> None:
    run(ws, "echo new > new.txt && rm gone.txt && chmod +x run.sh && printf 'a\\0b' > blob.bin")
    views = {v.path: v for v in ws.proposals() if v.origin}
    ws.reject_file(views["new.txt"].key)
    ws.reject_file(views["gone.txt"].key)
    ws.reject_file(views["run.sh"].key)
    assert not (repo / "new.txt").exists()
    assert (repo / "gone.txt").read_text() == "to be deleted\n"
    assert not os.stat(repo / "run.sh").st_mode & stat.S_IXUSR
    assert views["blob.bin"].hunks[0].header.startswith("@@ binary file absent → 3 bytes")
    ws.accept_file(views["blob.bin"].key)
    assert git(repo, "diff", "--cached", "--stat").strip().startswith("blob.bin")
    assert [v for v in ws.proposals() if v.origin] == []
    assert git(repo, "status", "--porcelain") == "A  blob.bin\n"


def test_a_pending_proposal_is_rebased_and_the_watcher_does_not_call_it_an_outside_edit(ws: Workspace) -> None:
    proposed = TEN.replace("line 10\n", "line 10 proposed\n")
    ws.propose("app/lines.txt", proposed)
    run(ws, f"{EDIT} && echo new > new.txt")
    agent = ws.proposal("app/lines.txt")
    assert agent is not None and "LINE TWO" in agent.proposed and "line 10 proposed" in agent.proposed
    ws.take_feedback()
    outcomes = ws.disk_changed(["app/lines.txt", "new.txt"])  # what the watcher reports a moment later
    assert [o.status for o in outcomes] == [RebaseStatus.UNCHANGED]
    assert ws.take_feedback() == ""


def test_two_commands_on_one_file_review_as_one_change_and_a_revert_leaves_nothing(ws: Workspace) -> None:
    run(ws, "sed -i 's/^line 2$/LINE TWO/' app/lines.txt")
    run(ws, "sed -i 's/^line 15$/LINE FIFTEEN/' app/lines.txt")
    view = next(v for v in ws.proposals() if v.origin)
    assert len(view.hunks) == 2 and view.origin.startswith("sed -i 's/^line 15$/")
    run(ws, "git checkout -- app/lines.txt")
    assert [v for v in ws.proposals() if v.origin] == []


def test_a_command_cut_short_is_reviewable_after_a_restart(repo: Path) -> None:
    first = open_workspace(repo)
    first.begin_command("sed -i 's/^line 2$/LINE TWO/' app/lines.txt; sleep 100")
    shell(repo, "sed -i 's/^line 2$/LINE TWO/' app/lines.txt")
    first.close()  # the app died here: no finish_command
    second = open_workspace(repo)
    try:
        report = second.recover_interrupted_command()
        assert report is not None and report.changed == ("app/lines.txt",)
        view = next(v for v in second.proposals() if v.origin)
        assert view.origin.endswith("(interrupted)")
        assert second.recover_interrupted_command() is None
    finally:
        second.close()


def test_command_changes_survive_the_journal(ws: Workspace, repo: Path) -> None:
    run(ws, f"{EDIT} && printf 'x\\0y' > blob.bin")
    saved = ws.to_json()
    again = open_workspace(repo)
    try:
        again.restore_json(saved)
        assert [(v.path, len(v.hunks)) for v in again.proposals() if v.origin] == [
            ("app/lines.txt", 2),
            ("blob.bin", 1),
        ]
        again.reject_file(command_key("blob.bin"))
        assert not (repo / "blob.bin").exists()
    finally:
        again.close()


def test_too_many_untracked_bytes_skip_the_snapshot(ws: Workspace, repo: Path) -> None:
    (repo / "dump.dat").write_bytes(b"x" * 4096)
    with pytest.raises(SnapshotSkipped, match="untracked files"):
        Snapshots(ws._git, limit_bytes=1024).take()


def test_keeping_and_restoring_a_command_s_hunks_are_undone_and_redone_in_order(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    key = command_key("app/lines.txt")
    first, second = next(v for v in ws.proposals() if v.origin).hunks
    changed = (repo / "app" / "lines.txt").read_text()
    ws.accept_hunk(key, first.id)  # keep: staged
    ws.reject_hunk(key, second.id)  # restore: line 18 back on disk
    assert "LINE EIGHTEEN" not in (repo / "app" / "lines.txt").read_text()

    step = ws.undo()  # the restore: the command's line is back on disk, pending again
    assert step.label.startswith("undid restoring 1 hunk of app/lines.txt") and step.hunk_id == second.id
    assert (repo / "app" / "lines.txt").read_text() == changed
    step = ws.undo()  # the keep: unstaged, pending again
    assert git(repo, "diff", "--cached") == ""
    assert [h.id for h in next(v for v in ws.proposals() if v.origin).hunks] == [first.id, second.id]
    assert ws.take_feedback() == ""  # neither decision had been sent

    ws.redo()
    ws.redo()
    assert "+LINE TWO" in git(repo, "diff", "--cached")
    assert "LINE EIGHTEEN" not in (repo / "app" / "lines.txt").read_text()
    assert not [v for v in ws.proposals() if v.origin]


def test_undoing_a_restore_never_overwrites_a_later_edit(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    key = command_key("app/lines.txt")
    _first, second = next(v for v in ws.proposals() if v.origin).hunks
    ws.reject_hunk(key, second.id)
    mine = (repo / "app" / "lines.txt").read_text().replace("line 5\n", "my line 5\n")
    (repo / "app" / "lines.txt").write_text(mine)
    with pytest.raises(UndoRefused, match="changed on disk since"):
        ws.undo()
    assert (repo / "app" / "lines.txt").read_text() == mine


def test_undoing_a_keep_the_agent_heard_of_tells_it(ws: Workspace, repo: Path) -> None:
    run(ws, EDIT)
    first = next(v for v in ws.proposals() if v.origin).hunks[0]
    ws.accept_hunk(command_key("app/lines.txt"), first.id)
    assert "Kept and staged" in ws.take_feedback()
    ws.undo()
    assert "took back keeping 1 hunk of app/lines.txt" in ws.take_feedback()
    assert git(repo, "diff", "--cached") == ""
