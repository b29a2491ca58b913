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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dev_line=st.integers(0, 9),
    agent=st.dictionaries(st.integers(20, 59), st.sampled_from(["new\n", "", "new\nmore\n"]), min_size=1, max_size=8),
    picks=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_developer_unstaged_edit_stays_unstaged(
    template: Path, dev_line: int, agent: dict[int, str], picks: list[bool]
) -> None:
    original = [f"original {n}\n" for n in range(60)]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        shutil.copytree(template, root)
        (root / "f.txt").write_text("".join(original))
        _git(root, "add", "f.txt")
        _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "original")
        developer = list(original)
        developer[dev_line] = "developer edit\n"
        (root / "f.txt").write_text("".join(developer))
        proposed = [agent.get(n, line) for n, line in enumerate(developer)]
        ws = open_workspace(root)
        try:
            hunks = ws.propose("f.txt", "".join(proposed)).hunks
            chosen = [h for h, pick in zip(hunks, picks, strict=False) if pick]
            for hunk in chosen:
                ws.accept_hunk("f.txt", hunk.id)
        finally:
            ws.close()
        edits = [e for h in chosen for e in h.edits]
        assert (root / "f.txt").read_text() == "".join(apply_edits(developer, edits))
        # Same line numbers on both sides: the developer replaced one line, far above the agent's changes.
        assert _git(root, "show", ":f.txt").decode() == "".join(apply_edits(original, edits))
        unstaged = _git(root, "diff", "-U0").decode()
        assert "+developer edit" in unstaged
        assert sum(1 for row in unstaged.splitlines() if row[:1] in "+-" and row[:3] not in ("+++", "---")) == 2
