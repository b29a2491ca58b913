"""TUI fixtures: a small service repository with a fixed branch; helpers live in ``tests/tui/stand_ins.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.stand_ins import MAIN_PY, git


@pytest.fixture
def service_repo(tmp_path: Path) -> Path:
    """A git repository on branch ``main`` with ``app/main.py`` (the proposals in the tests change it twice)."""
    root = tmp_path / "service"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app").mkdir()
    (root / "app" / "main.py").write_text(MAIN_PY)
    (root / "README.md").write_text("# service\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root
