"""Workspace fixtures: a committed 40-line file beside the shared ``git_repo`` / ``ws`` / ``git`` fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import FORTY_LINES, GitRunner


@pytest.fixture
def service(git_repo: Path, git: GitRunner) -> Path:
    """A committed 40-line file ``svc.py`` (:data:`tests.support.FORTY_LINES`)."""
    (git_repo / "svc.py").write_text(FORTY_LINES)
    git("add", "svc.py")
    git("commit", "-qm", "svc")
    return git_repo / "svc.py"
