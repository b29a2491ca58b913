"""Cancelling a turn: the developer's request, and the one operation running now that it stops."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TurnCancel:
    """Whether the developer cancelled the running turn, and the operation (a call, a tool, a summary) to stop."""

    def __init__(self) -> None:
        """Nothing requested, nothing running."""
        self.requested = False
        """The developer cancelled: the turn stops at its next step and ends interrupted."""
        self.operation: asyncio.Task[Any] | None = None
        """The task running now that a cancel stops (one at a time)."""

    @contextmanager
    def running(self, task: asyncio.Task[Any]) -> Iterator[None]:
        """``task`` is the operation a cancel stops while the block runs."""
        self.operation = task
        try:
            yield
        finally:
            self.operation = None

    def stop_operation(self) -> None:
        """Cancel the operation running now, if any."""
        if self.operation is not None and not self.operation.done():
            self.operation.cancel()
