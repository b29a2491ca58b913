"""Write and Edit: never touch disk; they change the proposal overlay the developer reviews."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from backend_pair.agents.contracts import check_contract
from backend_pair.agents.tools.base import (
    MAX_CONTENT_CHARS,
    ToolContext,
    ToolInputError,
    ToolResult,
    optional_bool,
    plural,
    require_path,
    require_str,
)
from backend_pair.errors import BackendPairError


def _proposed(ctx: ToolContext, rel: str, content: str) -> ToolResult:
    proposal = ctx.workspace.propose(rel, content, agent=ctx.agent)
    hunks = len(getattr(proposal, "hunks", ()) or ()) if proposal is not None else 0
    if proposal is None or hunks == 0:
        return ToolResult(f"No change: {rel} already has this content.", changed_paths=(rel,))
    what = "a new file" if getattr(proposal, "is_new", False) else plural(hunks, "hunk")
    return ToolResult(
        f"Proposed {what} for {rel}, pending the developer's review. It is not on disk until accepted; "
        "Read, Grep and Glob already show the proposed content.",
        changed_paths=(rel,),
    )


def run_write(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Write {file_path, content}``: propose the whole content of a file (new or existing)."""
    rel = require_path(ctx, data, "file_path")
    content = require_str(data, "content", max_chars=MAX_CONTENT_CHARS, non_empty=False)
    return _proposed(ctx, rel, content)


def run_edit(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Edit {file_path, old_string, new_string, replace_all?}``: replace exact text in the proposed content.

    Fails clearly when ``old_string`` is missing, or occurs more than once without ``replace_all``.
    """
    rel = require_path(ctx, data, "file_path")
    old = require_str(data, "old_string", max_chars=MAX_CONTENT_CHARS)
    new = require_str(data, "new_string", max_chars=MAX_CONTENT_CHARS, non_empty=False)
    replace_all = bool(optional_bool(data, "replace_all"))
    if old == new:
        raise ToolInputError("`old_string` and `new_string` are the same; nothing to change")
    try:
        current = ctx.workspace.read_text(rel)
    except BackendPairError as err:
        raise ToolInputError(f"cannot edit {rel}: {err} (use Write to create a new file)") from err
    count = current.count(old)
    if count == 0:
        raise ToolInputError(f"`old_string` was not found in {rel}; Read the file and copy the text exactly")
    if count > 1 and not replace_all:
        raise ToolInputError(
            f"`old_string` occurs {count} times in {rel}; add surrounding lines to make it unique, "
            "or set replace_all to change every occurrence"
        )
    updated = current.replace(old, new) if replace_all else current.replace(old, new, 1)
    return _proposed(ctx, rel, updated)


async def with_contract_check(ctx: ToolContext, result: ToolResult) -> ToolResult:
    """Tell the model at once whether the contract it just proposed validates (OpenAPI 3.x, DBML).

    Validation runs in a thread: a long specification must not stall the screen.
    """
    if result.is_error or len(result.changed_paths) != 1:
        return result
    rel = result.changed_paths[0]
    try:
        text = ctx.workspace.read_text(rel)
    except BackendPairError:
        return result
    check = await asyncio.to_thread(check_contract, rel, text)
    if check is None:
        return result
    if check.problem is None:
        what = f"OpenAPI {check.version}" if check.version else "DBML"
        return replace(result, content=f"{result.content}\nThe proposed {rel} validates as {what}.")
    note = (
        f"\nThe proposed {rel} does not validate: {check.problem}\n"
        "Fix it with another Edit; the checklist will not count the contract as defined until it validates."
    )
    return replace(result, content=result.content + note)
