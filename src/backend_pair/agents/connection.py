"""A session's link to the Messages API: the client, built on first use, and each streamed call run in a task.

The call runs in its own task so the SDK's retries can be reported (as ``Retrying``) while the session waits on
it, and so a cancel can stop it; its events come back through one queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from backend_pair.agents.events import AgentEvent, Retrying
from backend_pair.agents.stream_call import Done, StreamOutcome, produce

if TYPE_CHECKING:
    from backend_pair.agents.cancel import TurnCancel


class Connection:
    """The client a session calls the API with, and its retry reports routed to the call streaming now.

    Args:
        client: An ``AsyncAnthropic``; ``None`` builds one from the environment on first use.
    """

    def __init__(self, client: Any | None) -> None:
        """Nothing is built yet (building the client imports the SDK)."""
        self.base = client
        """The client without the retry reporter (``None`` until built when none was given; subagents share it)."""
        self._client: Any = None
        self._retries: asyncio.Queue[AgentEvent | Done] | None = None

    @property
    def connected(self) -> bool:
        """Whether the client has been built."""
        return self._client is not None

    def client(self) -> Any:
        """The client, reporting retries (built on first use: ``import anthropic`` takes about a second)."""
        if self._client is None:
            from backend_pair.agents.client import make_client, retry_reporter

            base = self.base if self.base is not None else make_client()
            reporter = retry_reporter(self._report_retry, int(getattr(base, "max_retries", 2)))
            self.base = base
            self._client = base.with_middleware(reporter)
        return self._client

    def _report_retry(self, attempt: int, reason: str, delay: float) -> None:
        if self._retries is not None:
            self._retries.put_nowait(Retrying(attempt, reason, delay))

    async def stream(
        self, open_call: Callable[[], tuple[Any, dict[str, Any]]], outcome: StreamOutcome, cancel: TurnCancel
    ) -> AsyncIterator[AgentEvent]:
        """Run one call in a task, yielding its text and its retries as they come; ``outcome`` says how it went.

        Args:
            open_call: Returns the client (or its ``beta``) and the request params (see :func:`produce`).
            outcome: Filled in by the call.
            cancel: The turn's cancel, which stops the call while it runs.
        """
        queue: asyncio.Queue[AgentEvent | Done] = asyncio.Queue()
        self._retries = queue
        task = asyncio.create_task(produce(open_call, queue, outcome))
        try:
            with cancel.running(task):
                while not isinstance(item := await queue.get(), Done):
                    yield item
                await task
        finally:
            self._retries = None
            if not task.done():
                task.cancel()
                await asyncio.wait([task])
