"""One streamed call to the Messages API, and the small pieces a turn is made of (usage counts, error lines).

:func:`produce` reads one stream into a queue of events (text redacted as it streams, the loop given back every
``pacing.STREAM_SLICE``) and fills a :class:`StreamOutcome`; the session decides what follows from the outcome.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend_pair import pacing, untrusted
from backend_pair.agents import history
from backend_pair.agents.events import AgentError, AgentEvent, TextDelta
from backend_pair.redact import REDACTOR

if TYPE_CHECKING:
    from backend_pair.agents.models import TokenCounts


@dataclass
class StreamOutcome:
    """What one streamed API call produced."""

    message: Any = None
    started: bool = False
    stopped: bool = False
    error: BaseException | None = None
    cancelled: bool = False
    partial_text: list[str] = field(default_factory=list)
    server_compaction: bool = False
    """The call asked the API to compact (the beta endpoint)."""


class Done:
    """Marks the end of one streamed call in its event queue."""


DONE = Done()


async def produce(
    open_call: Callable[[], tuple[Any, dict[str, Any]]],
    queue: asyncio.Queue[AgentEvent | Done],
    outcome: StreamOutcome,
) -> None:
    """Stream one answer into ``queue`` (ending with :data:`DONE`) and record how it went in ``outcome``.

    Args:
        open_call: Returns the client (or its ``beta``) and the request params; called inside the error handling,
            so whatever it raises becomes ``outcome.error`` (``CancelledError``: cancelled before it began).
        queue: Where the text deltas go, as they arrive.
        outcome: Filled in: started, stopped, the final message, an error, or cancelled.
    """
    # The answer is shown as it streams: a secret it repeats (even split across deltas) is redacted first.
    redactor = REDACTOR.stream(str)

    def flush_text() -> None:
        if rest := redactor.close():
            queue.put_nowait(TextDelta(rest))

    try:
        api, params = open_call()
        async with api.messages.stream(**params) as stream:
            breath_at = time.monotonic() + pacing.STREAM_SLICE
            async for event in stream:
                if time.monotonic() >= breath_at:
                    # A stream already buffered never suspends this task: let the listener (a UI) run.
                    await asyncio.sleep(pacing.STREAM_BREATH)
                    breath_at = time.monotonic() + pacing.STREAM_SLICE
                if event.type == "message_start":
                    outcome.started = True
                elif event.type == "text":
                    outcome.partial_text.append(event.text)
                    if shown := redactor.feed(event.text):
                        queue.put_nowait(TextDelta(shown))
                elif event.type == "content_block_start":
                    flush_text()
                    if outcome.partial_text:
                        outcome.partial_text.append("\n\n")
                elif event.type == "message_stop":
                    outcome.stopped = True
            if outcome.started:
                outcome.message = await stream.get_final_message()
    except asyncio.CancelledError:
        # Our own task: cancel() stopped it. Reported through the outcome, the consumer decides what follows.
        outcome.cancelled = True
    except Exception as err:
        outcome.error = err
    finally:
        flush_text()
        queue.put_nowait(DONE)


def server_compaction_refused(outcome: StreamOutcome) -> bool:
    """The call asked the API to compact and was refused before it began (a 4xx other than auth and limits)."""
    if not outcome.server_compaction or outcome.started or outcome.error is None:
        return False
    status = getattr(outcome.error, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (401, 403, 404, 413, 429)


def refused_model_replacement(outcome: StreamOutcome, model: str) -> str | None:
    """The family's current model when the endpoint answered 404 naming ``model`` (a retired, pinned id)."""
    from backend_pair.agents.models import current_for, split_long_context

    error = outcome.error
    if error is None or outcome.started:
        return None
    if getattr(error, "status_code", None) != 404 or split_long_context(model)[0] not in str(error):
        return None
    return current_for(model)


def fault_of(outcome: StreamOutcome, model: str, client: Any) -> AgentError:
    """The one-line error for a call that failed or ended without ``message_stop``."""
    if outcome.error is not None:
        from backend_pair.agents.client import client_base_url, client_secret, describe_error

        return describe_error(
            outcome.error, model=model, base_url=client_base_url(client), secret=client_secret(client)
        )
    if not outcome.started:
        return AgentError("The API closed the connection before the answer began. Send again.", "interrupted")
    return AgentError(
        "The answer was cut off mid-stream (the connection closed early); what arrived is kept. "
        "Send a message to continue.",
        "interrupted",
    )


def zero_counts() -> TokenCounts:
    from backend_pair.agents.models import TokenCounts

    return TokenCounts(input=0, output=0, cache_read=0, cache_creation=0)


def usage_counts(usage: Any) -> TokenCounts:
    from backend_pair.agents.models import TokenCounts

    return TokenCounts(
        input=int(getattr(usage, "input_tokens", 0) or 0),
        output=int(getattr(usage, "output_tokens", 0) or 0),
        cache_read=int(getattr(usage, "cache_read_input_tokens", 0) or 0),
        cache_creation=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
    )


def cost_of(model: str, counts: TokenCounts) -> float:
    from backend_pair.agents.models import cost_usd

    return cost_usd(model, counts)


def one_line(err: BaseException) -> str:
    """An error as one line of at most 200 characters (its type when it says nothing)."""
    return untrusted.one_line(str(err), 200) or type(err).__name__


def cut_marker(text: str = "(cut off by the output limit)") -> dict[str, Any]:
    return history.text_block(text)
