"""The agent loop: stream an answer through the SDK, run its tool calls, loop until the model ends the turn.

The session owns the conversation and its state; each job of a turn has its own module: what a call carries
(``request``), the client and the streamed call (``connection``, ``stream_call``), the tool calls (``tool_calls``),
compaction (``summary_call``), cancel (``cancel``). This module imports neither ``anthropic`` nor Textual: the SDK is
loaded by ``agents/client.py`` on the first turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from backend_pair.agents import compaction, history, request, subagents, summary_call, tool_calls
from backend_pair.agents.approval import BashApprover
from backend_pair.agents.cancel import TurnCancel
from backend_pair.agents.compaction import COMPACT_AT
from backend_pair.agents.connection import Connection
from backend_pair.agents.events import (
    AgentError,
    AgentEvent,
    Compacted,
    FeedbackSent,
    ModelSwitched,
    Retrying,
    TurnEnded,
    UsageUpdated,
)
from backend_pair.agents.permissions import agent_file_rules
from backend_pair.agents.stream_call import (
    StreamOutcome,
    cost_of,
    cut_marker,
    fault_of,
    one_line,
    refused_model_replacement,
    server_compaction_refused,
    usage_counts,
    zero_counts,
)
from backend_pair.agents.tools import ToolContext, offered_tools
from backend_pair.agents.tools.base import ChecklistView, WorkspaceView

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.memory import ProjectMemory
    from backend_pair.agents.models import TokenCounts
    from backend_pair.agents.permissions import PermissionRules
    from backend_pair.workspace.journal import SessionJournal

log = logging.getLogger(__name__)

MAX_CONTINUATIONS = 8
CONTINUE_PROMPT = "Your answer was cut off by the output limit. Continue exactly where you stopped."


class AgentSession:
    """One conversation between the developer and an agent, over the workspace.

    Args:
        definition: The agent (its body is the system prompt; its tools are offered).
        workspace: The repository with its proposal overlay.
        checklist: The live checklist TodoWrite updates.
        model: The resolved model id.
        approver: Asked before each Bash command.
        journal: Where messages, tool calls, proposals and the checklist are journaled (``None``: not journaled).
        client: An ``AsyncAnthropic``; ``None`` builds one from the environment on the first turn.
        max_tokens: The output limit of each API call.
        memory: Project memory (``CLAUDE.md`` and friends) appended to the system prompt after the agent's body.
        permissions: Permission rules from the Claude Code settings files (``None``: none, every command asks).
        collaborators: Other agents it may hand a ``Task`` to (none: no ``Task`` tool is offered).
        tools: The tools to offer instead of the definition's (a subagent's: never more than its caller's).
        parent: The session whose ``Task`` runs this one (a subagent: no checkpoint, no review feedback, its
            journal records and usage go to the parent).
    """

    def __init__(
        self,
        definition: AgentDefinition,
        workspace: WorkspaceView,
        checklist: ChecklistView,
        model: str,
        approver: BashApprover,
        journal: SessionJournal | None = None,
        client: Any | None = None,
        *,
        max_tokens: int = 8192,
        memory: ProjectMemory | None = None,
        permissions: PermissionRules | None = None,
        collaborators: Sequence[AgentDefinition] = (),
        tools: Sequence[str] | None = None,
        parent: AgentSession | None = None,
    ) -> None:
        """Prepare the session; nothing is sent before :meth:`run_turn`."""
        self.definition = definition
        self.workspace = workspace
        self.model = model
        self.journal = journal
        self.max_tokens = max_tokens
        self.messages: list[dict[str, Any]] = []
        """The API history (plain dicts), valid for the next request at every moment between turns."""
        self.tools = offered_tools(definition.tools) if tools is None else tuple(tools)
        self.collaborators: tuple[AgentDefinition, ...] = () if parent is not None else tuple(collaborators)
        """The agents a ``Task`` may start (always none for a subagent: one level of nesting)."""
        self._parent = parent
        self.task_call_id = ""
        """For a subagent: the caller's ``Task`` call id it runs for."""
        self.active_subagents: set[AgentSession] = set()
        """The nested sessions of the ``Task`` calls running now (cancel reaches each)."""
        self.usage_by_agent: dict[str, tuple[TokenCounts, float]] = {}
        """Tokens and cost per agent name (this agent and its subagents), summed over the session."""
        self.subagent_runs: dict[str, dict[str, Any]] = {}
        """Journaled nested runs by the ``Task`` call id (agent, model, description, messages)."""
        self._turn_counts: TokenCounts | None = None
        self._turn_cost = 0.0
        self.session_usage: TokenCounts | None = None
        self.session_cost = 0.0
        self.memory = memory
        """The memory files in the system prompt (``None``: none were loaded)."""
        self.last_input_tokens = 0
        """Input tokens (cached or not) of the last request: how full the context is."""
        self.compact_at = COMPACT_AT
        """Share of the context window at which the history is compacted before the next request (0 = never)."""
        self.server_compaction: bool | None = None
        """Whether the API compacts (``compact_20260112``): None = yes on Anthropic's own endpoint, not on others
        (a proxy may not take the beta); False once the endpoint refused it (client-side compaction from then on)."""
        self._context = ToolContext(workspace=workspace, checklist=checklist, approver=approver)
        if permissions is not None:
            self._context.permissions = permissions
        self._context.agent_rules = agent_file_rules(definition.tool_rules, definition.source)
        self.connection = Connection(client)
        """The API client (built on first use) and the streamed calls."""
        self._notices: list[str] = []
        self.turn_cancel = TurnCancel()
        """The running turn's cancel: what the developer asked, and the operation it stops."""
        self._running = False
        self._model_switched = False
        """A refused model was replaced already (once per session: the replacement is not replaced in turn)."""
        self._system = request.system_prompt(definition, workspace.root, memory)
        self._tool_params = request.tool_list(self.tools, self.collaborators)
        if journal is not None and not journal.records():
            journal.append("meta", {"agent": definition.name, "model": model, "source": str(definition.source)})

    # -- public API ----------------------------------------------------------------------------------------------

    @property
    def checklist(self) -> ChecklistView:
        """The live checklist TodoWrite updates (replaced by the journaled one on resume)."""
        return self._context.checklist

    @checklist.setter
    def checklist(self, value: ChecklistView) -> None:
        self._context.checklist = value

    @property
    def running(self) -> bool:
        """Whether a turn is in progress."""
        return self._running

    @property
    def permissions(self) -> PermissionRules:
        """The permission rules in force (settings files, plus prefix rules allowed for this session)."""
        return self._context.permissions

    @property
    def tool_context(self) -> ToolContext:
        """What the tools run with (a subagent shares its caller's approval and permissions)."""
        return self._context

    @property
    def api_client(self) -> Any:
        """The SDK client without this session's retry reporter (built on first use; subagents share it)."""
        self.connection.client()
        return self.connection.base

    @property
    def is_subagent(self) -> bool:
        """Whether this session runs a ``Task`` for another one."""
        return self._parent is not None

    @property
    def always_allowed(self) -> set[str]:
        """Bash commands the developer allowed always in this session."""
        return self._context.always_allowed

    def add_notice(self, text: str) -> None:
        """Queue a notice (e.g. an outside edit) for the agent; it travels with the developer's next message."""
        if text.strip():
            self._notices.append(text.strip())

    def cancel(self) -> None:
        """Stop the running turn: the stream and any running command; the turn ends with ``TurnEnded(interrupted)``.

        Cancelling the task that iterates :meth:`run_turn` works too (the history is repaired the same way).
        """
        if not self._running:
            return
        self.turn_cancel.requested = True
        for child in list(self.active_subagents):
            child.cancel()
        self.turn_cancel.stop_operation()

    @property
    def context_share(self) -> float:
        """Share of the model's context window the last request used."""
        from backend_pair.agents.models import context_window

        return self.last_input_tokens / context_window(self.model)

    async def compact(self) -> AsyncGenerator[AgentEvent, None]:
        """Compact now (the developer asked): older turns become a summary; yields ``Compacted`` or an error."""
        if self._running:
            yield AgentError("A turn is running; compact after it ends (or cancel it with Esc).", "internal")
            return
        self._running = True
        try:
            async for event in summary_call.compact(self, automatic=False):
                yield event
        finally:
            self._running = False

    def record_review(self, decision: dict[str, Any]) -> None:
        """Journal a review decision, then the proposals and checklist as they now stand (call after each one)."""
        self._journal("review", decision)
        self.snapshot()

    def snapshot(self) -> None:
        """Journal the proposals and the checklist as they stand (after outside edits or a developer's tick)."""
        self._journal("proposals", self.workspace.to_json())
        self._journal("checklist", {"items": self.checklist.to_json()})

    async def run_turn(self, user_text: str) -> AsyncGenerator[AgentEvent, None]:
        """Send the developer's message and run the agent until it ends its turn; yields events as they happen."""
        if self._running:
            yield AgentError("A turn is already running; wait for it or cancel it (Esc).", "internal")
            return
        self._running = True
        self.turn_cancel.requested = False
        self._turn_counts = zero_counts()
        self._turn_cost = 0.0
        try:
            feedback = ""
            if self._parent is None:  # a subagent's Task runs inside its caller's turn, which took both
                await self._checkpoint(user_text)
                feedback = self._take_feedback()
            if feedback:
                yield FeedbackSent(feedback)
            blocks = [history.text_block(f"<review-feedback>\n{feedback}\n</review-feedback>")] if feedback else []
            blocks.append(history.text_block(user_text if user_text.strip() else "(empty message)"))
            self.journal_message(history.append_user(self.messages, blocks), title=user_text)
            target = subagents.addressed(user_text, self.collaborators)
            if target is not None:
                async for event in tool_calls.run_addressed(self, *target):
                    yield event
                return
            continuations = 0
            while True:
                if self.compact_at and self.context_share >= self.compact_at and not self.server_compaction_active:
                    async for event in summary_call.compact(self, automatic=True):
                        yield event
                outcome = StreamOutcome()
                async for event in self._stream(outcome):
                    yield event
                if server_compaction_refused(outcome):
                    self.server_compaction = False
                    why = one_line(outcome.error) if outcome.error is not None else "refused"
                    self._journal("server_compaction", {"accepted": False, "reason": why})
                    yield Retrying(1, f"the endpoint refused server-side compaction ({why}); compacting here", 0.0)
                    continue
                replacement = None if self._model_switched else refused_model_replacement(outcome, self.model)
                if replacement is not None:
                    self._model_switched = True
                    old, self.model = self.model, replacement
                    self._journal("model", {"refused": old, "using": replacement})
                    yield ModelSwitched(old, replacement)
                    continue
                if outcome.message is not None:
                    counts = usage_counts(outcome.message.usage)
                    yield self._add_usage(counts, cost_of(self.model, counts))
                if outcome.cancelled or outcome.error is not None or not outcome.stopped:
                    for event in self._end_interrupted(outcome):
                        yield event
                    return
                message = outcome.message
                blocks = [b for b in (history.block_to_param(block) for block in message.content) if b is not None]
                if compaction.has_server_compaction(blocks):
                    before = len(self.messages) + 1
                    self.messages = compaction.after_server_compaction()
                    self._journal("compacted", {"messages": self.messages})
                    self.server_compaction = True
                    yield Compacted(before, len(self.messages) + 1, automatic=True, by_api=True)
                if message.stop_reason == "max_tokens" and continuations < MAX_CONTINUATIONS:
                    continuations += 1
                    kept = [block for block in blocks if block["type"] != "tool_use"]
                    self.journal_message(history.append_assistant(self.messages, kept or [cut_marker()]))
                    self.journal_message(history.append_user(self.messages, [history.text_block(CONTINUE_PROMPT)]))
                    continue
                if message.stop_reason != "tool_use" or not any(b["type"] == "tool_use" for b in blocks):
                    blocks = [block for block in blocks if block["type"] != "tool_use"] or [cut_marker("(no text)")]
                    self.journal_message(history.append_assistant(self.messages, blocks))
                    yield TurnEnded(message.stop_reason, interrupted=False)
                    return
                taken = {call["id"] for message in self.messages for call in history.tool_uses(message)}
                blocks, repeated_ids = history.unique_tool_ids(blocks, taken)
                self.journal_message(history.append_assistant(self.messages, blocks))
                async for event in tool_calls.run_calls(self, repeated_ids):
                    yield event
                if self.turn_cancel.requested:
                    yield TurnEnded(None, interrupted=True)
                    return
        except (asyncio.CancelledError, GeneratorExit):
            # Cancelled, or the listener stopped iterating and closed us: leave a history the API accepts.
            self._close_after_cancel()
            raise
        finally:
            self._running = False
            self.turn_cancel.operation = None

    # -- calls to the API ----------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the API client has been built (the first turn builds it)."""
        return self.connection.connected

    def connect(self) -> None:
        """Build the API client now (``import anthropic`` takes about a second: call it off the event loop)."""
        self.connection.client()

    def request_params(self) -> dict[str, Any]:
        """The Messages API parameters of the next call (system and tools are the same objects every call)."""
        server = None
        if self.server_compaction_active:
            from backend_pair.agents.models import context_window

            trigger = int(context_window(self.model) * self.compact_at)
            server = (trigger, compaction.state_note(self.workspace.proposals(), self.checklist.to_json()))
        return request.call_params(self.model, self.max_tokens, self._system, self._tool_params, self.messages, server)

    @property
    def server_compaction_active(self) -> bool:
        """Whether the next request asks the API to compact (else backend-pair compacts client-side)."""
        if not self.compact_at or self.server_compaction is False:
            return False
        return self.server_compaction is True or request.official_endpoint(self.connection.base)

    async def _stream(self, outcome: StreamOutcome) -> AsyncIterator[AgentEvent]:
        """One call with the history as it stands (not begun when the turn was cancelled first)."""

        def open_call() -> tuple[Any, dict[str, Any]]:
            if self.turn_cancel.requested:
                raise asyncio.CancelledError
            params = self.request_params()
            outcome.server_compaction = "context_management" in params
            client = self.connection.client()
            return (client.beta if outcome.server_compaction else client), params

        async for event in self.connection.stream(open_call, outcome, self.turn_cancel):
            yield event

    def _end_interrupted(self, outcome: StreamOutcome) -> list[AgentEvent]:
        """Keep what arrived (text only), name the fault (a cancel is none), end the turn; the history stays valid."""
        partial = "".join(outcome.partial_text).strip()
        if partial:
            self.journal_message(history.append_assistant(self.messages, [history.text_block(partial)]))
        cancelled = outcome.cancelled or self.turn_cancel.requested
        fault = None if cancelled else fault_of(outcome, self.model, self.connection.base)
        stop = outcome.message.stop_reason if outcome.message is not None else None
        return [*([fault] if fault else []), TurnEnded(stop, interrupted=True)]

    def _close_after_cancel(self) -> None:
        """The task running the turn was cancelled: answer any open call so the history stays valid."""
        self.journal_message(history.answer_open_calls(self.messages, [], history.CANCELLED))

    # -- feedback, usage, journal --------------------------------------------------------------------------------

    async def _checkpoint(self, label: str) -> None:
        """Snapshot the working tree as the turn starts, so any file can be rewound to it (``review.rewind``)."""
        from backend_pair.errors import BackendPairError

        try:
            await asyncio.to_thread(self.workspace.checkpoint, label)
        except BackendPairError as err:
            log.info("no checkpoint for this turn: %s", err)

    def _take_feedback(self) -> str:
        parts = [self.workspace.take_feedback().strip(), *self._notices]
        self._notices.clear()
        return "\n\n".join(part for part in parts if part)

    def _add_usage(self, counts: TokenCounts, cost: float) -> UsageUpdated:
        self.last_input_tokens = counts.input + counts.cache_read + counts.cache_creation
        self._journal("usage", {**counts.to_json(), "cost": cost})
        self.count_usage(self.definition.name, counts, cost)
        if self._parent is not None:
            self._parent.count_usage(self.definition.name, counts, cost)
        return self.usage_event()

    def count_usage(self, agent: str, counts: TokenCounts, cost: float) -> None:
        """Add one API call's tokens and cost to this session's totals (``agent``: whose call it was)."""
        self.session_usage = counts if self.session_usage is None else self.session_usage + counts
        self.session_cost += cost
        if self._running:
            self._turn_counts = counts if self._turn_counts is None else self._turn_counts + counts
            self._turn_cost += cost
        known, known_cost = self.usage_by_agent.get(agent, (None, 0.0))
        self.usage_by_agent[agent] = (counts if known is None else known + counts, known_cost + cost)

    def usage_event(self) -> UsageUpdated:
        """Tokens and cost of the current turn and of the session, subagents included."""
        session = self.session_usage if self.session_usage is not None else zero_counts()
        return UsageUpdated(
            turn=self._turn_counts if self._turn_counts is not None else zero_counts(),
            session=session,
            turn_cost=self._turn_cost,
            session_cost=self.session_cost,
            context=self.context_share,
        )

    def journal_record(self, kind: str, payload: dict[str, Any]) -> None:
        """Append a record to the session journal (a subagent's go to its caller's, tagged with its name)."""
        if kind == "subagent" and isinstance(payload.get("call_id"), str):
            self.subagent_runs[payload["call_id"]] = payload
        self._journal(kind, payload)

    def _journal(self, kind: str, payload: dict[str, Any]) -> None:
        if self._parent is not None:
            tagged = payload if kind in ("proposals", "checklist") else {**payload, "agent": self.definition.name}
            self._parent.journal_record(kind, tagged)
        elif self.journal is not None:
            self.journal.append(kind, payload)

    def journal_message(self, index: int | None, title: str = "") -> None:
        """Journal the history's message at ``index`` (a subagent's go to its caller's journal as they happen)."""
        if index is None or (self.journal is None and self._parent is None):
            return
        message = self.messages[index]
        payload: dict[str, Any] = {"index": index, "role": message["role"], "content": message["content"]}
        if self._parent is not None:
            # A subagent's messages go to its caller's journal as they happen: a crash mid-Task keeps them.
            self._parent.journal_record("subagent_message", {"call_id": self.task_call_id, **payload})
            return
        if title:
            payload["title"] = " ".join(title.split())[:80]
        if self.journal is not None:
            self.journal.append("message", payload)
