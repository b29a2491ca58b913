"""Property: for any original, proposal and decisions, disk and index hold exactly the accepted hunks."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_pair.workspace import open_workspace
from backend_pair.workspace.hunks import apply_edits
from backend_pair.workspace.textfile import split_lines

line = st.sampled_from(["alpha\n", "beta\n", "gamma\n", "delta\n", "", "eps\n", "zeta\n", "eta\n"])
texts = st.lists(line, min_size=0, max_size=40).map("".join)
decisions = st.lists(st.sampled_from(["accept", "reject", "leave"]), min_size=40, max_size=40)


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty committed repository copied for each example (cheaper than ``git init`` each time)."""
    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "core.autocrlf", "false")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "root")
    yield root


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(original=texts, proposed=texts, choices=decisions, order=st.randoms(use_true_random=False), crlf=st.booleans())
def test_disk_and_index_hold_exactly_the_accepted_hunks(
    template: Path, original: str, proposed: str, choices: list[str], order: random.Random, crlf: bool
) -> None:
    crlf = crlf and "\n" in original
    eol = "\r\n" if crlf else "\n"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        shutil.copytree(template, root)
        (root / "f.txt").write_bytes(original.replace("\n", eol).encode())
        _git(root, "add", "f.txt")
        _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "original")
        ws = open_workspace(root)
        try:
            hunks = ws.propose("f.txt", proposed).hunks
            plan = [(hunk, choice) for hunk, choice in zip(hunks, choices, strict=False) if choice != "leave"]
            order.shuffle(plan)  # decide in any order: ids must survive the other decisions
            for hunk, choice in plan:
                if choice == "accept":
                    ws.accept_hunk("f.txt", hunk.id)
                else:
                    ws.reject_hunk("f.txt", hunk.id)
            rejected = [h for h, c in plan if c == "reject"]
            kept = [e for h in hunks if h not in rejected for e in h.edits]
            assert ws.read_text("f.txt") == "".join(apply_edits(split_lines(original), kept))
        finally:
            ws.close()
        accepted = [e for h, c in plan if c == "accept" for e in h.edits]
        expected = "".join(apply_edits(split_lines(original), accepted)).replace("\n", eol).encode()
        assert (root / "f.txt").read_bytes() == expected
        assert _git(root, "show", ":f.txt") == expected  # the index is HEAD plus exactly the accepted hunks
        assert _git(root, "show", "HEAD:f.txt") == original.replace("\n", eol).encode()
        assert _git(root, "diff", "--name-only") == b""
