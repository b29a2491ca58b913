"""What the agent loop tells its listeners: plain frozen dataclasses, one per kind of event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend_pair.agents.models import TokenCounts


@dataclass(frozen=True)
class TextDelta:
    """A piece of the agent's answer text, in stream order."""

    text: str


@dataclass(frozen=True)
class ToolCallStarted:
    """The agent called a tool; it is about to run."""

    call_id: str
    name: str
    summary: str
    """One line for the conversation, e.g. ``Read app/models.py``."""
    input: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool call ended; ``result`` is the text the model receives."""

    call_id: str
    name: str
    summary: str
    result: str
    is_error: bool


@dataclass(frozen=True)
class ProposalChanged:
    """Write or Edit changed the proposals of these repo-relative paths."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistChanged:
    """TodoWrite changed the checklist."""


@dataclass(frozen=True)
class UsageUpdated:
    """Tokens and cost after each API call: for the developer's current turn and for the whole session."""

    turn: TokenCounts
    session: TokenCounts
    turn_cost: float
    session_cost: float
    context: float = 0.0
    """Share of the model's context window the last request used (0.41 = 41%)."""


@dataclass(frozen=True)
class Compacted:
    """Older turns were replaced by a summary to free context (the conversation pane keeps showing everything)."""

    messages_before: int
    """Messages in the history before."""
    messages_after: int
    """Messages after (the summary, its acknowledgement and the kept turns)."""
    automatic: bool
    """True when the context threshold triggered it; False when the developer asked (ctrl+k)."""
    by_api: bool = False
    """True when the API compacted (server-side): its summary replaces every earlier turn."""


@dataclass(frozen=True)
class ModelSwitched:
    """The endpoint does not serve the model asked for (404); the family's current model is used from now on."""

    old: str
    """The id that was refused."""
    new: str
    """The id used instead, for the rest of the session."""


@dataclass(frozen=True)
class Retrying:
    """The SDK is about to retry a failed request (429, 5xx, 529, connection error)."""

    attempt: int
    """1 for the first retry."""
    reason: str
    delay: float
    """Seconds until the retry (an estimate when the server gave no retry-after)."""


@dataclass(frozen=True)
class AgentError:
    """A fault the developer should know about, as one line; the conversation stays valid."""

    message: str
    kind: str
    """One of ``auth``, ``not_found``, ``bad_request``, ``rate_limit``, ``overloaded``, ``server``, ``timeout``,
    ``connection``, ``interrupted``, ``malformed``, ``internal``."""


@dataclass(frozen=True)
class FeedbackSent:
    """Review feedback and notices attached to the developer's message."""

    text: str


@dataclass(frozen=True)
class TurnEnded:
    """The turn is over: the model ended it (``stop_reason``), or it was interrupted (cancel, fault)."""

    stop_reason: str | None
    interrupted: bool


@dataclass(frozen=True)
class SubagentStarted:
    """A ``Task`` call (``call_id``) started a nested session with another agent."""

    call_id: str
    """The parent's ``Task`` tool_use id."""
    agent: str
    """The subagent's name, e.g. ``explorer``."""
    model: str
    """The model it runs on."""
    description: str
    """The caller's short description of the task."""


@dataclass(frozen=True)
class SubagentEvent:
    """Something that happened inside a subagent's nested session (its text, its tool calls, its usage).

    The nested session's proposal and checklist changes are also yielded unwrapped (``ProposalChanged``,
    ``ChecklistChanged``): they concern the whole session's review. The ``Task`` call's own
    ``ToolCallFinished`` carries the subagent's final answer.
    """

    call_id: str
    """The parent's ``Task`` tool_use id."""
    agent: str
    """The subagent's name."""
    event: AgentEvent
    """The nested session's event, unchanged."""


AgentEvent = (
    TextDelta
    | ToolCallStarted
    | ToolCallFinished
    | ProposalChanged
    | ChecklistChanged
    | UsageUpdated
    | Compacted
    | ModelSwitched
    | Retrying
    | AgentError
    | FeedbackSent
    | TurnEnded
    | SubagentStarted
    | SubagentEvent
)
"""Every event :meth:`AgentSession.run_turn` yields."""
