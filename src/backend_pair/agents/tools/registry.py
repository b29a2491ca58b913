"""The tools offered to the model: Claude Code's names and input shapes, their JSON schemas, and dispatch."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, Literal

from backend_pair.agents.tools.base import ToolContext, ToolResult, error
from backend_pair.agents.tools.bash import MAX_TIMEOUT_MS, run_bash
from backend_pair.agents.tools.read import run_read
from backend_pair.agents.tools.search import run_glob, run_grep
from backend_pair.agents.tools.todo import run_todo_write
from backend_pair.agents.tools.write import run_edit, run_write, with_contract_check
from backend_pair.errors import BackendPairError
from backend_pair.redact import REDACTOR

log = logging.getLogger(__name__)

TOOL_ORDER = ("Read", "Grep", "Glob", "Write", "Edit", "Bash", "TodoWrite")

_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}

TOOL_SCHEMAS: dict[str, dict[str, Any]] = {
    "Read": {
        "description": "Read a file of the repository (pending proposals applied). Returns numbered lines (cat -n), "
        "2000 lines by default; use offset (1-based line) and limit for long files. Binary files are refused.",
        "input_schema": {
            "type": "object",
            "properties": {
                "file_path": {**_STR, "description": "Path relative to the repository root, or absolute inside it"},
                "offset": {**_INT, "description": "The line number to start reading from"},
                "limit": {**_INT, "description": "The number of lines to read"},
            },
            "required": ["file_path"],
        },
    },
    "Grep": {
        "description": "Search file contents with a regular expression (Python syntax), respecting .gitignore and "
        "seeing pending proposals. output_mode: files_with_matches (default), content, count.",
        "input_schema": {
            "type": "object",
            "properties": {
                "pattern": {**_STR, "description": "The regular expression to search for"},
                "path": {**_STR, "description": "File or directory to search in (default: repository root)"},
                "glob": {**_STR, "description": 'Filter files by glob, e.g. "*.py" or "src/**/*.{ts,tsx}"'},
                "type": {**_STR, "description": "File type: py, js, ts, go, rust, java, md, yaml, json, toml, sql, sh"},
                "output_mode": {"type": "string", "enum": ["content", "files_with_matches", "count"]},
                "-i": {**_BOOL, "description": "Case insensitive"},
                "-n": {**_BOOL, "description": "Line numbers in content mode (default true)"},
                "-A": {**_INT, "description": "Lines after each match (content mode)"},
                "-B": {**_INT, "description": "Lines before each match (content mode)"},
                "-C": {**_INT, "description": "Lines before and after each match (content mode)"},
                "head_limit": {**_INT, "description": "Keep only the first N lines or entries"},
            },
            "required": ["pattern"],
        },
    },
    "Glob": {
        "description": 'Find files by glob pattern (e.g. "**/*.py"), respecting .gitignore and including proposed '
        "new files. Returns repository-relative paths.",
        "input_schema": {
            "type": "object",
            "properties": {
                "pattern": {**_STR, "description": "The glob pattern, relative to path"},
                "path": {**_STR, "description": "Directory to search in (default: repository root)"},
            },
            "required": ["pattern"],
        },
    },
    "Write": {
        "description": "Propose the full content of a file (new or existing). Nothing is written to disk: the "
        "developer reviews the change hunk by hunk and accepts or rejects it.",
        "input_schema": {
            "type": "object",
            "properties": {
                "file_path": {**_STR, "description": "Path relative to the repository root, or absolute inside it"},
                "content": {**_STR, "description": "The complete new content of the file"},
            },
            "required": ["file_path", "content"],
        },
    },
    "Edit": {
        "description": "Propose replacing exact text in a file. old_string must occur exactly once unless "
        "replace_all is true. Nothing is written to disk: the developer reviews the change.",
        "input_schema": {
            "type": "object",
            "properties": {
                "file_path": {**_STR, "description": "Path relative to the repository root, or absolute inside it"},
                "old_string": {**_STR, "description": "The exact text to replace"},
                "new_string": {**_STR, "description": "The text to replace it with"},
                "replace_all": {**_BOOL, "description": "Replace every occurrence (default false)"},
            },
            "required": ["file_path", "old_string", "new_string"],
        },
    },
    "Bash": {
        "description": "Run a shell command in the repository root after the developer approves it. Proposals "
        "pending review are not on disk yet. Default timeout 120000 ms.",
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {**_STR, "description": "The command to run"},
                "timeout": {**_INT, "description": f"Timeout in milliseconds (max {MAX_TIMEOUT_MS})"},
                "description": {**_STR, "description": "What the command does, in 5-10 words"},
            },
            "required": ["command"],
        },
    },
    "TodoWrite": {
        "description": "Update your task list; it is shown to the developer as the checklist. Items matching the "
        "checklist's text tick it; others are added. Mark items completed as soon as they are done.",
        "input_schema": {
            "type": "object",
            "properties": {
                "todos": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "content": {"type": "string", "minLength": 1},
                            "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]},
                            "activeForm": {"type": "string", "minLength": 1},
                        },
                        "required": ["content", "status", "activeForm"],
                    },
                }
            },
            "required": ["todos"],
        },
    },
}

ToolRunner = Callable[[ToolContext, dict[str, Any]], Awaitable[ToolResult]]


def _sync(function: Callable[[ToolContext, dict[str, Any]], ToolResult]) -> ToolRunner:
    async def run(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
        return function(ctx, data)

    return run


def _contract_checked(function: Callable[[ToolContext, dict[str, Any]], ToolResult]) -> ToolRunner:
    async def run(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
        return await with_contract_check(ctx, function(ctx, data))

    return run


RUNNERS: dict[str, ToolRunner] = {
    "Read": _sync(run_read),
    "Grep": _sync(run_grep),
    "Glob": _sync(run_glob),
    "Write": _contract_checked(run_write),
    "Edit": _contract_checked(run_edit),
    "Bash": run_bash,
    "TodoWrite": _sync(run_todo_write),
}


def offered_tools(allowed: Iterable[str]) -> tuple[str, ...]:
    """The tool names offered for a definition's list: known ones, in a fixed order, ``TodoWrite`` always.

    Claude Code's scoped forms such as ``Bash(git diff:*)`` offer the tool itself (every Bash command is still
    approved by the developer); unknown names (MCP tools, ``WebFetch``) are left out.
    """
    wanted = {name.split("(", 1)[0].strip() for name in allowed} | {"TodoWrite"}
    return tuple(name for name in TOOL_ORDER if name in wanted)


def tool_definitions(names: Iterable[str]) -> list[dict[str, Any]]:
    """The ``tools`` parameter of the Messages API for these names (fresh dicts, stable order and bytes)."""
    return [{"name": name, **TOOL_SCHEMAS[name]} for name in names]


def summarize(name: str, data: object) -> str:
    """One line naming a call, e.g. ``Read app/models.py`` or ``Bash: pytest -q``."""
    if not isinstance(data, dict):
        return name
    key = {"Read": "file_path", "Write": "file_path", "Edit": "file_path", "Grep": "pattern", "Glob": "pattern"}
    if name == "Bash":
        detail = str(data.get("command", ""))
        return f"Bash: {detail.splitlines()[0][:120] if detail else ''}"
    if name == "Task":
        agent = " ".join(str(data.get("subagent_type", "")).split())[:60]
        what = " ".join(str(data.get("description", "")).split())[:80]
        return f"Task {agent}: {what}" if what else f"Task {agent}".strip()
    if name == "TodoWrite":
        todos = data.get("todos")
        return f"TodoWrite: {len(todos) if isinstance(todos, list) else 0} items"
    detail = str(data.get(key.get(name, ""), ""))[:120]
    if name == "Grep" and data.get("path"):
        detail += f" in {str(data['path'])[:80]}"
    return f"{name} {detail}".strip()


async def run_tool(ctx: ToolContext, name: str, data: object, offered: Iterable[str]) -> ToolResult:
    """Run one call; every failure becomes an error result for the model, never an exception out of the loop.

    Every result passes the redactor here, the one way a tool's output reaches the model, the screen and the
    journal: a secret backend-pair holds (the API key) is never sent to the model. Cancellation still propagates (a
    running Bash command is killed on the way).
    """
    result = await _run_tool(ctx, name, data, offered)
    return replace(result, content=REDACTOR.redact(result.content))


async def _run_tool(ctx: ToolContext, name: str, data: object, offered: Iterable[str]) -> ToolResult:
    if name not in set(offered):
        return error(f"Tool {name!r} is not available here; use one of: {', '.join(offered)}")
    if not isinstance(data, dict):
        return error(f"{name} expects a JSON object as input")
    try:
        refusal = _denied_path(ctx, name, data)
        if refusal is not None:
            return refusal
        return await RUNNERS[name](ctx, data)
    except BackendPairError as err:
        return error(f"{name} failed: {err}")
    except Exception as err:
        log.exception("tool %s failed", name)
        return error(f"{name} failed unexpectedly ({type(err).__name__}: {err})")


_PATH_RULES: dict[str, tuple[Literal["Read", "Edit"], str, str]] = {
    "Read": ("Read", "file_path", "reading"),
    "Grep": ("Read", "path", "searching"),
    "Glob": ("Read", "path", "searching"),
    "Write": ("Edit", "file_path", "changing"),
    "Edit": ("Edit", "file_path", "changing"),
}


def _denied_path(ctx: ToolContext, name: str, data: dict[str, Any]) -> ToolResult | None:
    """The error result when a ``Read(...)`` / ``Edit(...)`` deny rule covers the call's path."""
    if name not in _PATH_RULES or not ctx.permissions.rules:
        return None
    rule_tool, key, doing = _PATH_RULES[name]
    raw = data.get(key)
    if not isinstance(raw, str) or not raw:
        return None
    try:
        rel = ctx.workspace.resolve(raw)
    except BackendPairError:
        return None  # a path refused by the workspace: the tool itself reports why
    rule = ctx.permissions.check_path(rule_tool, rel, ctx.workspace.root)
    if rule is None:
        return None
    return error(f"{doing} {rel or '.'} is denied by the permission rule {rule.describe()}")
