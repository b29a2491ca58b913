"""Running the model's tool calls in order: each through its tool (Bash asks the developer under the permission
rules), a ``Task`` through a nested session; their results go back in one user message, also when cancelled midway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING, Any

from backend_pair.agents import history, subagents
from backend_pair.agents.events import (
    AgentEvent,
    ChecklistChanged,
    ProposalChanged,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
)
from backend_pair.agents.tools import run_tool, summarize
from backend_pair.agents.tools.base import ToolResult
from backend_pair.agents.tools.bash import APPROVED_ONCE

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.session import AgentSession


async def run_calls(session: AgentSession, repeated_ids: Collection[str]) -> AsyncIterator[AgentEvent]:
    """Run the open calls of ``session``'s history in order; their results go in one user message.

    Each call is journaled (``tool_call``, then the proposals or the checklist it changed). A cancel stops at the
    running call; every call left open is answered "cancelled", so the history stays valid.

    Args:
        session: The session whose last assistant message holds the calls.
        repeated_ids: Call ids the model used twice (``history.unique_tool_ids``): answered as duplicates, not run.
    """
    results: list[dict[str, Any]] = []
    cancel = session.turn_cancel
    try:
        for call in history.unanswered_calls(session.messages):
            name, data, call_id = call["name"], call.get("input"), call["id"]
            summary = summarize(name, data)
            yield ToolCallStarted(call_id, name, summary, data if isinstance(data, dict) else {})
            if cancel.requested:
                yield ToolCallFinished(call_id, name, summary, history.CANCELLED, True)
                return
            if call_id in repeated_ids:
                results.append(history.tool_result(call_id, history.DUPLICATE_ID, True))
                yield ToolCallFinished(call_id, name, summary, history.DUPLICATE_ID, True)
                continue
            if name == subagents.TASK_TOOL and (session.collaborators or session.is_subagent):
                box: list[ToolResult] = []
                async for event in subagents.run_task(session, call_id, data, box):
                    yield event
                result = box[0] if box else ToolResult(history.CANCELLED, is_error=True)
                if cancel.requested:
                    yield ToolCallFinished(call_id, name, summary, history.CANCELLED, True)
                    return
            else:
                task = asyncio.create_task(run_tool(session.tool_context, name, data, session.tools))
                with cancel.running(task):
                    try:
                        result = await task
                    except asyncio.CancelledError:
                        current = asyncio.current_task()
                        if not cancel.requested or (current is not None and current.cancelling()):
                            await asyncio.wait([task])  # let a running command's process group be killed first
                            raise
                        yield ToolCallFinished(call_id, name, summary, history.CANCELLED, True)
                        return
            results.append(history.tool_result(call_id, result.content, result.is_error))
            record = {"id": call_id, "name": name, "input": data, "result": result.content}
            record["is_error"] = result.is_error
            if result.allowed_by:
                record["allowed_by"] = result.allowed_by
                if result.allowed_by != APPROVED_ONCE:  # the developer just answered: no need to say so
                    summary = f"{summary} · {result.allowed_by}"
            session.journal_record("tool_call", record)
            yield ToolCallFinished(call_id, name, summary, result.content, result.is_error)
            if result.changed_paths:
                session.journal_record("proposals", session.workspace.to_json())
                yield ProposalChanged(result.changed_paths)
            if result.checklist_changed:
                session.journal_record("checklist", {"items": session.checklist.to_json()})
                yield ChecklistChanged()
            if cancel.requested:
                return
    finally:
        session.journal_message(history.answer_open_calls(session.messages, results, history.CANCELLED))


async def run_addressed(session: AgentSession, agent: AgentDefinition, prompt: str) -> AsyncIterator[AgentEvent]:
    """The developer wrote ``@name ...``: run it as the main agent's Task to that agent, then end the turn."""
    session.journal_message(history.append_assistant(session.messages, [subagents.task_call(agent, prompt)]))
    async for event in run_calls(session, ()):
        yield event
    cancelled = session.turn_cancel.requested
    yield TurnEnded(None, interrupted=True) if cancelled else TurnEnded("end_turn", interrupted=False)
