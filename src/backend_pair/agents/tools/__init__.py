"""The seven tools (Read, Grep, Glob, Write, Edit, Bash, TodoWrite) in Claude Code's input shapes, run confined."""

from backend_pair.agents.tools.base import ToolContext, ToolInputError, ToolResult
from backend_pair.agents.tools.registry import TOOL_ORDER, offered_tools, run_tool, summarize, tool_definitions

__all__ = [
    "TOOL_ORDER",
    "ToolContext",
    "ToolInputError",
    "ToolResult",
    "offered_tools",
    "run_tool",
    "summarize",
    "tool_definitions",
]
