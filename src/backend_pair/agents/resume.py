"""Bringing a journaled session back after a quit or a crash: conversation, proposals, checklist, usage."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend_pair.agents import history

if TYPE_CHECKING:
    from backend_pair.agents.approval import BashApprover
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.session import AgentSession
    from backend_pair.agents.tools.base import ChecklistView, WorkspaceView
    from backend_pair.workspace.journal import SessionJournal

log = logging.getLogger(__name__)


def replay_messages(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation journaled in ``records`` (a later record of the same index replaces the earlier one).

    A ``compacted`` record replaces everything before it with the compacted history; later messages follow it.
    """
    by_index: dict[int, dict[str, Any]] = {}
    for record in records:
        payload = record.get("payload")
        compacted = payload.get("messages") if isinstance(payload, dict) else None
        if record.get("kind") == "compacted" and isinstance(compacted, list):
            by_index = {
                index: {"role": message.get("role"), "content": message.get("content")}
                for index, message in enumerate(compacted)
                if isinstance(message, dict)
            }
            continue
        if record.get("kind") != "message" or not isinstance(payload, dict):
            continue
        index, role, content = payload.get("index"), payload.get("role"), payload.get("content")
        if isinstance(index, int) and role in ("user", "assistant") and isinstance(content, (list, str)):
            by_index[index] = {"role": role, "content": content}
    return [by_index[index] for index in sorted(by_index)]


def latest(records: list[dict[str, Any]], kind: str) -> Any:
    """The payload of the last record of ``kind`` (``None`` when there is none)."""
    for record in reversed(records):
        if record.get("kind") == kind:
            return record.get("payload")
    return None


def restore_into(session: AgentSession, records: list[dict[str, Any]]) -> None:
    """Restore ``session`` (fresh, same journal) from its journal records.

    The history is repaired so the API accepts it (a call that was running at the crash gets a "not run" result);
    proposals are restored into the workspace; the checklist's statuses are restored in place.
    """
    session.messages = history.repair(replay_messages(records))
    proposals = latest(records, "proposals")
    if isinstance(proposals, dict):
        session.workspace.restore_json(proposals)
    checklist = latest(records, "checklist")
    if isinstance(checklist, dict) and isinstance(checklist.get("items"), list):
        restore_checklist(session, checklist["items"])
    from backend_pair.agents.models import TokenCounts, cost_usd

    for record in records:
        payload = record.get("payload")
        if record.get("kind") != "usage" or not isinstance(payload, dict):
            continue
        counts = TokenCounts.from_json(payload)
        raw_cost = payload.get("cost")
        call_cost = float(raw_cost) if isinstance(raw_cost, (int, float)) else cost_usd(session.model, counts)
        agent = payload.get("agent")
        session.count_usage(agent if isinstance(agent, str) and agent else session.definition.name, counts, call_cost)
    from backend_pair.agents.subagents import journaled_runs

    session.subagent_runs = journaled_runs(records)


def restore_checklist(session: AgentSession, items: list[dict[str, Any]]) -> None:
    """Replace the session's checklist by the journaled one."""
    from backend_pair.agents.checklist import Checklist

    try:
        session.checklist = Checklist.from_json(items)
    except ValueError as err:
        log.warning("the journaled checklist is unreadable (%s); keeping the definition's", err)


def open_session(
    definition: AgentDefinition,
    workspace: WorkspaceView,
    checklist: ChecklistView,
    model: str,
    approver: BashApprover,
    *,
    resume: str | None,
    client: Any | None = None,
) -> AgentSession:
    """A journaled session for the app: a new one (``resume`` None), the latest (``""``) or the one with that id.

    Raises:
        JournalError: nothing to resume, or the journal cannot be created (one line).
    """
    from backend_pair.agents.discovery import discover_agents
    from backend_pair.agents.memory import load_memory
    from backend_pair.agents.permissions import load_permissions
    from backend_pair.agents.session import AgentSession
    from backend_pair.agents.subagents import collaborators_for
    from backend_pair.workspace.journal import SessionJournal

    memory = load_memory(workspace.root, Path.cwd())
    permissions = load_permissions(workspace.root)
    collaborators = collaborators_for(definition, discover_agents(workspace.root))
    if resume is None:
        journal = SessionJournal.create(workspace.root)
        journal.acquire()
        return AgentSession(
            definition,
            workspace,
            checklist,
            model,
            approver,
            journal=journal,
            client=client,
            memory=memory,
            permissions=permissions,
            collaborators=collaborators,
        )
    journal = SessionJournal.open(workspace.root, resume)
    journal.acquire()
    return resume_session(
        definition,
        workspace,
        checklist,
        model,
        approver,
        journal,
        client=client,
        memory=memory,
        permissions=permissions,
        collaborators=collaborators,
    )


def resume_session(
    definition: AgentDefinition,
    workspace: WorkspaceView,
    checklist: ChecklistView,
    model: str,
    approver: BashApprover,
    journal: SessionJournal,
    **options: Any,
) -> AgentSession:
    """Bring a journaled session back: build it, then restore its conversation, proposals, checklist and usage.

    ``checklist`` is updated in place from the journal's last checklist snapshot; ``options`` are
    :class:`AgentSession`'s keyword arguments (``client``, ``memory``, ``permissions``, ``collaborators``).
    """
    from backend_pair.agents.session import AgentSession

    session = AgentSession(definition, workspace, checklist, model, approver, journal=journal, **options)
    restore_into(session, journal.records())
    return session
