"""Review figures of the real app: a 10,000-line file with 1,000 changed hunks, and an outside edit under a proposal.

The app runs in this process, rendering every frame to terminal bytes (``RecordingDriver``); the fake API (in a
child process) has the agent Write the whole file. Figures:

- proposal to first paint: from the app receiving the loop's ``ProposalChanged`` to the first frame showing the
  first hunk's new line (the note adds the time from the tool call's last event to that message);
- ``]`` hunk to hunk: a key handed to the app as the terminal driver does, to the first frame showing the next
  hunk marked current;
- accept all incl. staging: ``A`` on the file to the frame showing the review pane empty (nothing left to review);
  git's index is checked to hold every hunk;
- watch: an outside edit (3 lines inserted above the agent's change) to the frame showing the rebased hunk.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api_server import BIG_LINES, HUNK_EVERY, WATCH_CHANGED, big_file, watch_file
from app_harness import (
    ApiServerProcess,
    git,
    log,
    make_app,
    make_repo,
    point_sdk_at,
    press,
    ready,
    run_profiled,
    send_prompt,
    turn_running,
    until,
)
from figures import Figure, median, not_measured, percentile, print_figures_json, render_table

NAMES = (
    ("review: proposal to first paint (10,000 lines, 1,000 hunks)", "ms", 300.0),
    ("review: ] hunk to hunk", "ms", 16.0),
    ("review: accept all incl. staging", "ms", 1000.0),
    ("watch: outside edit to rebased proposal shown", "ms", 300.0),
)
HUNKS = BIG_LINES // HUNK_EVERY
NEXT_PRESSES = 40
STEP_BUDGET = 15.0
"""Seconds of ``]`` presses at most (each is measured to the frame showing the next hunk marked)."""


def _status(app: Any) -> str:
    """The status line as text, for a message saying what the screen showed instead."""
    try:
        from backend_pair.tui.widgets.status_line import StatusLine

        return str(app.screen.query_one(StatusLine).render())
    except Exception as err:  # only for a diagnostic line
        return f"(status line unreadable: {err})"


def _time_rebases(app: Any) -> list[tuple[float, float, list[str]]]:
    """Wrap the app's ``workspace.disk_changed`` to note when the watcher called it and how long it took."""
    workspace = app.workspace
    calls: list[tuple[float, float, list[str]]] = []
    original = workspace.disk_changed

    def timed(paths: Any) -> Any:
        started = time.monotonic()
        outcome = original(paths)
        calls.append((started, time.monotonic(), sorted(paths)))
        return outcome

    workspace.disk_changed = timed
    return calls


async def measure_in_app(root: Path, server: ApiServerProcess) -> list[Figure]:
    """Propose, step through hunks, accept all, then rebase under an outside edit; each figure or why not."""
    app = make_app(root)
    proposals: list[float] = []
    figures: list[Figure] = []

    def hook(message: object) -> None:
        if type(message).__name__ == "AgentProposalsChanged":
            proposals.append(time.monotonic())

    async with ready(app, hook) as pilot:
        # 1. Proposal to first paint.
        painted = log().expect(f"revised_{HUNK_EVERY // 2:05d}")
        send_prompt(app, "revise big.py")
        try:
            await until(lambda: bool(proposals), 120, "the proposal")
            paint = await asyncio.wait_for(painted, 60)
        except TimeoutError as err:
            return [
                not_measured(*NAMES[0], f"{err}; status: {_status(app)}"),
                *(not_measured(*n, "no proposal") for n in NAMES[1:]),
            ]
        tool_call_sent = server.wait_sent(0, 5)
        figures.append(
            Figure(
                NAMES[0][0],
                (paint - proposals[0]) * 1000,
                "ms",
                NAMES[0][2],
                f"before it: tool call's last event to ProposalChanged {(proposals[0] - tool_call_sent) * 1000:.0f} ms",
            )
        )
        await until(lambda: not turn_running(app), 60, "the turn to end")
        await pilot.pause()

        # 2. ] hunk to hunk.
        app.screen.action_focus_pane("review")  # type: ignore[attr-defined]
        await pilot.pause()
        await asyncio.sleep(0.2)
        steps: list[float] = []
        budget = time.monotonic() + STEP_BUDGET
        for step in range(1, NEXT_PRESSES + 1):
            frame = log().expect(f"▶ hunk {step + 1}/{HUNKS} ")
            pressed = time.monotonic()
            press(app, "right_square_bracket", "]")
            steps.append((await asyncio.wait_for(frame, 120) - pressed) * 1000)
            await pilot.pause()
            if time.monotonic() > budget:
                break  # slow steps: a few samples say enough, and the run stays short
        from backend_pair.tui.widgets.review_pane import ReviewPane

        reached = app.screen.query_one(ReviewPane).hunk_index
        figures.append(
            Figure(
                NAMES[1][0],
                median(steps),
                "ms",
                NAMES[1][2],
                f"median of {len(steps)}; p95 {percentile(steps, 0.95):.0f} ms, max {max(steps):.0f} ms;"
                f" reached hunk {reached + 1}",
            )
        )

        # 3. Accept all (the file's rest) including staging.
        staged = log().expect("Nothing to review")
        pressed = time.monotonic()
        press(app, "A")
        try:
            shown = await asyncio.wait_for(staged, 60)
            numstat = git(root, "diff", "--cached", "--numstat").split()
            figures.append(
                Figure(
                    NAMES[2][0], (shown - pressed) * 1000, "ms", NAMES[2][2], f"git diff --cached: {' '.join(numstat)}"
                )
            )
        except TimeoutError:
            figures.append(not_measured(*NAMES[2], f"all staged never shown; status: {_status(app)}"))
        await pilot.pause()

        # 4. Outside edit to rebased proposal shown.
        painted = log().expect("rebased_target")
        send_prompt(app, "revise watch.py")
        await asyncio.wait_for(painted, 60)
        await until(lambda: not turn_running(app), 60, "the second turn to end")
        await pilot.pause()
        await asyncio.sleep(0.5)  # let the watcher settle after the app's own writes
        rebased = log().expect(f"@@ -{WATCH_CHANGED},7 +{WATCH_CHANGED},7 @@")
        rebases = _time_rebases(app)
        edited = time.monotonic()
        (root / "watch.py").write_text("# edited outside\n# by the developer\n# in their editor\n" + watch_file())
        try:
            shown = await asyncio.wait_for(rebased, 30)
            timeline = "; ".join(
                f"watcher delivered {sorted(paths)} at +{(start - edited) * 1000:.0f} ms, rebase took"
                f" {(end - start) * 1000:.0f} ms"
                for start, end, paths in rebases
                if start >= edited
            )
            figures.append(
                Figure(NAMES[3][0], (shown - edited) * 1000, "ms", NAMES[3][2], f"3 lines inserted above; {timeline}")
            )
        except TimeoutError:
            figures.append(not_measured(*NAMES[3], f"rebased hunk not shown within 30 s; status: {_status(app)}"))
    return figures


def measure() -> list[Figure]:
    """Run the review benchmark; every figure, or why it was not measured."""
    try:
        import backend_pair.tui.app  # noqa: F401
    except ImportError as err:
        return [not_measured(*name, f"the TUI is not importable: {err}") for name in NAMES]
    with tempfile.TemporaryDirectory(prefix="bench-review-") as scratch:
        root = make_repo(Path(scratch) / "repo", {"big.py": big_file(), "watch.py": watch_file(), "README.md": "# x\n"})
        with ApiServerProcess("review") as server:
            point_sdk_at(server.base_url)
            return asyncio.run(measure_in_app(root, server))


def main() -> None:
    """Print the figures as one line for ``bench/run.py`` (``--table``: as a table too; ``--profile FILE``)."""
    report = Path(sys.argv[sys.argv.index("--profile") + 1]) if "--profile" in sys.argv else None
    figures: list[Figure] = run_profiled(measure, report)
    if "--table" in sys.argv:
        print(render_table(figures))
    print_figures_json(figures)


if __name__ == "__main__":
    main()
