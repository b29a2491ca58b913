"""TodoWrite: the agent's task list, matched onto the checklist."""

from __future__ import annotations

from typing import Any

from backend_pair.agents.tools.base import ToolContext, ToolInputError, ToolResult

STATUSES = ("pending", "in_progress", "completed")
MAX_TODOS = 200
MAX_TODO_CHARS = 2_000


def run_todo_write(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``TodoWrite {todos: [{content, status, activeForm}]}``: checklist items match by text, others are added."""
    todos = data.get("todos")
    if not isinstance(todos, list):
        raise ToolInputError("`todos` must be a list of {content, status, activeForm}")
    if len(todos) > MAX_TODOS:
        raise ToolInputError(f"at most {MAX_TODOS} todos")
    clean: list[dict[str, Any]] = []
    for index, todo in enumerate(todos):
        if not isinstance(todo, dict):
            raise ToolInputError(f"todos[{index}] must be an object")
        content = todo.get("content")
        status = todo.get("status")
        if not isinstance(content, str) or not content.strip():
            raise ToolInputError(f"todos[{index}].content must be a non-empty string")
        if len(content) > MAX_TODO_CHARS or "\x00" in content:
            raise ToolInputError(f"todos[{index}].content is too long or holds a NUL byte")
        if status not in STATUSES:
            raise ToolInputError(f"todos[{index}].status must be one of {', '.join(STATUSES)}")
        active = todo.get("activeForm")
        item: dict[str, Any] = {"content": content, "status": status}
        if isinstance(active, str) and "\x00" not in active:
            item["activeForm"] = active[:MAX_TODO_CHARS]
        clean.append(item)
    changed = ctx.checklist.apply_todos(clean)
    done = sum(1 for todo in clean if todo["status"] == "completed")
    return ToolResult(
        f"Checklist updated: {done} of {len(clean)} done. Keep it current as you work.", checklist_changed=changed
    )
