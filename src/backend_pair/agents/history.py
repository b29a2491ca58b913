"""The API conversation as plain dicts, and the rules that keep it valid: roles alternate, every tool_use answered."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

Message = dict[str, Any]
CACHE_MARK = {"type": "ephemeral"}
CANCELLED = "cancelled by the developer"
NOT_RUN_AFTER_RESTORE = "not run: the session ended before this call finished"


def text_block(text: str) -> dict[str, Any]:
    """A text content block."""
    return {"type": "text", "text": text}


def block_to_param(block: Any) -> dict[str, Any] | None:
    """An SDK content block of an answer as a request param (``None`` for an empty text block: the API refuses it)."""
    kind = getattr(block, "type", None)
    if kind == "text":
        text = str(block.text)
        return text_block(text) if text else None
    if kind == "tool_use":
        data = block.input if isinstance(block.input, dict) else {}
        return {"type": "tool_use", "id": str(block.id), "name": str(block.name), "input": data}
    dumped = block.model_dump(mode="json", exclude_none=True)
    return dumped if isinstance(dumped, dict) else None


def tool_uses(message: Message) -> list[dict[str, Any]]:
    """The tool_use blocks of an assistant message, in order."""
    content = message.get("content")
    if message.get("role") != "assistant" or not isinstance(content, list):
        return []
    return [block for block in content if isinstance(block, dict) and block.get("type") == "tool_use"]


DUPLICATE_ID = "this call reused the id of an earlier call in the same answer, so it was not run; call it again"


def unique_tool_ids(blocks: list[dict[str, Any]], taken: Iterable[str] = ()) -> tuple[list[dict[str, Any]], set[str]]:
    """Give a tool_use whose id repeats an earlier one (in the answer or in ``taken``) a fresh id.

    The Messages API requires every tool_use id to be unique and answered once; a model (or an endpoint) that
    repeats one would make every later request invalid. The first call keeps the id and runs; a repeat gets
    ``<id>_dup<n>`` and is answered with an error (:data:`DUPLICATE_ID`).

    Returns:
        The blocks (copies where renamed) and the fresh ids of the repeats.
    """
    seen = set(taken)
    renamed: set[str] = set()
    out = []
    for block in blocks:
        if block.get("type") == "tool_use":
            call_id = str(block.get("id", ""))
            if call_id in seen:
                number = 1
                while f"{call_id}_dup{number}" in seen:
                    number += 1
                fresh = f"{call_id}_dup{number}"
                block = {**block, "id": fresh}
                renamed.add(fresh)
                call_id = fresh
            seen.add(call_id)
        out.append(block)
    return out, renamed


def tool_result(call_id: str, text: str, is_error: bool) -> dict[str, Any]:
    """A tool_result block."""
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id, "content": text}
    if is_error:
        block["is_error"] = True
    return block


def append_user(messages: list[Message], blocks: Iterable[dict[str, Any]]) -> int:
    """Add user content, merged into a trailing user message so roles keep alternating; returns its index."""
    blocks = list(blocks)
    if messages and messages[-1]["role"] == "user":
        last = messages[-1]
        if isinstance(last["content"], str):
            last["content"] = [text_block(last["content"])]
        last["content"].extend(blocks)
    else:
        messages.append({"role": "user", "content": blocks})
    return len(messages) - 1


def append_assistant(messages: list[Message], blocks: list[dict[str, Any]]) -> int | None:
    """Add an assistant message (nothing when ``blocks`` is empty); returns its index."""
    if not blocks:
        return None
    if messages and messages[-1]["role"] == "assistant":
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": "assistant", "content": blocks})
    return len(messages) - 1


def unanswered_calls(messages: list[Message]) -> list[dict[str, Any]]:
    """The tool_use blocks of a final assistant message that no tool_result answers yet."""
    if not messages or messages[-1]["role"] != "assistant":
        return []
    return tool_uses(messages[-1])


def answer_open_calls(messages: list[Message], results: list[dict[str, Any]], filler: str) -> int | None:
    """Give every tool_use of the last assistant message its result: ``results`` first, ``filler`` for the rest.

    Returns the index of the user message holding them, or ``None`` when no call was open.
    """
    calls = unanswered_calls(messages)
    if not calls:
        return None
    answered = {block["tool_use_id"] for block in results}
    blocks = list(results) + [tool_result(call["id"], filler, True) for call in calls if call["id"] not in answered]
    order = {call["id"]: position for position, call in enumerate(calls)}
    blocks.sort(key=lambda block: order.get(block["tool_use_id"], len(order)))
    return append_user(messages, blocks)


def repair(messages: list[Message]) -> list[Message]:
    """A copy of a restored history the API accepts: starts with user, roles alternate, every call answered."""
    fixed: list[Message] = []
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role not in ("user", "assistant") or not content:
            continue
        blocks = [text_block(content)] if isinstance(content, str) else copy.deepcopy(list(content))
        if not fixed and role == "assistant":
            continue
        if role == "user" and fixed and fixed[-1]["role"] == "assistant":
            calls = {call["id"] for call in tool_uses(fixed[-1])}
            given = {b.get("tool_use_id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"}
            missing = [tool_result(call_id, NOT_RUN_AFTER_RESTORE, True) for call_id in sorted(calls - given)]
            blocks = missing + blocks
        if role == "user":
            append_user(fixed, blocks)
        else:
            append_assistant(fixed, blocks)
    answer_open_calls(fixed, [], NOT_RUN_AFTER_RESTORE)
    return fixed


def with_cache_mark(messages: list[Message]) -> list[Message]:
    """The messages for a request: the latest one's last block marked for prompt caching (history untouched)."""
    if not messages:
        return []
    out = list(messages[:-1])
    last = copy.deepcopy(messages[-1])
    content = last["content"]
    if isinstance(content, str):
        content = [text_block(content)]
        last["content"] = content
    if content:
        content[-1]["cache_control"] = dict(CACHE_MARK)
    out.append(last)
    return out


def problems(messages: list[Message]) -> list[str]:
    """What makes a history one the API would refuse (``[]`` when valid): role order, unanswered tool calls."""
    found: list[str] = []
    if messages and messages[0].get("role") != "user":
        found.append("the first message is not the developer's")
    for index, message in enumerate(messages):
        if index and message.get("role") == messages[index - 1].get("role"):
            found.append(f"messages {index - 1} and {index} have the same role")
        calls = [call["id"] for call in tool_uses(message)]
        if not calls:
            continue
        following = messages[index + 1]["content"] if index + 1 < len(messages) else []
        lead = [b.get("tool_use_id") for b in following[: len(calls)] if isinstance(b, dict)]
        if lead != calls:
            found.append(f"the tool calls of message {index} are not answered first and in order")
    return found
