"""Property: for any original, proposal and accepted subset, disk and index hold exactly those hunks."""

from __future__ import annotations

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


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty committed repository copied for each example (cheaper than ``git init`` each time)."""
    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "root")
    yield root


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(original=texts, proposed=texts, picks=st.lists(st.booleans(), min_size=40, max_size=40))
def test_accepted_subset_is_exactly_what_disk_and_index_hold(
    template: Path, original: str, proposed: str, picks: list[bool]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        shutil.copytree(template, root)
        (root / "f.txt").write_text(original)
        _git(root, "add", "f.txt")
        _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "original")
        ws = open_workspace(root)
        try:
            hunks = ws.propose("f.txt", proposed).hunks
            chosen = [h for h, pick in zip(hunks, picks, strict=False) if pick]
            for hunk in chosen:  # one at a time: ids must survive the other accepts
                ws.accept_hunk("f.txt", hunk.id)
            assert ws.read_text("f.txt") == proposed  # accepting never changes what the agent sees
        finally:
            ws.close()
        expected = "".join(apply_edits(split_lines(original), [e for h in chosen for e in h.edits]))
        assert (root / "f.txt").read_text() == expected
        assert _git(root, "show", ":f.txt").decode() == expected  # index = HEAD + exactly the chosen hunks
        assert _git(root, "show", "HEAD:f.txt").decode() == original
        assert _git(root, "diff", "--name-only") == b""
