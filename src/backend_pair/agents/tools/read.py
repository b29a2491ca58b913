"""Read: numbered lines of a file as the agent sees it (pending proposals applied)."""

from __future__ import annotations

from typing import Any

from backend_pair.agents.references import find_reference
from backend_pair.agents.tools.base import ToolContext, ToolResult, optional_int, require_path
from backend_pair.workspace.errors import FileNotFoundInRepo

DEFAULT_LIMIT = 2_000
MAX_LINE_CHARS = 2_000


def run_read(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Read {file_path, offset?, limit?}``: ``cat -n`` style, 2,000 lines by default, long lines cut.

    ``offset`` is the 1-based line to start at. Binary, undecodable or huge files are refused by the workspace.
    """
    rel = require_path(ctx, data, "file_path")
    offset = optional_int(data, "offset", minimum=0, maximum=10**9) or 1
    limit = optional_int(data, "limit", minimum=1, maximum=10**9) or DEFAULT_LIMIT
    notice = ""
    try:
        text = ctx.workspace.read_text(rel)
    except FileNotFoundInRepo:
        reference = find_reference(ctx.workspace, rel)
        if reference is None:
            raise
        text, notice = reference.text, reference.notice + "\n"
    if text == "":
        return ToolResult(f"{rel} exists but is empty.")
    lines = text.splitlines()
    if offset > len(lines):
        return ToolResult(f"{rel} has {len(lines)} lines; offset {offset} is past the end.", is_error=True)
    shown = lines[offset - 1 : offset - 1 + limit]
    out: list[str] = []
    for number, line in enumerate(shown, start=offset):
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + f"… [line cut: {len(line):,} characters]"
        out.append(f"{number:>6}\t{line}")
    last = offset + len(shown) - 1
    if last < len(lines):
        out.append(f"… [{len(lines) - last} more lines; read on with offset={last + 1}]")
    return ToolResult(notice + "\n".join(out))
