"""Agent events (plain frozen dataclasses from the headless loop) as Textual messages, one class per kind."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from textual.message import Message

from backend_pair.agents.events import (
    AgentError,
    AgentEvent,
    ChecklistChanged,
    FeedbackSent,
    ProposalChanged,
    Retrying,
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


class AgentRetrying(AgentMessage[Retrying]):
    """A request is being retried."""


class AgentFailed(AgentMessage[AgentError]):
    """A fault the developer should see."""


class AgentFeedbackSent(AgentMessage[FeedbackSent]):
    """Review feedback went out with the prompt."""


class AgentTurnEnded(AgentMessage[TurnEnded]):
    """The turn is over."""


class TurnCancelled(Message):
    """The developer cancelled the running turn (its worker was cancelled)."""


_MESSAGE_FOR: dict[type, type[AgentMessage[Any]]] = {
    TextDelta: AgentText,
    ToolCallStarted: AgentToolStarted,
    ToolCallFinished: AgentToolFinished,
    ProposalChanged: AgentProposalsChanged,
    ChecklistChanged: AgentChecklistChanged,
    UsageUpdated: AgentUsage,
    Retrying: AgentRetrying,
    AgentError: AgentFailed,
    FeedbackSent: AgentFeedbackSent,
    TurnEnded: AgentTurnEnded,
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
