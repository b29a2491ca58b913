"""The project's loopback fake of the Messages API in a process of its own, scripted for a benchmark.

Usage: ``python bench/api_server.py stream|session``. It prints its base URL on the first line, then one line
``sent <request index> <time.monotonic()>`` each time it has written the last event of an answer, and stops when
its standard input closes. Running it apart keeps the fake's work off the measured app's interpreter (and GIL).
"""

from __future__ import annotations

import dataclasses
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from backend_pair.fake_api import (
    FakeMessagesServer,
    Reply,
    Step,
    Text,
    ToolUse,
    Usage,
    text_reply,
    tool_reply,
)

STREAM_TOKENS = 20_000
CHARS_PER_TOKEN = 4
END_MARKER = "ENDMARK"
"""The last word of the long answer; the benchmark waits for it on screen."""
_WORDS = [
    "the",
    "service",
    "handler",
    "returns",
    "a",
    "response",
    "when",
    "request",
    "body",
    "is",
    "valid",
    "and",
    "the",
    "repository",
    "stores",
    "each",
    "order",
    "with",
    "its",
    "customer",
    "id",
    "status",
    "total",
    "created",
    "time",
    "we",
    "check",
    "idempotency",
    "keys",
    "retry",
    "budget",
    "timeout",
    "cache",
    "layer",
    "database",
    "migration",
    "index",
    "query",
    "plan",
    "latency",
    "throughput",
    "error",
    "rate",
    "log",
    "trace",
    "span",
    "metric",
    "alert",
    "deploy",
]


def long_answer(tokens: int = STREAM_TOKENS, seed: int = 7, number: int = 0) -> str:
    """A Markdown answer of about ``tokens`` tokens (4 characters each, the usual estimate), ending with the marker.

    Headings, paragraphs, bullet lists with inline code, and a small fenced code block every few paragraphs. The
    last word is ``f"{END_MARKER}{number}"``, so that each long answer has its own.
    """
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    paragraph = 0

    def add(*texts: str) -> None:
        nonlocal size
        parts.extend(texts)
        size += sum(len(text) for text in texts)

    while size < tokens * CHARS_PER_TOKEN - 40:
        if paragraph % 12 == 0:
            add(f"## Step {paragraph // 12 + 1}\n\n")
        if paragraph % 6 == 3:
            add("```python\ndef handler(request):\n    return service.process(request)\n```\n\n")
        if paragraph % 4 == 1:
            add(*(f"- {rng.choice(_WORDS)} {rng.choice(_WORDS)} `{rng.choice(_WORDS)}`\n" for _ in range(3)), "\n")
        add(" ".join(rng.choice(_WORDS) for _ in range(45)) + ".\n\n")
        paragraph += 1
    parts.append(f"That is all. {END_MARKER}{number}\n")
    return "".join(parts)


def short_answer(turn: int) -> str:
    """About a hundred tokens of Markdown for turn ``turn``."""
    rng = random.Random(turn)
    body = " ".join(rng.choice(_WORDS) for _ in range(80))
    return f"Turn {turn}: {body}.\n\n- checked `{rng.choice(_WORDS)}`\n- next: {rng.choice(_WORDS)}\n"


BIG_LINES = 10_000
HUNK_EVERY = 10
"""One changed line every 10 lines: with 3 lines of context, 1,000 separate hunks."""
WATCH_LINES = 200
WATCH_CHANGED = 150
"""Line (1-based) the agent changes in the watch file."""


def big_file(revised: bool = False) -> str:
    """The 10,000-line Python module of the review benchmark; ``revised``: 1,000 lines changed."""
    lines = []
    for number in range(BIG_LINES):
        changed = revised and number % HUNK_EVERY == HUNK_EVERY // 2
        call = f"revised_{number:05d}" if changed else f"compute_{number:05d}"
        lines.append(f"value_{number:05d} = {call}(source, {number})\n")
    return "".join(lines)


def watch_file(revised: bool = False) -> str:
    """A 200-line module; ``revised``: line 150 changed by the agent."""
    lines = [f"setting_{n:03d} = {n}\n" for n in range(1, WATCH_LINES + 1)]
    if revised:
        lines[WATCH_CHANGED - 1] = f"setting_{WATCH_CHANGED:03d} = 'rebased_target'\n"
    return "".join(lines)


def _user_turns(body: dict[str, Any]) -> int:
    """How many messages of the history are the developer's own (not tool results)."""
    turns = 0
    for message in body.get("messages", []):
        content = message.get("content")
        if message.get("role") != "user":
            continue
        if isinstance(content, str) or not any(part.get("type") == "tool_result" for part in content):
            turns += 1
    return turns


def _answers_tool(body: dict[str, Any]) -> bool:
    last = (body.get("messages") or [{}])[-1]
    content = last.get("content")
    return isinstance(content, list) and any(part.get("type") == "tool_result" for part in content)


def stream_script(body: dict[str, Any], index: int) -> Step:
    """The first two answers are the long one; later ones are short."""
    return text_reply(long_answer(number=index)) if index < 2 else text_reply(short_answer(index))


HUGE_BYTES = 2 * 1024 * 1024
"""The huge answer: 2 MB of Markdown."""

PACED_TOKENS_PER_SECOND = 80
PACED_SECONDS_PER_PART = 10
"""The paced answer: three parts of 10 s at a real model's 80 tokens/s, a Read and a Grep between them."""


def huge_script(delta_chars: int) -> Callable[[dict[str, Any], int], Step]:
    """A 2 MB answer (its last word the marker) streamed in ``delta_chars``-character deltas, then short ones."""
    text = long_answer(tokens=HUGE_BYTES // CHARS_PER_TOKEN, number=0)

    def script(body: dict[str, Any], index: int) -> Step:
        return Reply(blocks=(Text(text, chunk=delta_chars),)) if index == 0 else text_reply(short_answer(index))

    return script


def paced_script(body: dict[str, Any], index: int) -> Step:
    """One turn of about 30 s: text, Read, text, Grep, text (the marker last), at 80 tokens/s."""
    chunk = 24
    pace = chunk / CHARS_PER_TOKEN / PACED_TOKENS_PER_SECOND
    tokens = PACED_TOKENS_PER_SECOND * PACED_SECONDS_PER_PART
    calls = [ToolUse("Read", {"file_path": "README.md"}), ToolUse("Grep", {"pattern": "service"})]
    if index < len(calls):
        text = long_answer(tokens=tokens, seed=index, number=100 + index)
        return Reply(blocks=(Text(text, chunk=chunk), calls[index]), pace=pace)
    if index == len(calls):
        return Reply(blocks=(Text(long_answer(tokens=tokens, seed=index, number=0), chunk=chunk),), pace=pace)
    return text_reply(short_answer(index))


def review_script(body: dict[str, Any], index: int) -> Step:
    """Propose the 10,000-line change, then (second prompt) a one-line change in ``watch.py``."""
    steps: list[Step] = [
        tool_reply(ToolUse("Write", {"file_path": "big.py", "content": big_file(revised=True)})),
        text_reply("Proposed the change in big.py."),
        tool_reply(ToolUse("Write", {"file_path": "watch.py", "content": watch_file(revised=True)})),
        text_reply("Proposed the change in watch.py."),
    ]
    return steps[index] if index < len(steps) else text_reply("Nothing more.")


def session_script(body: dict[str, Any], index: int) -> Step:
    """A long session: short answers; every 5th turn reads a file first, every 50th updates the checklist."""
    turn = _user_turns(body)
    if _answers_tool(body):
        return text_reply(short_answer(turn))
    if turn % 50 == 0:
        todo = {"todos": [{"content": f"Item {turn}", "status": "completed", "activeForm": f"Doing {turn}"}]}
        return tool_reply(ToolUse("TodoWrite", todo), text="Updating the checklist.")
    if turn % 5 == 0:
        return tool_reply(ToolUse("Read", {"file_path": "README.md"}), text="Let me look.")
    return text_reply(short_answer(turn))


class TimedEvents(list[bytes]):
    """The events of one answer; reports when the handler has written (and flushed) the last one."""

    def __init__(self, events: list[bytes], index: int) -> None:
        """Wrap ``events`` of answer number ``index``."""
        super().__init__(events)
        self.answer = index

    def __iter__(self) -> Iterator[bytes]:
        """Yield every event; the handler asks for the next one only after writing the previous."""
        yield from super().__iter__()
        print(f"sent {self.answer} {time.monotonic()}", flush=True)


INPUT_SCALE = float(os.environ.get("BENCH_INPUT_SCALE", "1"))
"""Input tokens reported per token of history (``BENCH_INPUT_SCALE``): a long session's context fills sooner."""


class TimedFakeServer(FakeMessagesServer):
    """The project's fake, telling when each answer's last event left (and scaling the input tokens it reports)."""

    def usage_for(self, body: dict[str, Any], reply: Reply) -> Usage:
        """The fake's usage, its input tokens multiplied by ``INPUT_SCALE``."""
        usage = super().usage_for(body, reply)
        return dataclasses.replace(usage, input=int(usage.input * INPUT_SCALE))

    def events(self, body: dict[str, Any], reply: Reply) -> list[bytes]:
        """The answer's events, wrapped to report the moment the last one was written."""
        return TimedEvents(super().events(body, reply), len(self.requests) - 1)


def main(mode: str) -> None:
    """Serve ``mode``'s script until standard input closes."""
    scripts: dict[str, Callable[[dict[str, Any], int], Step]] = {
        "stream": stream_script,
        "review": review_script,
        "huge2048": huge_script(2048),
        "huge64": huge_script(64),
        "paced": paced_script,
    }
    script = scripts.get(mode, session_script)
    server = TimedFakeServer(script)
    print(server.start(), flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "session")


__all__ = ["END_MARKER", "HUGE_BYTES", "STREAM_TOKENS", "Text", "long_answer"]
