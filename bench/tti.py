"""Time to interactive, RSS at start and the import path of the first frame, against the Textual floor.

Each run launches a command in a fresh tmux session (120x40) and polls the screen until the marker of its first
full screen is there. The floor (``bench/floor_app.py``) and the installed ``backend-pair --demo DIR`` alternate,
five runs each; the figure is the ratio of the medians.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from figures import Figure, median, not_measured
from floor_app import FLOOR_MARKER
from terminal import TerminalError, TmuxTerminal, rss_kib

BENCH = Path(__file__).resolve().parent
PRODUCT_SCRIPT = Path(sys.executable).parent / "backend-pair"
PRODUCT_MARKERS: tuple[str, ...] = tuple(
    marker
    for marker in os.environ.get("BENCH_PRODUCT_MARKERS", "Backend Engineer|conversation|prompt").split("|")
    if marker
)
"""Texts that are all on the product's first full screen (override with ``BENCH_PRODUCT_MARKERS=a|b``)."""
SETTLE_SECONDS = 3.0
"""How long after the first frame the settled RSS is read: background loading (``anthropic``) is over by then."""
TIMEOUT = 30.0


@dataclass(frozen=True)
class Launch:
    """One kind of run: how to build its command line, and what shows that its first screen is up."""

    name: str
    argv: Callable[[Path], list[str]]
    markers: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """What one run saw: seconds to the first full screen, and the RSS of the app then (KiB)."""

    seconds: float
    rss_kib: int | None


FLOOR = Launch("floor", lambda _scratch: [sys.executable, str(BENCH / "floor_app.py")], (FLOOR_MARKER, "Ask the floor"))
PRODUCT = Launch(
    "backend-pair", lambda scratch: [str(PRODUCT_SCRIPT), "--demo", str(scratch / "demo")], PRODUCT_MARKERS
)


def _isolated_env(scratch: Path) -> dict[str, str]:
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "ANTHROPIC_API_KEY": ""}


def time_one(terminal: TmuxTerminal, launch: Launch, settle: float = 0.0, probe: Path | None = None) -> Run:
    """Launch once, wait for the first full screen, read the RSS; kill it.

    Args:
        terminal: The tmux server to run in.
        launch: What to run.
        settle: When positive, read the RSS this many seconds after the first frame instead of at it.
        probe: When given, run the script under ``bench/import_probe.py`` writing to this file.
    """
    with tempfile.TemporaryDirectory(prefix="bench-tti-") as scratch_name:
        scratch = Path(scratch_name)
        argv = launch.argv(scratch)
        if probe is not None:
            argv = [sys.executable, str(BENCH / "import_probe.py"), str(probe), *argv[-3:]]
        started = time.monotonic()
        session = terminal.launch(argv, env=_isolated_env(scratch), cwd=scratch)
        pid: int | None = None
        try:
            seen = terminal.wait_for(session, launch.markers, TIMEOUT)
            pid = terminal.pane_pid(session)
            if settle > 0:
                time.sleep(settle)
            return Run(seen - started, rss_kib(pid))
        finally:
            terminal.kill(session)
            if pid is not None:
                _reap(pid)


def _reap(pid: int, grace: float = 5.0) -> None:
    """Wait for a killed run's process to be gone (SIGKILL after ``grace`` s), so it cannot slow the next run."""
    deadline = time.monotonic() + grace
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + grace
        time.sleep(0.01)


POLL_RESOLUTION_MS = 20.0
"""How late the screen poll may see a frame (poll interval plus one ``capture-pane``)."""


def _anthropic_figure(probe: Path, first_frame: float) -> Figure:
    name = "anthropic import starts before first frame by"
    if not probe.exists():
        return Figure(
            name, 0, "ms", POLL_RESOLUTION_MS, f"not imported within {SETTLE_SECONDS:.0f} s of the first frame"
        )
    stamp, thread = probe.read_text().split(maxsplit=1)
    lead_ms = (first_frame - float(stamp)) * 1000
    where = f"in thread {thread.strip()}"
    if lead_ms <= 0:
        return Figure(
            name, 0, "ms", POLL_RESOLUTION_MS, f"began {-lead_ms:.0f} ms after the first frame was seen, {where}"
        )
    return Figure(
        name,
        lead_ms,
        "ms",
        POLL_RESOLUTION_MS,
        f"began {lead_ms:.0f} ms before the first frame was seen (the poll sees frames up to"
        f" {POLL_RESOLUTION_MS:.0f} ms late), {where}",
    )


def _phases(path: Path, launched: float, seen: float) -> str:
    """The probe's startup phases as ``name +ms`` from the launch, ending with the full screen seen."""
    if not path.exists():
        return ""
    steps = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stamp, name = line.split(" ", 1)
        steps.append(f"{name} +{(float(stamp) - launched) * 1000:.0f}")
    steps.append(f"full screen seen +{(seen - launched) * 1000:.0f}")
    return ", ".join(steps)


def measure(runs: int = 5) -> list[Figure]:
    """Alternate floor and product ``runs`` times each; add RSS and the anthropic import timing."""
    names = (
        ("time to interactive, ratio to floor", "x", 1.3),
        ("time to interactive, backend-pair", "s", None),
        ("time to interactive, floor", "s", None),
        ("RSS at first frame", "MB", None),
        ("RSS at start (settled)", "MB", 80.0),
        ("anthropic import starts before first frame by", "ms", POLL_RESOLUTION_MS),
    )
    if not PRODUCT_SCRIPT.exists():
        return [not_measured(n, u, t, f"{PRODUCT_SCRIPT} is not installed") for n, u, t in names]
    try:
        with TmuxTerminal() as terminal:
            floor: list[Run] = []
            product: list[Run] = []
            for _ in range(runs):
                floor.append(time_one(terminal, FLOOR))
                product.append(time_one(terminal, PRODUCT))
            with tempfile.TemporaryDirectory(prefix="bench-probe-") as probe_dir:
                probe = Path(probe_dir) / "anthropic"
                started = time.monotonic()
                settled = time_one(terminal, PRODUCT, settle=SETTLE_SECONDS, probe=probe)
                anthropic = _anthropic_figure(probe, started + settled.seconds)
                phases = _phases(Path(f"{probe}.phases"), started, started + settled.seconds)
    except TerminalError as err:
        return [not_measured(n, u, t, str(err).splitlines()[0]) for n, u, t in names]
    floor_s = median([run.seconds for run in floor])
    product_s = median([run.seconds for run in product])
    first_rss = [run.rss_kib for run in product if run.rss_kib is not None]
    return [
        Figure(names[0][0], product_s / floor_s, "x", 1.3, f"median of {runs} each, alternating, tmux 120x40"),
        Figure(names[1][0], product_s, "s", None, f"runs: {', '.join(f'{run.seconds:.2f}' for run in product)}"),
        Figure(names[2][0], floor_s, "s", None, f"runs: {', '.join(f'{run.seconds:.2f}' for run in floor)}"),
        Figure(
            names[3][0], median(first_rss) / 1024 if first_rss else None, "MB", None, "VmRSS when the marker showed"
        ),
        Figure(
            names[4][0],
            settled.rss_kib / 1024 if settled.rss_kib is not None else None,
            "MB",
            80.0,
            f"VmRSS {SETTLE_SECONDS:.0f} s after the first frame (background loading included)",
        ),
        anthropic,
        Figure(
            "  startup phases of backend-pair (probe run)",
            None if not phases else settled.seconds * 1000,
            "ms",
            None,
            phases or "no phases recorded",
        ),
    ]


def main() -> list[tuple[str, float | None, str, float | None]]:
    """Measure and print; return (name, value, unit, target) tuples like the other bench scripts."""
    from figures import render_table

    figures = measure()
    print(render_table(figures))
    return [(f.name, f.value, f.unit, f.target) for f in figures]


if __name__ == "__main__":
    main()
