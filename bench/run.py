"""Every figure of backend-pair on this machine, with its target, in one table: ``python bench/run.py``.

Each part runs on its own and degrades to "not measured: <why>" instead of stopping the run. Parts that drive the
app in-process run in a child interpreter, so that their memory and their failures stay their own.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from figures import Figure, not_measured, parse_figures_json, render_table

BENCH = Path(__file__).resolve().parent
CHILD_TIMEOUT = 150.0


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def run_child(
    script: str, expected: Sequence[tuple[str, str, float | None]], timeout: float = CHILD_TIMEOUT
) -> list[Figure]:
    """Run ``bench/<script>`` in a child interpreter and read its figures back.

    Args:
        script: The file name under ``bench/``.
        expected: ``(name, unit, target)`` of the figures it would give, to report as not measured on failure.
        timeout: Seconds before the child is abandoned.
    """
    try:
        result = subprocess.run(
            [sys.executable, str(BENCH / script)], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return [not_measured(n, u, t, f"{script} took over {timeout:.0f} s") for n, u, t in expected]
    figures = parse_figures_json(result.stdout)
    if figures is None:
        why = f"{script} failed: {_one_line(result.stderr or result.stdout)}"
        return [not_measured(n, u, t, why) for n, u, t in expected]
    return figures


def workspace_figures() -> list[Figure]:
    """``bench/workspace.py``'s ``main()``: ``(name, value, unit, target)`` tuples."""
    path = BENCH / "workspace.py"
    name = "workspace figures"
    if not path.exists():
        return [not_measured(name, "", None, "bench/workspace.py is not there yet")]
    spec = importlib.util.spec_from_file_location("bench_workspace", path)
    if spec is None or spec.loader is None:
        return [not_measured(name, "", None, "bench/workspace.py cannot be loaded")]
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        rows = module.main()
    except Exception as err:  # a broken part must not stop the other figures
        return [not_measured(name, "", None, f"bench/workspace.py failed: {type(err).__name__}: {err}")]
    figures = []
    for row in rows:
        row_name, value, unit, target = row
        figures.append(
            Figure(
                f"workspace: {row_name}",
                None if value is None else float(value),
                str(unit),
                None if target is None else float(target),
            )
        )
    return figures


def import_figures(details: list[str]) -> list[Figure]:
    """Import costs of the first frame's modules (and the offenders, into ``details``)."""
    import imports

    figures, lines = imports.measure()
    details.extend(lines)
    return figures


def tti_figures() -> list[Figure]:
    """Time to interactive and RSS at start, in tmux."""
    import tti

    return tti.measure()


def main(argv: list[str] | None = None) -> int:
    """Run every part, print the table; exit 0 (a missed target is a finding, not a failure of the run)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated parts: imports,tti,workspace,streaming,huge,review,memory")
    args = parser.parse_args(argv)
    parts: dict[str, Callable[[list[str]], list[Figure]]] = {
        "imports": import_figures,
        "tti": lambda _details: tti_figures(),
        "workspace": lambda _details: workspace_figures(),
        "streaming": lambda _details: run_child("streaming.py", STREAMING),
        "huge": lambda _details: run_child("huge_answer.py", HUGE, timeout=HUGE_TIMEOUT),
        "review": lambda _details: run_child("review.py", REVIEW),
        "memory": lambda _details: run_child("memory.py", MEMORY),
    }
    chosen = args.only.split(",") if args.only else list(parts)
    figures: list[Figure] = []
    details: list[str] = []
    started = time.monotonic()
    for part in chosen:
        part_started = time.monotonic()
        try:
            figures.extend(parts[part](details))
        except Exception as err:  # a broken part must not stop the other figures
            figures.append(not_measured(part, "", None, f"{type(err).__name__}: {err}"))
        details.append(f"{part}: {time.monotonic() - part_started:.1f} s")
    print("\n".join(details))
    print(f"total: {time.monotonic() - started:.0f} s on {_machine()}\n")
    print(render_table(figures))
    return 0


def _machine() -> str:
    import os
    import platform

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load} at the end"


STREAMING = [
    ("streaming: last event to last text on screen", "ms", 1000.0),
    ("streaming: keystroke echo p95 while streaming", "ms", 50.0),
    ("streaming: terminal bytes per token / token bytes", "x", 3.0),
]
HUGE = [
    (name, unit, target)
    for label in ("2 MB answer, 2,048-char deltas", "2 MB answer, 64-char deltas", "paced answer, 80 tok/s for 30 s")
    for name, unit, target in (
        (f"{label}: keystroke echo p95", "ms", 50.0),
        (f"{label}: keystroke echo max", "ms", None),
        (f"{label}: keys held back (> 1 s)", "keys", 0.0),
        (f"{label}: last event to last text on screen", "ms", 1000.0),
    )
]
HUGE_TIMEOUT = 400.0
"""The huge and paced answers stream for about a minute and a half together; more on a loaded machine."""
REVIEW = [
    ("review: proposal to first paint (10,000 lines, 1,000 hunks)", "ms", 300.0),
    ("review: ] hunk to hunk", "ms", 16.0),
    ("review: accept all incl. staging", "ms", 1000.0),
    ("watch: outside edit to rebased proposal shown", "ms", 300.0),
]
MEMORY = [
    ("RSS after a 500-turn session", "MB", 150.0),
    ("500-turn session: largest request / context window", "%", 100.0),
]


if __name__ == "__main__":
    sys.exit(main())
