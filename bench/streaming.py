"""Streaming figures of the real app: a 20,000-token answer from the fake API at loopback speed.

The app runs in this process, rendering every frame to terminal bytes (``RecordingDriver``); the fake API runs in a
child process and says when it wrote each answer's last event. Three figures:

- last event to last text on screen: from the fake writing the answer's last event to the first frame holding
  the answer's last word;
- keystroke echo while streaming, p95: a key event handed to the app the way the terminal driver hands it, to the
  first frame showing it in the prompt (only keystrokes echoed while the answer was still streaming count);
- terminal bytes per streamed token, as a multiple of the token's own bytes.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from api_server import END_MARKER, STREAM_TOKENS, long_answer
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

NAMES = (
    ("streaming: last event to last text on screen", "ms", 1000.0),
    ("streaming: keystroke echo p95 while streaming", "ms", 50.0),
    ("streaming: terminal bytes per token / token bytes", "x", 3.0),
)
KEYSTROKES = 60
TYPING_GAP = 0.05
"""Seconds between keystrokes (a fast typist: 20 keys a second)."""
ECHO_CHAR = "Q"
"""Never in the streamed answer, so a run of them on screen can only be the prompt."""


async def measure_in_app(root: Path, server: ApiServerProcess) -> list[Figure]:
    """Two streamed answers: the first for lag and bytes, the second for keystroke echo."""
    answer_bytes = len(long_answer().encode())
    app = make_app(root)
    texts: list[float] = []

    def hook(message: object) -> None:
        if type(message).__name__ == "AgentText":
            texts.append(time.monotonic())

    async with ready(app, hook) as pilot:
        # 1. Lag and bytes.
        last = log().expect(f"{END_MARKER}0")
        start_index = len(log().writes)
        send_prompt(app, "explain the service")
        last_seen = await asyncio.wait_for(last, 120)
        first_text = texts[0] if texts else last_seen
        end_index = len(log().writes)
        sent = server.wait_sent(0, 5)
        terminal_bytes = log().bytes_since(start_index) - log().bytes_since(end_index)
        await until(lambda: not turn_running(app), 60, "the first turn to end")
        await pilot.pause()

        # 2. Keystroke echo while the second long answer streams.
        last = log().expect(f"{END_MARKER}1")
        texts.clear()
        send_prompt(app, "again, please")
        await until(lambda: bool(texts), 60, "the second answer to start")
        echoes: list[float] = []
        for count in range(1, KEYSTROKES + 1):
            if last.done():
                break  # only keystrokes typed while the answer is still streaming count
            shown = log().expect(ECHO_CHAR * count)
            pressed = time.monotonic()
            press(app, ECHO_CHAR)
            echoed = await asyncio.wait_for(shown, 120)
            echoes.append((echoed - pressed) * 1000)
            await asyncio.sleep(TYPING_GAP)
        await asyncio.wait_for(last, 120)

    lag_ms = (last_seen - sent) * 1000
    stream_s = last_seen - first_text
    frames = end_index - start_index
    figures = [
        Figure(
            NAMES[0][0],
            lag_ms,
            "ms",
            NAMES[0][2],
            f"{STREAM_TOKENS:,} tokens; first text event to last text on screen {stream_s:.1f} s, {frames} writes",
        ),
    ]
    if echoes:
        figures.append(
            Figure(
                NAMES[1][0],
                percentile(echoes, 0.95),
                "ms",
                NAMES[1][2],
                f"{len(echoes)} keystrokes during the stream, median {percentile(echoes, 0.5):.0f} ms,"
                f" max {max(echoes):.0f} ms",
            )
        )
    else:
        figures.append(not_measured(*NAMES[1], "the answer finished before the first keystroke"))
    figures.append(
        Figure(
            NAMES[2][0],
            terminal_bytes / answer_bytes,
            "x",
            NAMES[2][2],
            f"{terminal_bytes / STREAM_TOKENS:.1f} bytes written per token of {answer_bytes / STREAM_TOKENS:.1f} bytes"
            + (f"; only {frames} frames were drawn, so this says little" if frames < 20 else ""),
        )
    )
    return figures


def measure() -> list[Figure]:
    """Run the streaming benchmark; every figure, or why it was not measured."""
    try:
        import backend_pair.tui.app  # noqa: F401
    except ImportError as err:
        return [not_measured(*name, f"the TUI is not importable: {err}") for name in NAMES]
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as scratch:
        root = make_repo(Path(scratch) / "repo", {"README.md": "# service\n", "app/main.py": "x = 1\n"})
        with ApiServerProcess("stream") as server:
            point_sdk_at(server.base_url)
            return asyncio.run(measure_in_app(root, server))


def main() -> None:
    """Print the figures (``--json``: as one line for ``bench/run.py``)."""
    report = Path(sys.argv[sys.argv.index("--profile") + 1]) if "--profile" in sys.argv else None
    figures: list[Figure] = run_profiled(measure, report)
    if "--table" in sys.argv:
        print(render_table(figures))
    print_figures_json(figures)


if __name__ == "__main__":
    main()
