"""Collaborators: Claude Code's ``Task`` tool, which runs another agent in a nested session and returns its answer.

A Task runs one turn of a fresh :class:`AgentSession` with the subagent's definition (its system prompt, its
model, the tools it lists that the caller may also use) over the same workspace, checklist, approval and
permissions: its Write/Edit become proposals in the same review, tagged with its name; its Bash commands ask the
developer. Subagents do not get ``Task`` themselves (one level of nesting).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backend_pair import untrusted
from backend_pair.agents import history
from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.events import (
    AgentError,
    AgentEvent,
    ChecklistChanged,
    ProposalChanged,
    SubagentEvent,
    SubagentStarted,
    TurnEnded,
    UsageUpdated,
)
from backend_pair.agents.tools.base import ToolInputError, ToolResult, error, require_str
from backend_pair.agents.tools.registry import TOOL_ORDER

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.session import AgentSession

TASK_TOOL = "Task"
"""The tool's name, as in Claude Code."""

MAX_DESCRIPTION_CHARS = 300
"""An agent's description is cut to this many characters in the Task tool's description (agent files are data)."""

MAX_PROMPT_CHARS = 200_000
"""The longest prompt a Task may carry."""

_ADDRESS = re.compile(r"\s*@(?P<name>[A-Za-z0-9][\w.-]*)[ \t]*(?:\n|\s)(?P<prompt>.*\S.*)", re.DOTALL)


def one_line(text: str, limit: int = MAX_DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters (an agent's description by default)."""
    return untrusted.one_line(text, limit)


def collaborators_for(main: AgentDefinition, agents: Iterable[AgentDefinition]) -> tuple[AgentDefinition, ...]:
    """The agents the main agent may hand a Task to: every discovered one except itself."""
    own = main.name.casefold()
    return tuple(
        agent for agent in agents if agent.name.casefold() != own and agent.source.resolve() != main.source.resolve()
    )


def _slug(text: str) -> str:
    return "-".join(text.casefold().split())


def find_collaborator(name: str, collaborators: Sequence[AgentDefinition]) -> AgentDefinition | None:
    """The collaborator called ``name`` (a leading ``@`` allowed): by name, else by file stem, case-insensitively."""
    wanted = name.strip().lstrip("@").strip().casefold()
    if not wanted:
        return None
    slug = _slug(wanted)
    for agent in collaborators:
        if agent.name.casefold() == wanted:
            return agent
    for agent in collaborators:
        if _slug(agent.name) == slug or agent.source.stem.casefold() in (wanted, slug):
            return agent
    return None


def available(collaborators: Sequence[AgentDefinition]) -> str:
    """``explorer, tester`` (what an unknown ``subagent_type`` error lists)."""
    return ", ".join(agent.name for agent in collaborators) or "none"


def task_tool_definition(collaborators: Sequence[AgentDefinition]) -> dict[str, Any]:
    """The ``Task`` tool's entry in the ``tools`` parameter: Claude Code's input shape, listing the agents."""
    listing = "\n".join(
        f"- {one_line(agent.name, 80)}: {one_line(agent.description) or '(no description)'}" for agent in collaborators
    )
    description = (
        "Launch another agent (a subagent) to handle a task on its own, in a fresh context, and get its final "
        "answer back as this tool's result. It works on the same repository under the same rules: its Write and "
        "Edit become proposals the developer reviews, its Bash commands ask the developer first. It does not see "
        "this conversation: give it a complete, self-contained prompt and say what to report back. Independent "
        "tasks given together, as several Task calls in one answer, run side by side. A subagent cannot start a "
        "Task of its own (one level of nesting only).\n\n"
        f"Available agents (subagent_type):\n{listing}"
    )
    return {
        "name": TASK_TOOL,
        "description": description,
        "input_schema": {
            "type": "object",
            "properties": {
                "description": {"type": "string", "description": "A short (3-5 word) description of the task"},
                "prompt": {"type": "string", "description": "The task for the agent to perform"},
                "subagent_type": {"type": "string", "description": "The type of specialized agent to use"},
            },
            "required": ["description", "prompt", "subagent_type"],
        },
    }


def subagent_tools(definition: AgentDefinition, parent_tools: Iterable[str]) -> tuple[str, ...]:
    """The tools a subagent gets: those its definition lists that the caller may also use (never ``Task``)."""
    listed = {name.split("(", 1)[0].strip() for name in definition.tools}
    allowed = set(parent_tools)
    return tuple(name for name in TOOL_ORDER if name in listed and name in allowed)


def subagent_model(definition: AgentDefinition, parent_model: str) -> str:
    """The subagent's model id: its own (an alias or an id), or the caller's for ``inherit`` or none."""
    from backend_pair.agents.models import INHERIT, resolve_model

    wanted = definition.model.strip()
    if not wanted or wanted.lower() == INHERIT:
        return parent_model
    return resolve_model(wanted, None)


def task_input(data: object) -> tuple[str, str, str]:
    """``(description, prompt, subagent_type)`` from a Task call's input.

    Raises:
        ToolInputError: A field is missing, not a string, empty or too long.
    """
    if not isinstance(data, dict):
        raise ToolInputError("Task expects a JSON object as input")
    prompt = require_str(data, "prompt", max_chars=MAX_PROMPT_CHARS)
    wanted = require_str(data, "subagent_type", max_chars=200)
    description = str(data.get("description") or "")[:200] if isinstance(data.get("description"), str) else ""
    return description, prompt, wanted


def addressed(text: str, collaborators: Sequence[AgentDefinition]) -> tuple[AgentDefinition, str] | None:
    """The collaborator a developer's message is addressed to (``@tester write tests for ...``) and the rest.

    ``None`` when the message does not start with ``@name`` of a known collaborator, or nothing follows it.
    """
    match = _ADDRESS.fullmatch(text)
    if match is None:
        return None
    agent = find_collaborator(match["name"], collaborators)
    return None if agent is None else (agent, match["prompt"].strip())


def task_call(agent: AgentDefinition, prompt: str) -> dict[str, Any]:
    """A Task tool_use block standing for the developer's ``@name`` message, in the main agent's history."""
    return {
        "type": "tool_use",
        "id": f"toolu_bp{uuid.uuid4().hex[:20]}",
        "name": TASK_TOOL,
        "input": {"description": one_line(prompt, 40), "prompt": prompt, "subagent_type": agent.name},
    }


def final_answer(messages: Sequence[dict[str, Any]]) -> str:
    """The text of the last assistant message (the subagent's answer; empty when it gave none)."""
    for message in reversed(messages):
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content.strip()
        parts = [str(block.get("text", "")) for block in content or () if block.get("type") == "text"]
        return "\n\n".join(part.strip() for part in parts if part.strip())
    return ""


def nested_session(parent: AgentSession, definition: AgentDefinition) -> AgentSession:
    """A session for ``definition`` sharing the caller's workspace, checklist, approval, permissions and client.

    Made as ``type(parent)(...)``: this module never imports the session's (which imports this one for ``Task``).
    """
    context = parent.tool_context
    approver = context.approver
    name = definition.name

    async def approve(request: BashRequest) -> BashDecision:
        reason = f"[{one_line(name, 60)}] {request.description}".strip()
        return await approver(replace(request, description=reason))

    child = type(parent)(
        definition,
        parent.workspace,
        parent.checklist,
        subagent_model(definition, parent.model),
        approve,
        client=parent.api_client,
        max_tokens=parent.max_tokens,
        memory=parent.memory,
        permissions=context.permissions,
        tools=subagent_tools(definition, parent.tools),
        parent=parent,
    )
    child.tool_context.always_allowed = context.always_allowed  # "always allow" holds for the whole tree
    child.tool_context.command_lock = context.command_lock  # one command at a time in the whole tree
    child.tool_context.agent = name
    return child


async def run_task(
    parent: AgentSession, call_id: str, data: object, out: list[ToolResult]
) -> AsyncIterator[AgentEvent]:
    """Run one Task call of ``parent``; yields the nested session's events (wrapped) and appends the result to ``out``.

    Proposal and checklist changes are yielded unwrapped too (the review pane shows every agent's proposals).
    The nested run is journaled in the parent's journal as a ``subagent`` record, also when cancelled.
    """
    if parent.is_subagent:
        out.append(error("A subagent cannot start another Task (one level of nesting only); do the work yourself."))
        return
    try:
        description, prompt, wanted = task_input(data)
    except ToolInputError as err:
        out.append(error(f"Task failed: {err}"))
        return
    definition = find_collaborator(wanted, parent.collaborators)
    if definition is None:
        out.append(
            error(
                f"No agent named {one_line(wanted, 80)!r} is available; subagent_type must be one of: "
                f"{available(parent.collaborators)}"
            )
        )
        return
    child = nested_session(parent, definition)
    child.task_call_id = call_id
    name = definition.name
    record = {"call_id": call_id, "agent": name, "model": child.model, "description": description}
    parent.journal_record("subagent", {**record, "running": True})
    yield SubagentStarted(call_id, name, child.model, description)
    ended: TurnEnded | None = None
    faults: list[str] = []
    parent.active_subagents.add(child)
    try:
        async for event in child.run_turn(prompt):
            if isinstance(event, (ProposalChanged, ChecklistChanged)):
                yield event
                continue
            yield SubagentEvent(call_id, name, event)
            if isinstance(event, UsageUpdated):
                yield parent.usage_event()
            elif isinstance(event, AgentError):
                faults.append(event.message)
            elif isinstance(event, TurnEnded):
                ended = event
    finally:
        parent.active_subagents.discard(child)
        parent.journal_record("subagent", {**record, "messages": child.messages})
    answer = final_answer(child.messages)
    if ended is None or ended.interrupted:
        why = faults[-1] if faults else "it was interrupted"
        said = f" What it said before stopping:\n{answer}" if answer else ""
        out.append(error(f"The {name} agent did not finish: {why}.{said}"))
        return
    out.append(ToolResult(answer or f"The {name} agent ended without an answer."))


def journaled_runs(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The nested runs in a journal by ``Task`` call id: ``agent``, ``model``, ``description``, ``messages``.

    A run that ended has its whole history in its last ``subagent`` record; one cut short by a crash is rebuilt
    from its ``subagent_message`` records.
    """
    runs: dict[str, dict[str, Any]] = {}
    partial: dict[str, dict[int, dict[str, Any]]] = {}
    for record in records:
        payload = record.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("call_id"), str):
            continue
        call_id = payload["call_id"]
        if record.get("kind") == "subagent":
            runs[call_id] = dict(payload)
        elif record.get("kind") == "subagent_message" and isinstance(payload.get("index"), int):
            role, content = payload.get("role"), payload.get("content")
            if role in ("user", "assistant") and isinstance(content, (list, str)):
                partial.setdefault(call_id, {})[payload["index"]] = {"role": role, "content": content}
    for call_id, run in runs.items():
        if not isinstance(run.get("messages"), list):
            by_index = partial.get(call_id, {})
            run["messages"] = history.repair([by_index[index] for index in sorted(by_index)])
    return runs
