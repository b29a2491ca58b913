"""Agent events (plain frozen dataclasses from the headless loop) as Textual messages, one class per kind."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.message import Message

from backend_pair import pacing
from backend_pair.agents.events import (
    AgentError,
    AgentEvent,
    ChecklistChanged,
    Compacted,
    FeedbackSent,
    ModelSwitched,
    ProposalChanged,
    Retrying,
    SubagentEvent,
    SubagentStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
    UsageUpdated,
)

EventT = TypeVar("EventT")


class AgentMessage(Message, Generic[EventT]):
    """Carries one agent event into Textual's message queue, so it is handled in order on the UI's loop."""

    def __init__(self, event: EventT) -> None:
        self.event = event
        """The agent event, unchanged."""
        super().__init__()


class AgentText(AgentMessage[TextDelta]):
    """A piece of streamed answer text."""


class AgentToolStarted(AgentMessage[ToolCallStarted]):
    """A tool call started."""


class AgentToolFinished(AgentMessage[ToolCallFinished]):
    """A tool call ended."""


class AgentProposalsChanged(AgentMessage[ProposalChanged]):
    """Write or Edit changed proposals."""


class AgentChecklistChanged(AgentMessage[ChecklistChanged]):
    """TodoWrite changed the checklist."""


class AgentUsage(AgentMessage[UsageUpdated]):
    """Token counts and cost changed."""


class AgentCompacted(AgentMessage[Compacted]):
    """Older turns were replaced by a summary."""


class AgentModelSwitched(AgentMessage[ModelSwitched]):
    """The model asked for is not served; another is used."""


class AgentRetrying(AgentMessage[Retrying]):
    """A request is being retried."""


class AgentFailed(AgentMessage[AgentError]):
    """A fault the developer should see."""


class AgentFeedbackSent(AgentMessage[FeedbackSent]):
    """Review feedback went out with the prompt."""


class AgentTurnEnded(AgentMessage[TurnEnded]):
    """The turn is over."""


class AgentSubagentStarted(AgentMessage[SubagentStarted]):
    """A Task started a nested session with another agent."""


class AgentSubagentEvent(AgentMessage[SubagentEvent]):
    """Something happened inside a subagent's nested session."""


class TurnCancelled(Message):
    """The developer cancelled the running turn (its worker was cancelled)."""


_MESSAGE_FOR: dict[type, type[AgentMessage[Any]]] = {
    TextDelta: AgentText,
    ToolCallStarted: AgentToolStarted,
    ToolCallFinished: AgentToolFinished,
    ProposalChanged: AgentProposalsChanged,
    ChecklistChanged: AgentChecklistChanged,
    UsageUpdated: AgentUsage,
    Compacted: AgentCompacted,
    ModelSwitched: AgentModelSwitched,
    Retrying: AgentRetrying,
    AgentError: AgentFailed,
    FeedbackSent: AgentFeedbackSent,
    TurnEnded: AgentTurnEnded,
    SubagentStarted: AgentSubagentStarted,
    SubagentEvent: AgentSubagentEvent,
}


def to_message(event: AgentEvent) -> AgentMessage[Any]:
    """The Textual message for an agent event.

    Args:
        event: Any event :meth:`AgentSession.run_turn` yields.

    Raises:
        TypeError: For an object that is not an agent event.
    """
    message_class = _MESSAGE_FOR.get(type(event))
    if message_class is None:
        raise TypeError(f"not an agent event: {event!r}")
    return message_class(event)


class TextCoalescer:
    """Turns agent events into messages, joining consecutive text deltas into one message per interval.

    One message per delta (thousands per answer) keeps the screen's queue busy, and Textual repaints only when
    it is idle. Pending text is posted when the interval has passed (a timer, or the next delta), before any
    other event (so the order of text and tool calls is kept), and by :meth:`flush` at the end of the turn.
    """

    def __init__(self, post: Callable[[Message], object], interval: float | None = None) -> None:
        """Post messages with ``post``, joining text for ``interval`` seconds."""
        self._post = post
        self._interval = pacing.TEXT_FLUSH_INTERVAL if interval is None else interval
        self._pending: list[str] = []
        self._first_at = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def add(self, event: AgentEvent) -> bool:
        """Take the next event of the turn, in stream order; True when something was posted."""
        if isinstance(event, TextDelta):
            if not self._pending:
                self._first_at = time.monotonic()
                self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)
            self._pending.append(event.text)
            return time.monotonic() - self._first_at >= self._interval and self.flush()
        self.flush()
        self._post(to_message(event))
        return True

    def flush(self) -> bool:
        """Post the text held so far, if any, as one message; True when there was text."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return False
        text = "".join(self._pending)
        self._pending.clear()
        self._post(AgentText(TextDelta(text)))
        return True
