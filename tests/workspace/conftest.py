"""Fixtures for workspace tests: an opened workspace on the shared temporary repository, and a git runner."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend_pair.workspace import Workspace, open_workspace

GitRunner = Callable[..., str]


@pytest.fixture
def git(git_repo: Path) -> GitRunner:
    """Run git in the test repository and return its output."""

    def run(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=git_repo, capture_output=True, text=True, check=True)
        return result.stdout

    return run


@pytest.fixture
def ws(git_repo: Path) -> Iterator[Workspace]:
    """The workspace of the test repository."""
    workspace = open_workspace(git_repo)
    yield workspace
    workspace.close()
