"""Per-turn checkpoints and rewinding a file to one: proposed, reviewed like any change, undoable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.workspace import Workspace, WorkspaceError, open_workspace
from tests.support import git


@pytest.fixture
def ws(git_repo: Path) -> Iterator[Workspace]:
    opened = open_workspace(git_repo)
    yield opened
    opened.close()


def test_rewinding_a_file_proposes_its_old_content(ws: Workspace, git_repo: Path) -> None:
    main = git_repo / "app" / "main.py"
    original = main.read_text()
    first = ws.checkpoint("add a greeting")
    main.write_text(original.replace("'hello'", "'hi'"))
    (git_repo / "new.txt").write_text("new\n")
    second = ws.checkpoint("  second\nturn ")
    assert [c.label for c in ws.checkpoints()] == ["second turn", "add a greeting"]
    assert ws.changed_since(first) == ["app/main.py", "new.txt"]
    assert ws.changed_since(second) == []
    proposal = ws.propose_rewind("app/main.py", first)
    assert proposal.proposed == original and len(proposal.hunks) == 1
    assert "'hi'" in main.read_text()  # nothing written yet
    ws.accept_file("app/main.py")
    assert main.read_text() == original
    assert git(git_repo, "status", "--porcelain", "app/main.py") == ""  # disk, index and HEAD agree again
    ws.undo_last_accept()
    assert "'hi'" in main.read_text()
    with pytest.raises(WorkspaceError, match="did not exist before “add a greeting”"):
        ws.propose_rewind("new.txt", first)


def test_checkpoints_travel_in_the_journal_data(ws: Workspace, git_repo: Path) -> None:
    checkpoint = ws.checkpoint("turn one")
    (git_repo / "README.md").write_text("changed\n")
    again = open_workspace(git_repo)
    try:
        again.restore_json(ws.to_json())
        assert again.checkpoints() == [checkpoint]
        assert again.propose_rewind("README.md", checkpoint).proposed == "# sample\n"
    finally:
        again.close()
