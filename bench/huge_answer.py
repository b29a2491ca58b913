"""What a developer feels while a huge or a slow answer streams: keystroke echo, keys held back, time to the end.

Three answers, each in an app of its own (the app runs in this process, rendering every frame to terminal bytes
through ``RecordingDriver``; the fake API runs in a child process):

- a 2 MB answer in 2,048-character deltas (the model sending big pieces fast);
- the same 2 MB answer in 64-character deltas (many small pieces: 32,768 of them);
- a paced turn of about 30 s at a real model's 80 tokens/s: Markdown with code blocks, a Read and a Grep between.

While each streams, keys are typed at a fixed rate whatever the screen does (a typist does not wait for echo):
``KEY_GAP`` apart, in rounds of ``ROUND_KEYS`` after which the prompt is emptied. A key is echoed at the first
frame whose prompt shows it; it is *held back* when that took over ``HELD_BACK`` seconds or never happened.
Figures per answer: echo p95 and max over every key typed during the stream, keys held back, last event to last
text on screen, and the stream's length on screen.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from api_server import END_MARKER, HUGE_BYTES
from app_harness import (
    ApiServerProcess,
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
from figures import Figure, not_measured, percentile, print_figures_json, render_table

CASES = (
    ("huge2048", f"{HUGE_BYTES // 1024 // 1024} MB answer, 2,048-char deltas"),
    ("huge64", f"{HUGE_BYTES // 1024 // 1024} MB answer, 64-char deltas"),
    ("paced", "paced answer, 80 tok/s for 30 s"),
)
KEY_GAP = 0.03
"""Seconds between keys (a fast burst: 33 keys a second)."""
ROUND_KEYS = 40
"""Keys per round; the prompt is emptied between rounds (so the echoed run of keys stays on one line)."""
MAX_KEYS = 300
"""Keys typed at most per answer."""
HELD_BACK = 1.0
"""Seconds after which a key not yet on screen counts as held back."""
ECHO_CHAR = "Q"
"""Never in the streamed answers, so a run of them on screen can only be the prompt."""
ECHO_TARGET_MS = 50.0
LAG_TARGET_MS = 1000.0


def names(label: str) -> list[tuple[str, str, float | None]]:
    """The figures of one case: (name, unit, target)."""
    return [
        (f"{label}: keystroke echo p95", "ms", ECHO_TARGET_MS),
        (f"{label}: keystroke echo max", "ms", None),
        (f"{label}: keys held back (> {HELD_BACK:.0f} s)", "keys", 0.0),
        (f"{label}: last event to last text on screen", "ms", LAG_TARGET_MS),
    ]


async def _type_during(app: object, streaming: asyncio.Future[float]) -> tuple[list[float], int]:
    """Type keys until the answer is on screen; each key's echo time (ms) and how many were held back."""
    from backend_pair.tui.widgets.prompt import PromptInput

    prompt = app.screen.query_one(PromptInput)  # type: ignore[attr-defined]
    echoes: list[float] = []
    held_back = 0
    typed = 0
    while not streaming.done() and typed < MAX_KEYS:
        waiting: list[tuple[float, asyncio.Future[float]]] = []
        for count in range(1, ROUND_KEYS + 1):
            if streaming.done() or typed >= MAX_KEYS:
                break
            shown = log().expect(ECHO_CHAR * count)
            waiting.append((time.monotonic(), shown))
            press(app, ECHO_CHAR)  # type: ignore[arg-type]
            typed += 1
            await asyncio.sleep(KEY_GAP)
        for pressed, shown in waiting:
            try:
                echoed = await asyncio.wait_for(asyncio.shield(shown), max(0.0, pressed + 30 - time.monotonic()))
            except TimeoutError:
                held_back += 1
                continue
            echoes.append((echoed - pressed) * 1000)
            if echoed - pressed > HELD_BACK:
                held_back += 1
        prompt.load_text("")
        await until(lambda: prompt.text == "", 30, "the prompt to empty")
        await asyncio.sleep(0.1)  # a frame without the keys, so the next round's first key is its own
    return echoes, held_back


async def measure_case(root: Path, server: ApiServerProcess, label: str) -> list[Figure]:
    """Stream one answer while typing; the case's figures."""
    app = make_app(root)
    texts: list[float] = []

    def hook(message: object) -> None:
        if type(message).__name__ == "AgentText":
            texts.append(time.monotonic())

    async with ready(app, hook):
        last = log().expect(f"{END_MARKER}0")
        send_prompt(app, "explain the service")
        await until(lambda: bool(texts), 120, "the answer to start")
        echoes, held_back = await _type_during(app, last)
        last_seen = await asyncio.wait_for(last, 600)
        sent = server.wait_sent(server_answer(label), 60)
        await until(lambda: not turn_running(app), 120, "the turn to end")
    stream_s = last_seen - texts[0]
    keys = f"{len(echoes) + held_back} keys typed during the stream"
    spec = names(label)
    figures: list[Figure] = []
    if echoes:
        figures.append(Figure(spec[0][0], percentile(echoes, 0.95), "ms", spec[0][2], keys))
        figures.append(Figure(spec[1][0], max(echoes), "ms", spec[1][2], f"median {percentile(echoes, 0.5):.0f} ms"))
    else:
        figures += [not_measured(*spec[0], "no key was echoed"), not_measured(*spec[1], "no key was echoed")]
    figures.append(Figure(spec[2][0], float(held_back), "keys", spec[2][2], keys))
    figures.append(
        Figure(spec[3][0], (last_seen - sent) * 1000, "ms", spec[3][2], f"the answer took {stream_s:.1f} s on screen")
    )
    return figures


def server_answer(label: str) -> int:
    """Which request's answer carries the marker (the paced turn's third)."""
    return 2 if label.startswith("paced") else 0


def measure(only: set[str] | None = None) -> list[Figure]:
    """Every case's figures, or why it was not measured."""
    try:
        import backend_pair.tui.app  # noqa: F401
    except ImportError as err:
        return [not_measured(*name, f"the TUI is not importable: {err}") for _, label in CASES for name in names(label)]
    figures: list[Figure] = []
    for mode, label in CASES:
        if only and mode not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-huge-") as scratch:
            root = make_repo(Path(scratch) / "repo", {"README.md": "# service\n", "app/main.py": "x = 1\n"})
            with ApiServerProcess(mode) as server:
                point_sdk_at(server.base_url)
                try:
                    figures += asyncio.run(measure_case(root, server, label))
                except (TimeoutError, RuntimeError) as err:
                    figures += [not_measured(*name, str(err)) for name in names(label)]
    return figures


def main() -> None:
    """Print the figures (``--json``: as one line for ``bench/run.py``; ``--only huge64,paced``: some cases)."""
    report = Path(sys.argv[sys.argv.index("--profile") + 1]) if "--profile" in sys.argv else None
    only = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv else None
    figures: list[Figure] = run_profiled(lambda: measure(only), report)
    if "--table" in sys.argv:
        print(render_table(figures))
    print_figures_json(figures)


if __name__ == "__main__":
    main()
