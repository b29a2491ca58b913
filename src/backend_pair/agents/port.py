"""What the UI needs from an agent session, and nothing more: the port the app drives a session through.

:class:`backend_pair.agents.session.AgentSession` implements it; so does the tests' scripted stand-in. The app is
typed against this Protocol, so mypy checks both sides, and a reader sees the whole contract in one place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from backend_pair.agents.events import AgentEvent
    from backend_pair.agents.memory import ProjectMemory
    from backend_pair.agents.models import TokenCounts
    from backend_pair.agents.permissions import PermissionRules
    from backend_pair.agents.tools.base import ChecklistView


class SessionPort(Protocol):
    """An agent session as the UI uses it."""

    messages: list[dict[str, Any]]
    """The API history (a resumed session's is replayed in the conversation)."""
    memory: ProjectMemory | None
    """The memory files in the system prompt (None: none were loaded)."""
    session_usage: TokenCounts | None
    """Tokens used so far (None before the first answer)."""
    session_cost: float
    """Dollars spent so far."""
    usage_by_agent: dict[str, tuple[TokenCounts, float]]
    """Tokens and cost per agent name (the main agent and its subagents)."""
    subagent_runs: dict[str, dict[str, Any]]
    """Journaled nested runs by the ``Task`` call id (a resumed session's are shown again)."""

    @property
    def checklist(self) -> ChecklistView:
        """The live checklist (a resumed session's is the journaled one)."""
        ...

    @property
    def permissions(self) -> PermissionRules:
        """The permission rules in force."""
        ...

    @property
    def connected(self) -> bool:
        """Whether the API client is built (building it imports the SDK, about a second)."""
        ...

    def connect(self) -> None:
        """Build the API client (in a thread: the app never does it on the event loop)."""
        ...

    def run_turn(self, user_text: str) -> AsyncIterator[AgentEvent]:
        """Send the developer's message and run the agent until it ends its turn, yielding events."""
        ...

    def compact(self) -> AsyncIterator[AgentEvent]:
        """Compact the conversation now (between turns), yielding what happened."""
        ...

    def snapshot(self) -> None:
        """Journal the proposals and the checklist as they stand."""
        ...

    def record_review(self, decision: dict[str, Any]) -> None:
        """Journal a review decision, then the proposals and checklist as they now stand."""
        ...
