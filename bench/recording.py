"""A Textual driver that renders like a real terminal driver but records what it would write, with timestamps.

Textual's own headless driver skips turning frames into terminal bytes; this one reports itself as not headless,
so ``App._display`` renders every frame to escape sequences exactly as for a terminal, and hands them here. Run
an app with ``app.driver_class = RecordingDriver`` and ``app.run_test(headless=False, size=...)``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from textual.drivers.headless_driver import HeadlessDriver


@dataclass
class WriteLog:
    """Every write a ``RecordingDriver`` received: ``(time.monotonic(), text)`` in order."""

    writes: list[tuple[float, str]] = field(default_factory=list)
    keep: bool = True
    """Keep every write (``False``: only count bytes, for long runs where the log would weigh on memory)."""
    total_bytes: int = 0
    _expected: list[tuple[str, asyncio.Future[float]]] = field(default_factory=list)

    def record(self, text: str) -> None:
        """Log one write; resolve every expectation whose text it contains."""
        now = time.monotonic()
        self.total_bytes += len(text)
        if self.keep:
            self.writes.append((now, text))
        if self._expected:
            waiting = []
            for needle, future in self._expected:
                if future.done():
                    continue
                if needle in text:
                    future.set_result(now)
                else:
                    waiting.append((needle, future))
            self._expected = waiting

    def expect(self, needle: str) -> asyncio.Future[float]:
        """A future resolved with the time of the first write from now on that contains ``needle``.

        Call it on the app's event loop (writes happen there).
        """
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._expected.append((needle, future))
        return future

    def bytes_since(self, index: int) -> int:
        """UTF-8 bytes written from write number ``index`` on."""
        return sum(len(text.encode()) for _, text in self.writes[index:])

    def first_containing(self, needle: str, since: int = 0) -> float | None:
        """When the first write from ``since`` on that contains ``needle`` was made, or ``None``."""
        for stamp, text in self.writes[since:]:
            if needle in text:
                return stamp
        return None

    def first_after(self, moment: float) -> float | None:
        """When the first write after ``moment`` was made, or ``None``."""
        for stamp, _ in self.writes:
            if stamp > moment:
                return stamp
        return None


class RecordingDriver(HeadlessDriver):
    """Renders every frame to terminal bytes and logs them in ``RecordingDriver.log`` instead of writing them."""

    log = WriteLog()
    """Where writes go; replace it with a fresh ``WriteLog`` before each run."""

    @property
    def is_headless(self) -> bool:
        """Claim a terminal, so that frames are rendered to bytes."""
        return False

    def write(self, data: str) -> None:
        """Record ``data`` with the time it was written."""
        RecordingDriver.log.record(data)

    def flush(self) -> None:
        """Nothing is buffered."""
