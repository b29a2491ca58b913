"""Fixtures shared by every test: real temporary git repositories, and an environment without API keys."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import support

if TYPE_CHECKING:
    from backend_pair.workspace import Workspace


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per core for ``-n auto``: the tests spend about half their time waiting (Pilot's idle waits, git,
    tmux), so a second worker per core fills it. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, 2 * cores)


SLOW_FIRST = ("test_tui_e2e_tmux.py", "test_fault_resume_e2e.py", "test_fault_kill_", "test_tui_keymaps.py")
"""Test files whose tests take seconds each (a real backend-pair in tmux, hundreds of keys through Pilot)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest tests first, so the workers do not all finish but one still running a slow test."""
    items.sort(key=lambda item: not item.path.name.startswith(SLOW_FIRST))


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No real key, no real endpoint, no user config: every test starts from the same blank machine."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # pytest-xdist's workers export COLUMNS=80 / LINES=24; Textual (and the app in tmux) would take that size.
    for name in ("COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    yield
    _stop_file_logging()


def _stop_file_logging() -> None:
    """A test that ran the command line leaves no log file handler behind for the next test."""
    import logging

    from backend_pair import logfile

    logger = logging.getLogger("backend_pair")
    for handler in [h for h in logger.handlers if getattr(h, "backend_pair_log", False)]:
        logger.removeHandler(handler)
        handler.close()
    logfile._current = None


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A real git repository with one commit holding ``README.md`` and ``app/main.py``."""
    root = tmp_path / "repo"
    root.mkdir()
    support.git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# sample\n")
    (root / "app").mkdir()
    (root / "app" / "main.py").write_text("def hello() -> str:\n    return 'hello'\n")
    support.git(root, "add", "-A")
    support.git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def ws(git_repo: Path) -> Iterator[Workspace]:
    """The workspace of the test repository."""
    from backend_pair.workspace import open_workspace

    workspace = open_workspace(git_repo)
    yield workspace
    workspace.close()


@pytest.fixture
def git(git_repo: Path) -> support.GitRunner:
    """Run git in the test repository: ``git("diff", "--cached")`` -> its output."""
    return functools.partial(support.git, git_repo)
