"""Compaction: when the conversation nears the model's context window, older turns become one summary.

Client-side, so it works on every Anthropic-compatible endpoint: one API call summarises the older turns with a
fixed prompt; the summary replaces them; the last turns stay verbatim, and the state the developer owns (pending
proposals, the checklist) is stated by backend-pair itself, not paraphrased by the model. Bulky tool results in
what is kept (a file read, a command's output) shrink to one line saying how to get them again. The history after
compaction is valid for the Messages API: it starts with the developer, roles alternate, every tool call kept is
answered and no answer is left without its call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from backend_pair.agents import history

Message = dict[str, Any]

COMPACT_AT = 0.8
"""Compact automatically once the last request used this share of the model's context window."""

KEEP_TURNS = 2
"""The developer's latest turns kept verbatim (with everything the agent did in them)."""

BULKY_RESULT_CHARS = 2_000
"""Tool results longer than this, outside the kept turns' last one, shrink to one line."""

SUMMARY_MAX_TOKENS = 4_096
"""Output limit of the summary call."""

SUMMARY_SYSTEM = (
    "You summarise a pair-programming session between a developer and a coding agent so the agent can continue "
    "the work without the full transcript. Write plain Markdown under these headings: Goal; Decisions and "
    "constraints (including what the developer rejected or asked for, and why); Work done (files read, changed or "
    "proposed, commands run and their outcome); Open questions and next steps. Be specific (paths, names, numbers) "
    "and brief. Do not invent anything that is not in the transcript."
)
"""The fixed prompt of the summary call."""

SUMMARY_REQUEST = "Summarise the session so far, as instructed, so the work can continue from your summary."

SUMMARY_TAG = "conversation-summary"
"""The tag the summary travels in (the conversation pane shows it as the compaction marker)."""


@dataclass(frozen=True)
class CompactionPlan:
    """Where to cut a history: ``older`` is summarised, ``kept`` stays."""

    older: list[Message]
    """The messages the summary replaces."""
    kept: list[Message]
    """The latest turns, starting with a developer message."""


def turn_starts(messages: list[Message]) -> list[int]:
    """Indexes of the user messages that carry the developer's words (not only tool results)."""
    starts = []
    for index, message in enumerate(messages):
        content = message.get("content")
        if message.get("role") != "user":
            continue
        if isinstance(content, str) or any(
            isinstance(block, dict) and block.get("type") == "text" for block in content or []
        ):
            starts.append(index)
    return starts


def plan(messages: list[Message], keep_turns: int = KEEP_TURNS) -> CompactionPlan | None:
    """Cut ``messages`` before the last ``keep_turns`` turns; None when there is nothing older to summarise."""
    starts = [index for index in turn_starts(messages) if index > 0]
    if len(starts) < keep_turns:
        return None
    cut = starts[-keep_turns] if keep_turns else len(messages)
    if cut <= 0:
        return None
    return CompactionPlan(copy.deepcopy(messages[:cut]), copy.deepcopy(messages[cut:]))


def _calls_by_id(messages: list[Message]) -> dict[str, dict[str, Any]]:
    return {call["id"]: call for message in messages for call in history.tool_uses(message)}


def _how_to_get_again(call: dict[str, Any] | None) -> str:
    if call is None:
        return "call the tool again if you need it"
    name = str(call.get("name", ""))
    raw = call.get("input")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if name == "Read":
        return f"Read {data.get('file_path', 'the file')} again if you need it"
    if name == "Bash":
        return f"run `{str(data.get('command', ''))[:80]}` again if you need its output"
    if name in ("Grep", "Glob"):
        return f"run {name} {str(data.get('pattern', ''))[:80]!r} again if you need it"
    return f"call {name} again if you need it"


def slim_results(messages: list[Message], keep_last: int = 1, limit: int = BULKY_RESULT_CHARS) -> list[Message]:
    """A copy where long tool results, except in the last ``keep_last`` messages, are one line each."""
    calls = _calls_by_id(messages)
    slimmed = copy.deepcopy(messages)
    for message in slimmed[: max(0, len(slimmed) - keep_last)]:
        content = message.get("content")
        if message.get("role") != "user" or not isinstance(content, list):
            continue
        for block in content:
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            text = block.get("content")
            size = len(text) if isinstance(text, str) else len(str(text))
            if size > limit:
                call = calls.get(str(block.get("tool_use_id")))
                block["content"] = f"[{size:,} characters of output removed by compaction; {_how_to_get_again(call)}]"
    return slimmed


def summary_messages(older: list[Message]) -> list[Message]:
    """The messages of the summary call: the older part (bulky results slimmed), then the request to summarise."""
    messages = history.repair(slim_results(older, keep_last=0))
    history.append_user(messages, [history.text_block(SUMMARY_REQUEST)])
    return messages


def compacted(summary: str, kept: list[Message], state: str) -> list[Message]:
    """The new history: the summary and backend-pair's own statement of the state, then the kept turns.

    Args:
        summary: The model's summary of the older turns.
        kept: The latest turns (``plan(...).kept``).
        state: Pending proposals and the checklist as backend-pair knows them (verbatim, not summarised).
    """
    intro = (
        f"<{SUMMARY_TAG}>\nEarlier turns of this session were compacted to save context. Summary:\n\n"
        f"{summary.strip()}\n</{SUMMARY_TAG}>"
    )
    if state.strip():
        intro += f"\n\n<session-state>\n{state.strip()}\n</session-state>"
    messages: list[Message] = [
        {"role": "user", "content": [history.text_block(intro)]},
        {"role": "assistant", "content": [history.text_block("Understood: I continue from this summary.")]},
    ]
    kept = slim_results(kept, keep_last=1)
    known = _calls_by_id(kept)
    for message in kept:
        content = message["content"]
        if isinstance(content, list) and message["role"] == "user":
            # An answer whose call was summarised away would be refused: keep its text, drop the block.
            content = [
                block
                for block in content
                if not (isinstance(block, dict) and block.get("type") == "tool_result")
                or str(block.get("tool_use_id")) in known
            ] or [history.text_block("(continuing)")]
        if message["role"] == "user":
            history.append_user(messages, content if isinstance(content, list) else [history.text_block(content)])
        else:
            history.append_assistant(messages, list(content))
    return history.repair(messages)


def state_note(proposals: list[Any], checklist: list[dict[str, Any]]) -> str:
    """Pending proposals and checklist statuses as plain lines (what survives compaction verbatim)."""
    lines: list[str] = []
    if proposals:
        lines.append("Pending review (not on disk until the developer accepts):")
        for proposal in proposals:
            hunks = len(getattr(proposal, "hunks", ()) or ())
            origin = getattr(proposal, "origin", "")
            what = f"changed by the command `{origin}`" if origin else "your proposal"
            lines.append(f"- {proposal.path}: {what}, {hunks} hunk(s) pending")
    if checklist:
        lines.append("Checklist:")
        for item in checklist:
            lines.append(f"- [{item.get('status', 'pending')}] {item.get('text', '')}")
    return "\n".join(lines)


# -- server-side compaction ----------------------------------------------------------------------------------------

SERVER_BETA = "compact-2026-01-12"
"""The beta of the API's own compaction (``anthropic.types.AnthropicBetaParam``)."""

SERVER_EDIT = "compact_20260112"
"""The ``context_management`` edit that compacts older context once the input reaches a trigger."""

SERVER_INSTRUCTIONS = (
    "This is a pair-programming session between a developer and a coding agent. Keep the goal, the developer's "
    "decisions and rejections (and why), files read, changed or proposed, commands run and their outcome, and the "
    "open next steps; be specific (paths, names, numbers)."
)
"""What the API's summary must keep (the session's state follows it, verbatim)."""

SERVER_PLACEHOLDER = "(Earlier turns were compacted by the API; its summary opens the answer that follows.)"
"""The developer's side of the history kept before the API's compaction block (the API reads nothing before it)."""


def with_server_compaction(params: dict[str, Any], trigger_tokens: int, state: str) -> dict[str, Any]:
    """Request ``params`` for the beta Messages endpoint, asking the API to compact at ``trigger_tokens``.

    Args:
        params: The request as for ``client.messages.stream`` (an ``anthropic-beta`` extra header becomes a beta).
        trigger_tokens: Input tokens at which the API compacts.
        state: Pending proposals and the checklist, which the summary must keep verbatim.
    """
    sent = dict(params)
    headers = dict(sent.pop("extra_headers", None) or {})
    betas = [beta.strip() for beta in str(headers.pop("anthropic-beta", "")).split(",") if beta.strip()]
    sent["betas"] = [*betas, SERVER_BETA]
    if headers:
        sent["extra_headers"] = headers
    instructions = SERVER_INSTRUCTIONS
    if state.strip():
        verbatim = f"<session-state>\n{state.strip()}\n</session-state>"
        instructions += f" Repeat this state verbatim at the end of the summary:\n{verbatim}"
    sent["context_management"] = {
        "edits": [
            {
                "type": SERVER_EDIT,
                "trigger": {"type": "input_tokens", "value": trigger_tokens},
                "instructions": instructions,
            }
        ]
    }
    return sent


def has_server_compaction(blocks: list[dict[str, Any]]) -> bool:
    """Whether an answer's blocks open with (or hold) the API's compaction block."""
    return any(block.get("type") == "compaction" for block in blocks)


def after_server_compaction() -> list[Message]:
    """The history to append the compacting answer to: the API reads nothing before its compaction block."""
    return [{"role": "user", "content": [history.text_block(SERVER_PLACEHOLDER)]}]


def without_server_blocks(messages: list[Message]) -> list[Message]:
    """``messages`` for an endpoint without the beta: a compaction block becomes its summary, as text."""
    if not any(
        isinstance(block, dict) and block.get("type") == "compaction"
        for message in messages
        if isinstance(message.get("content"), list)
        for block in message["content"]
    ):
        return messages
    out: list[Message] = []
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            out.append(message)
            continue
        blocks: list[Any] = []
        for block in content:
            if isinstance(block, dict) and block.get("type") == "compaction":
                if block.get("content"):
                    blocks.append(history.text_block(f"<{SUMMARY_TAG}>\n{block['content']}\n</{SUMMARY_TAG}>"))
            else:
                blocks.append(block)
        out.append({**message, "content": blocks or [history.text_block("(compacted)")]})
    return out
