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

    ``Task`` calls next to each other in one answer run side by side (the model asked for them together); every
    other call runs alone, in order. Each call is journaled (``tool_call``, then the proposals or the checklist it
    changed). A cancel stops at the running call(s); every call left open is answered "cancelled", so the history
    stays valid.

    Args:
        session: The session whose last assistant message holds the calls.
        repeated_ids: Call ids the model used twice (``history.unique_tool_ids``): answered as duplicates, not run.
    """
    results: list[dict[str, Any]] = []
    calls = history.unanswered_calls(session.messages)
    try:
        index = 0
        while index < len(calls):
            together = _tasks_together(session, calls[index:], repeated_ids)
            if len(together) > 1:
                async for event in _run_tasks(session, together, results):
                    yield event
                index += len(together)
            else:
                async for event in _run_call(session, calls[index], repeated_ids, results):
                    yield event
                index += 1
            if session.turn_cancel.requested:
                return
    finally:
        session.journal_message(history.answer_open_calls(session.messages, results, history.CANCELLED))


def _is_task(session: AgentSession, call: dict[str, Any]) -> bool:
    return bool(call["name"] == subagents.TASK_TOOL and (session.collaborators or session.is_subagent))


def _tasks_together(
    session: AgentSession, calls: list[dict[str, Any]], repeated_ids: Collection[str]
) -> list[dict[str, Any]]:
    """The ``Task`` calls at the head of ``calls``, up to the first other call (a subagent's are refused alone)."""
    if session.is_subagent:
        return calls[:1]
    together: list[dict[str, Any]] = []
    for call in calls:
        if not _is_task(session, call) or call["id"] in repeated_ids:
            break
        together.append(call)
    return together


async def _run_call(
    session: AgentSession, call: dict[str, Any], repeated_ids: Collection[str], results: list[dict[str, Any]]
) -> AsyncIterator[AgentEvent]:
    """Run one call; a cancel leaves it unanswered (``run_calls`` answers it)."""
    name, data, call_id = call["name"], call.get("input"), call["id"]
    cancel = session.turn_cancel
    summary = summarize(name, data)
    yield ToolCallStarted(call_id, name, summary, data if isinstance(data, dict) else {})
    if cancel.requested:
        yield ToolCallFinished(call_id, name, summary, history.CANCELLED, True)
        return
    if call_id in repeated_ids:
        results.append(history.tool_result(call_id, history.DUPLICATE_ID, True))
        yield ToolCallFinished(call_id, name, summary, history.DUPLICATE_ID, True)
        return
    if _is_task(session, call):
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
    async for event in _record(session, call, summary, result, results):
        yield event


async def _run_tasks(
    session: AgentSession, calls: list[dict[str, Any]], results: list[dict[str, Any]]
) -> AsyncIterator[AgentEvent]:
    """Run ``Task`` calls side by side: their events interleave (each tagged with its call id), their results are
    recorded in the order the model gave them once all have ended; a cancel leaves them unanswered."""
    summaries = [summarize(call["name"], call.get("input")) for call in calls]
    for call, summary in zip(calls, summaries, strict=True):
        data = call.get("input")
        yield ToolCallStarted(call["id"], call["name"], summary, data if isinstance(data, dict) else {})
    if session.turn_cancel.requested:
        for call, summary in zip(calls, summaries, strict=True):
            yield ToolCallFinished(call["id"], call["name"], summary, history.CANCELLED, True)
        return
    boxes: list[list[ToolResult]] = [[] for _ in calls]
    runs = [
        subagents.run_task(session, call["id"], call.get("input"), box) for call, box in zip(calls, boxes, strict=True)
    ]
    async for event in merged(runs):
        yield event
    for call, summary, box in zip(calls, summaries, boxes, strict=True):
        if session.turn_cancel.requested:
            yield ToolCallFinished(call["id"], call["name"], summary, history.CANCELLED, True)
            continue
        result = box[0] if box else ToolResult(history.CANCELLED, is_error=True)
        async for event in _record(session, call, summary, result, results):
            yield event


async def _record(
    session: AgentSession, call: dict[str, Any], summary: str, result: ToolResult, results: list[dict[str, Any]]
) -> AsyncIterator[AgentEvent]:
    """Keep a call's result for the model, journal it, and say what it changed."""
    name, data, call_id = call["name"], call.get("input"), call["id"]
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


async def merged(streams: list[AsyncIterator[AgentEvent]]) -> AsyncIterator[AgentEvent]:
    """The events of ``streams`` as they come, each stream run in a task of its own.

    When the consumer stops early (cancelled, or closed), every stream still running is cancelled and waited for,
    so their own clean-up (journaling a cut-short subagent, killing its command) has happened when this returns.
    """
    queue: asyncio.Queue[AgentEvent | None] = asyncio.Queue()

    async def pump(stream: AsyncIterator[AgentEvent]) -> None:
        try:
            async for event in stream:
                queue.put_nowait(event)
        finally:
            queue.put_nowait(None)

    tasks = [asyncio.create_task(pump(stream)) for stream in streams]
    try:
        running = len(tasks)
        while running:
            item = await queue.get()
            if item is None:
                running -= 1
            else:
                yield item
        for task in tasks:
            await task  # a stream's own failure is the caller's
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)


async def run_addressed(session: AgentSession, agent: AgentDefinition, prompt: str) -> AsyncIterator[AgentEvent]:
    """The developer wrote ``@name ...``: run it as the main agent's Task to that agent, then end the turn."""
    session.journal_message(history.append_assistant(session.messages, [subagents.task_call(agent, prompt)]))
    async for event in run_calls(session, ()):
        yield event
    cancelled = session.turn_cancel.requested
    yield TurnEnded(None, interrupted=True) if cancelled else TurnEnded("end_turn", interrupted=False)
