"""What each call to the Messages API carries: the system prompt, the tool list, and the parameters around them.

The system prompt (preamble, the agent's body, project memory) and the tool list are built once per session and
sent as the same objects every call, each with one cache mark on its last block: a stable, cached prefix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend_pair.agents import compaction, history, subagents
from backend_pair.agents.tools import tool_definitions

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.agents.memory import ProjectMemory

PREAMBLE = """\
You are pair programming with a developer inside backend-pair, a terminal app, on the git repository at {root}.
How this session works:
- Paths are relative to the repository root (absolute paths inside it work too); nothing outside it, nor .git/, \
can be read or written.
- Read, Grep and Glob see the working tree with your pending proposals applied.
- Write and Edit never touch disk: each change becomes a proposal that the developer reviews hunk by hunk, like a \
pull request. Accepted hunks are written and staged; rejected hunks and review comments come back to you as \
feedback with the developer's next message. Say what you proposed and why; do not claim a change is applied.
- Bash asks the developer before running, runs in the repository root, and sees only what is on disk: proposals \
pending review are not there yet.
- Keep your task list current with TodoWrite; it is the checklist the developer watches.

The agent you are follows.
"""
OFFICIAL_ENDPOINT = "https://api.anthropic.com"
"""Anthropic's own API, which takes server-side compaction (other endpoints are not asked: ``server_compaction``)."""


def system_prompt(definition: AgentDefinition, root: Path, memory: ProjectMemory | None) -> list[dict[str, Any]]:
    """The system blocks: the preamble for ``root``, the agent's body (its name when empty), the project memory."""
    system = [
        history.text_block(PREAMBLE.format(root=root)),
        history.text_block(definition.body.strip() or definition.name),
    ]
    memory_text = memory.prompt_text() if memory is not None else ""
    if memory_text:
        system.append(history.text_block(memory_text))
    # One cache mark on the last system block: preamble, body and memory are one stable, cached prefix.
    system[-1]["cache_control"] = dict(history.CACHE_MARK)
    return system


def tool_list(tools: Sequence[str], collaborators: Sequence[AgentDefinition]) -> list[dict[str, Any]]:
    """The ``tools`` parameter: the offered tools' schemas, then ``Task`` when there are agents to hand one to."""
    params = tool_definitions(tools)
    if collaborators:
        params.append(subagents.task_tool_definition(collaborators))
    if params:
        params[-1]["cache_control"] = dict(history.CACHE_MARK)
    return params


def official_endpoint(client: Any | None) -> bool:
    """Whether calls go to Anthropic's own API: the client's base URL, or the environment's before it is built."""
    from backend_pair.agents.client import client_base_url

    url = client_base_url(client) if client is not None else os.environ.get("ANTHROPIC_BASE_URL") or OFFICIAL_ENDPOINT
    return url.rstrip("/") == OFFICIAL_ENDPOINT


def call_params(
    model: str,
    max_tokens: int,
    system: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    server_compaction: tuple[int, str] | None,
) -> dict[str, Any]:
    """The parameters of one call with the history ``messages``.

    Args:
        model: The model id (a ``[1m]`` one is sent as its plain id plus the 1M-context beta header).
        max_tokens: The output limit.
        system: The system blocks (:func:`system_prompt`).
        tools: The tool list (:func:`tool_list`; none: no ``tools`` parameter).
        messages: The history.
        server_compaction: ``(trigger tokens, state note)`` to ask the API to compact; ``None``: the history goes
            without the API's compaction blocks.
    """
    sent = messages if server_compaction is not None else compaction.without_server_blocks(messages)
    params = for_api(
        {"model": model, "max_tokens": max_tokens, "system": system, "messages": history.with_cache_mark(sent)}
        | ({"tools": tools} if tools else {})
    )
    if server_compaction is None:
        return params
    return compaction.with_server_compaction(params, *server_compaction)


def for_api(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as sent: a ``[1m]`` model becomes its plain id plus the 1M-context beta header."""
    from backend_pair.agents.models import api_request

    model, headers = api_request(params["model"])
    sent = {**params, "model": model}
    if headers:
        sent["extra_headers"] = headers
    return sent
