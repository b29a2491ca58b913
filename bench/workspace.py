"""Workspace figures on real temporary repositories: ``python bench/workspace.py``.

Prints each figure with its target; ``main()`` returns ``(name, value, unit, target)`` tuples for ``bench/run.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from backend_pair.agents.contracts import check_contract
from backend_pair.workspace import RebaseStatus, Workspace, open_workspace
from backend_pair.workspace.hunks import compute_hunks
from backend_pair.workspace.textfile import split_lines
from backend_pair.workspace.watch import watch_changes

Row = tuple[str, float | None, str, float | None]
RUNS = 3
"""Each figure is the median of this many runs on fresh repositories."""

_ENV_CONFIG = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *_ENV_CONFIG, *args], cwd=root, check=True, capture_output=True)


def _repo(base: Path, files: dict[str, str]) -> Path:
    root = base / f"repo{len(list(base.iterdir()))}"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "bench")
    return root


def _big_pair(lines: int = 10_000, regions: int = 1_000) -> tuple[str, str]:
    old = [f"    value_{n} = compute({n}, factor={n % 17})  # line {n}\n" for n in range(lines)]
    new = list(old)
    step = lines // regions
    for region in range(regions):
        n = region * step + step // 2
        new[n] = f"    value_{n} = compute_fast({n})  # changed\n"
    return "".join(old), "".join(new)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _median(samples: list[float]) -> float:
    return _ms(statistics.median(samples))


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_hunking() -> Row:
    """Hunking a 10,000-line file with 1,000 changed regions (diff + hunks with ids)."""
    old, new = _big_pair()
    old_lines, new_lines = split_lines(old), split_lines(new)
    samples = []
    for _ in range(RUNS + 2):
        start = time.perf_counter()
        hunks = compute_hunks(old_lines, new_lines)
        samples.append(time.perf_counter() - start)
        assert len(hunks) == 1_000, len(hunks)
    return ("hunk a 10,000-line file with 1,000 changed regions", _median(samples), "ms", 100.0)


def bench_accept_all_one_file(base: Path) -> Row:
    """Accepting all 1,000 hunks of that file: one write, one index update."""
    old, new = _big_pair()
    samples = []
    for _ in range(RUNS):
        ws = open_workspace(_repo(base, {"big.py": old}))
        try:
            assert len(ws.propose("big.py", new).hunks) == 1_000
            samples.append(_timed(ws.accept_all))
            assert ws.counts().staged_hunks == 1_000
        finally:
            ws.close()
    return ("accept all 1,000 hunks (apply + stage)", _median(samples), "ms", 1000.0)


def bench_propose(base: Path) -> Row:
    """The agent's Write of that file end to end: confinement, git checks, reading disk, hunking."""
    old, new = _big_pair()
    ws = open_workspace(_repo(base, {"big.py": old}))
    try:
        samples = []
        for _ in range(RUNS + 2):
            if ws.proposal("big.py") is not None:
                ws.reject_file("big.py")
            samples.append(_timed(lambda: ws.propose("big.py", new)))
    finally:
        ws.close()
    return ("propose that file (checks + read + hunking)", _median(samples), "ms", None)


def _fifty_files() -> tuple[dict[str, str], dict[str, str]]:
    old_files, new_files = {}, {}
    for f in range(50):
        lines = [f"def handler_{f}_{n}(request):\n    return respond({n})\n\n" for n in range(40)]
        changed = list(lines)
        for k in range(4):
            n = k * 10 + 5
            changed[n] = f"def handler_{f}_{n}(request):\n    return respond_v2({n})\n\n"
        old_files[f"svc/mod_{f:02}.py"] = "".join(lines)
        new_files[f"svc/mod_{f:02}.py"] = "".join(changed)
    return old_files, new_files


def bench_accept_across_files(base: Path) -> list[Row]:
    """200 hunks across 50 files: accept all at once, and one by one."""
    old_files, new_files = _fifty_files()
    batch, single = [], []
    for _ in range(RUNS):
        for mode in ("all", "each"):
            ws = open_workspace(_repo(base, old_files))
            try:
                for rel, text in new_files.items():
                    ws.propose(rel, text)
                assert ws.counts().pending_hunks == 200
                if mode == "all":
                    batch.append(_timed(ws.accept_all))
                else:
                    hunks = [(p.path, h.id) for p in ws.proposals() for h in p.hunks]
                    start = time.perf_counter()
                    for path, hunk_id in hunks:
                        ws.accept_hunk(path, hunk_id)
                    single.append(time.perf_counter() - start)
                assert ws.counts().staged_hunks == 200
            finally:
                ws.close()
    return [
        ("accept all 200 hunks across 50 files (apply + stage)", _median(batch), "ms", 1000.0),
        ("accept 200 hunks across 50 files one by one, per hunk", round(_median(single) / 200, 2), "ms", None),
    ]


async def _watch_rebase_once(ws: Workspace, root: Path, original: str) -> tuple[float, float]:
    stop = asyncio.Event()
    written = 0.0
    rebase_seconds = 0.0
    total = 0.0

    async def consume() -> None:
        nonlocal rebase_seconds, total
        async for batch in watch_changes(root, stop):
            if "big.py" not in batch:
                continue
            start = time.perf_counter()
            outcomes = await asyncio.to_thread(ws.disk_changed, batch)
            done = time.perf_counter()
            if any(o.status is RebaseStatus.REBASED for o in outcomes):
                rebase_seconds, total = done - start, done - written
                stop.set()

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)  # let the watcher start
    written = time.perf_counter()
    (root / "big.py").write_text("# developer's header\n" + original)
    await asyncio.wait_for(task, 30)
    return rebase_seconds, total


def bench_rebase(base: Path) -> list[Row]:
    """Outside edit to rebased proposal: the merge alone, and write -> watcher -> rebased."""
    old, new = _big_pair()
    merges, totals = [], []
    for _ in range(RUNS):
        root = _repo(base, {"big.py": old})
        ws = open_workspace(root)
        try:
            ws.propose("big.py", new)
            merge, total = asyncio.run(_watch_rebase_once(ws, root, old))
            merges.append(merge)
            totals.append(total)
            assert len(ws.proposals()[0].hunks) == 1_000
        finally:
            ws.close()
    return [
        ("rebase a 1,000-hunk proposal onto an outside edit (disk_changed)", _median(merges), "ms", 300.0),
        ("outside write -> watcher -> rebased proposal", _median(totals), "ms", 300.0),
    ]


def bench_large_repo(base: Path) -> list[Row]:
    """list_files and grep on a 10,000-file repository with a few proposals."""
    body = "VALUE = {n}\n\ndef f_{n}():\n    return VALUE\n"
    files = {f"pkg{n // 100:03}/mod_{n:05}.py": body.format(n=n) for n in range(10_000)}
    ws = open_workspace(_repo(base, files))
    try:
        ws.propose("pkg000/mod_00001.py", "VALUE = 'proposed'\n")
        ws.propose("pkg999/new.py", "VALUE = 'new'\n")
        listing = [_timed(ws.list_files) for _ in range(RUNS + 2)]
        grep = [_timed(lambda: ws.grep(r"VALUE = 99\d\d$")) for _ in range(RUNS + 2)]
        assert len(ws.list_files()) == 10_001
    finally:
        ws.close()
    return [
        ("list_files on a 10,000-file repository", _median(listing), "ms", 200.0),
        ("grep on a 10,000-file repository", _median(grep), "ms", 500.0),
    ]


def _big_openapi(paths: int) -> str:
    """An OpenAPI 3.0 document with ``paths`` paths of about 25 lines each, every one with a $ref to a schema."""
    out = ["openapi: 3.0.3", "info:", "  title: Bench", '  version: "1"', "paths:"]
    for n in range(paths):
        out += [
            f"  /things{n}/{{thing_id}}:",
            "    get:",
            f"      operationId: getThing{n}",
            "      parameters:",
            "        - name: thing_id",
            "          in: path",
            "          required: true",
            "          schema: {type: string}",
            "      responses:",
            '        "200":',
            "          description: The thing",
            "          content:",
            "            application/json:",
            "              schema:",
            f'                $ref: "#/components/schemas/Thing{n}"',
            '        "404":',
            "          description: Not found",
        ]
    out += ["components:", "  schemas:"]
    for n in range(paths):
        out += [
            f"    Thing{n}:",
            "      type: object",
            "      required: [id]",
            "      properties:",
            "        id: {type: string}",
            f"        status: {{type: string, enum: [pending, paid, cancelled{n}]}}",
        ]
    return "\n".join(out) + "\n"


def bench_contract_validation() -> Row:
    """Validating a 5,000-line OpenAPI document (what evidence and the Write result do, off the UI thread)."""
    text = _big_openapi(218)
    lines = text.count("\n")
    check_contract("warm.yaml", _big_openapi(1))  # the validator's imports are not part of the figure
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        checked = check_contract("openapi.yaml", text)
        samples.append(time.perf_counter() - start)
        assert checked is not None and checked.valid, checked
    return (f"validate a {lines:,}-line OpenAPI document", _median(samples), "ms", 1000.0)


def bench_command_snapshot(base: Path) -> Row:
    """What reviewing an approved Bash command costs on a 20,000-file repository where it changed nothing."""
    body = "VALUE = {n}\n"
    files = {f"pkg{n // 200:03}/mod_{n:05}.py": body.format(n=n) for n in range(20_000)}
    ws = open_workspace(_repo(base, files))
    try:
        ws.finish_command(ws.begin_command("true"))  # the first snapshot copies the index and fills its stat cache
        samples = []
        for _ in range(RUNS + 2):
            start = time.perf_counter()
            report = ws.finish_command(ws.begin_command("true"))
            samples.append(time.perf_counter() - start)
            assert report.changed == (), report
    finally:
        ws.close()
    return ("Bash review: snapshot + diff, 20,000 files, no change", _median(samples), "ms", 300.0)


def main() -> list[Row]:
    """Measure every workspace figure and return ``(name, value, unit, target)`` tuples."""
    rows: list[Row] = [bench_hunking(), bench_contract_validation()]
    # git may still be packing a 20,000-file repository in the background (gc --auto) when the folder goes.
    with tempfile.TemporaryDirectory(prefix="bp-bench-", ignore_cleanup_errors=True) as folder:
        base = Path(folder)
        rows.append(bench_propose(base))
        rows.append(bench_accept_all_one_file(base))
        rows.extend(bench_accept_across_files(base))
        rows.extend(bench_rebase(base))
        rows.extend(bench_large_repo(base))
        rows.append(bench_command_snapshot(base))
    return rows


def _print(rows: list[Row]) -> None:
    width = max(len(name) for name, *_ in rows)
    for name, value, unit, target in rows:
        shown = "not measured" if value is None else f"{value:g} {unit}"
        goal = "" if target is None else f"target <= {target:g} {unit}"
        verdict = "" if target is None or value is None else ("ok" if value <= target else "OVER")
        print(f"{name:<{width}}  {shown:>12}  {goal:<18} {verdict}")


if __name__ == "__main__":
    _print(main())
    sys.exit(0)
