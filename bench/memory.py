"""RSS of the real app after a 500-turn session against the fake API, compacting as it goes.

The app runs in this (fresh) process exactly as ``backend-pair`` builds it, rendering every frame to terminal bytes
that are counted and dropped; the fake API runs in a child process. Each turn is a prompt sent through the prompt
widget and awaited to its end; every 5th turn reads a file first and every 50th updates the checklist. The figure
is this process's VmRSS at the end: the app, its conversation widgets, the SDK, the history and the journal.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from app_harness import (
    ApiServerProcess,
    log,
    make_app,
    make_repo,
    point_sdk_at,
    ready,
    run_profiled,
    send_prompt,
    until,
)
from figures import Figure, not_measured, print_figures_json, render_table
from terminal import rss_kib

NAME = ("RSS after a 500-turn session", "MB", 150.0)
WINDOW = ("500-turn session: largest request / context window", "%", 100.0)
INPUT_SCALE = 12
"""The fake reports 12 input tokens per token of history: the window fills after about a hundred turns, so the
session compacts (at 80 %) several times on the way, as a working day with the agent would."""
TURNS = 500
BUDGET = float(os.environ.get("BENCH_MEMORY_BUDGET", "300"))
"""Seconds the session may take (``BENCH_MEMORY_BUDGET``); past that the figure is for the turns reached."""


def _rss_mb() -> float:
    kib = rss_kib(_pid())
    return (kib or 0) / 1024


def _pid() -> int:
    return os.getpid()


async def measure_in_app(root: Path) -> list[Figure]:
    """Run the turns; RSS at start, along the way and at the end."""
    app = make_app(root)
    log().keep = False
    ended: list[float] = []
    compactions = 0
    largest = 0.0

    def hook(message: object) -> None:
        nonlocal compactions, largest
        kind = type(message).__name__
        if kind == "AgentTurnEnded":
            ended.append(time.monotonic())
        elif kind == "AgentCompacted":
            compactions += 1
        elif kind == "AgentUsage" and (session := getattr(app, "session", None)) is not None:
            largest = max(largest, session.context_share)

    samples: list[str] = []
    started = time.monotonic()
    turns = 0
    async with ready(app, hook) as pilot:
        samples.append(f"start {_rss_mb():.0f}")
        for turn in range(1, TURNS + 1):
            send_prompt(app, f"turn {turn}: go on")
            await until(lambda turn=turn: len(ended) >= turn, 120, f"turn {turn} to end")  # type: ignore[misc]
            await pilot.pause()
            turns = turn
            if turn % 100 == 0:
                samples.append(f"{turn}: {_rss_mb():.0f}")
            if time.monotonic() - started > BUDGET:
                break
        rss = _rss_mb()
    elapsed = time.monotonic() - started
    pace = ""
    if len(ended) >= 20:
        first, last = ended[1:11], ended[-11:]
        pace = (
            f" (turns 2-11: {(first[-1] - first[0]) / 10:.2f} s each; last 10: {(last[-1] - last[0]) / 10:.2f} s each)"
        )
    note = f"RSS MB along the way: {', '.join(samples)}; {turns} turns in {elapsed:.0f} s{pace}"
    window = Figure(WINDOW[0], largest * 100, WINDOW[1], WINDOW[2], f"{compactions} compactions in {turns} turns")
    if turns < TURNS:
        if rss > NAME[2]:
            return [Figure(NAME[0], rss, NAME[1], NAME[2], f"already over after {turns} turns; {note}"), window]
        return [
            not_measured(*NAME, f"only {turns} of {TURNS} turns within {BUDGET:.0f} s; RSS then {rss:.0f} MB; {note}"),
            window,
        ]
    return [Figure(NAME[0], rss, NAME[1], NAME[2], note), window]


def measure() -> list[Figure]:
    """Run the session benchmark; the figure, or why it was not measured."""
    try:
        import backend_pair.tui.app  # noqa: F401
    except ImportError as err:
        return [not_measured(*NAME, f"the TUI is not importable: {err}"), not_measured(*WINDOW, str(err))]
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        root = make_repo(Path(scratch) / "repo", {"README.md": "# service\n\nSome words about it.\n"})
        with ApiServerProcess("session", env={"BENCH_INPUT_SCALE": str(INPUT_SCALE)}) as server:
            point_sdk_at(server.base_url)
            return asyncio.run(measure_in_app(root))


def main() -> None:
    """Print the figure as one line for ``bench/run.py`` (``--table``: as a table too; ``--profile FILE``)."""
    report = Path(sys.argv[sys.argv.index("--profile") + 1]) if "--profile" in sys.argv else None
    figures: list[Figure] = run_profiled(measure, report)
    if "--table" in sys.argv:
        print(render_table(figures))
    print_figures_json(figures)


if __name__ == "__main__":
    main()
