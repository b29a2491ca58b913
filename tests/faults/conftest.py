"""Fault-suite fixtures: a service repository and a private tmux server; helpers in ``fault_support.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.fault_support import MAIN_PY, Tmux, git


@pytest.fixture
def service_repo(tmp_path: Path) -> Path:
    """A git repository on ``main`` with ``app/main.py`` (40 lines), ``README.md`` and ``notes.txt``."""
    root = tmp_path / "service"
    (root / "app").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "app" / "main.py").write_text(MAIN_PY)
    (root / "README.md").write_text("# service\n\nA small service.\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    """A private tmux server (skips the test where tmux is not installed); killed with its panes afterwards."""
    server = Tmux.start_or_skip()
    yield server
    server.close()
