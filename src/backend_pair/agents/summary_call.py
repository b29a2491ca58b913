"""Client-side compaction run on a session: one summary call, then the older turns replaced by it and journaled.

What the summary replaces and what is kept is :mod:`backend_pair.agents.compaction`'s; this module makes the call
(cancel stops it) and swaps the session's history, leaving it as it was on any failure.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from backend_pair.agents import compaction, request
from backend_pair.agents.events import AgentError, AgentEvent, Compacted
from backend_pair.agents.stream_call import one_line

if TYPE_CHECKING:
    from backend_pair.agents.connection import Connection
    from backend_pair.agents.session import AgentSession


async def compact(session: AgentSession, automatic: bool) -> AsyncIterator[AgentEvent]:
    """Summarise the turns before the last few with one API call and replace them; the history stays valid.

    On any failure the history is left as it was and the error is reported (the next request may then be
    refused for its size, which the developer sees as an API error).

    Args:
        session: The session whose history is compacted.
        automatic: The context was nearly full (not the developer's asking): a history too short is no error.
    """
    cut = compaction.plan(session.messages)
    if cut is None:
        if not automatic:
            yield AgentError("Nothing to compact yet: the conversation is only a few turns long.", "compaction")
        return
    try:
        params = request.for_api(
            {
                "model": session.model,
                "max_tokens": compaction.SUMMARY_MAX_TOKENS,
                "system": compaction.SUMMARY_SYSTEM,
                "messages": compaction.summary_messages(cut.older),
            }
        )
        task = asyncio.create_task(_summarise(session.connection, params))
        with session.turn_cancel.running(task):
            summary = await task
    except asyncio.CancelledError:
        if session.turn_cancel.requested:
            yield AgentError("Compaction cancelled; the conversation is unchanged.", "compaction")
            return
        raise
    except Exception as err:
        yield AgentError(f"Compaction failed, the conversation is unchanged: {one_line(err)}", "compaction")
        return
    before = len(session.messages)
    state = compaction.state_note(session.workspace.proposals(), session.checklist.to_json())
    session.messages = compaction.compacted(summary, cut.kept, state)
    session.last_input_tokens = len(json.dumps(session.messages)) // 4
    session.journal_record("compacted", {"messages": session.messages})
    yield Compacted(before, len(session.messages), automatic)


async def _summarise(connection: Connection, params: dict[str, Any]) -> str:
    async with connection.client().messages.stream(**params) as stream:
        message = await stream.get_final_message()
    if getattr(message, "stop_reason", None) is None:
        raise RuntimeError("the summary was cut off")
    text = "".join(str(block.text) for block in message.content if getattr(block, "type", "") == "text")
    if not text.strip():
        raise RuntimeError("the summary came back empty")
    return text
