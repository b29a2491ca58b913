"""What every tool shares: the context it runs in, its result, and strict validation of the model's input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from backend_pair.agents.approval import BashApprover
from backend_pair.agents.permissions import PermissionRules, Rule
from backend_pair.errors import BackendPairError

MAX_PATH_CHARS = 4_096
MAX_PATTERN_CHARS = 10_000
MAX_CONTENT_CHARS = 2_000_000


class ToolInputError(BackendPairError):
    """The model's input does not fit the tool's schema; reported to the model as an error result."""


class ProposalView(Protocol):
    """The part of a workspace ``FileProposal`` the tools read."""

    @property
    def path(self) -> str: ...
    @property
    def hunks(self) -> tuple[Any, ...]: ...
    @property
    def is_new(self) -> bool: ...
    @property
    def origin(self) -> str: ...


class WorkspaceView(Protocol):
    """The part of ``backend_pair.workspace.Workspace`` the tools and the loop use (see docs/contracts.md)."""

    @property
    def root(self) -> Path: ...
    def resolve(self, path: str) -> str: ...
    def read_text(self, rel: str) -> str: ...
    def exists(self, rel: str) -> bool: ...
    def list_files(self) -> list[str]: ...
    def grep(
        self, pattern: str, path: str | None = None, glob: str | None = None, ignore_case: bool = False
    ) -> list[tuple[str, int, str]]: ...
    def propose(self, rel: str, content: str, agent: str = "") -> Any: ...
    def begin_command(self, command: str) -> Any: ...
    def checkpoint(self, label: str) -> Any: ...
    def finish_command(self, start: Any) -> Any: ...
    def proposals(self) -> list[Any]: ...
    def take_feedback(self) -> str: ...
    def to_json(self) -> dict[str, Any]: ...
    def restore_json(self, data: dict[str, Any]) -> None: ...


class ChecklistView(Protocol):
    """The part of ``backend_pair.agents.checklist.Checklist`` the tools and the loop use."""

    def apply_todos(self, todos: list[dict[str, Any]]) -> bool: ...
    def to_json(self) -> list[dict[str, Any]]: ...


@dataclass
class ToolContext:
    """Everything a tool may touch: the workspace (all paths confined by it), the checklist, Bash approval."""

    workspace: WorkspaceView
    checklist: ChecklistView
    approver: BashApprover
    always_allowed: set[str] = field(default_factory=set)
    """Commands the developer allowed always, for this session."""
    permissions: PermissionRules = field(default_factory=PermissionRules)
    """Permission rules from the settings files, plus the prefix rules allowed for this session."""
    agent_rules: tuple[Rule, ...] = ()
    """Allow rules from the agent file's tool list (``Bash(git status)``), for this agent's commands only."""
    agent: str = ""
    """The subagent these tools run for (a ``Task``): its proposals carry its name. Empty for the main agent."""
    command_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held from a Bash command's approval to its end, and shared by a session and its subagents: Tasks run side by
    side, but one command at a time is asked for and runs (what it changed is told apart by comparing the tree
    before and after it, and a crash leaves one command to recover)."""


@dataclass(frozen=True)
class ToolResult:
    """The text the model receives, and what the call changed."""

    content: str
    is_error: bool = False
    changed_paths: tuple[str, ...] = ()
    checklist_changed: bool = False
    allowed_by: str = ""
    """For a Bash command that ran: what allowed it (``Bash(npm test:*) in .claude/settings.json``, ``the developer,
    once``...); shown beside the call in the conversation and journaled."""


def error(message: str) -> ToolResult:
    """An error result."""
    return ToolResult(message, is_error=True)


def _check_text(key: str, value: str, max_chars: int) -> str:
    if len(value) > max_chars:
        raise ToolInputError(f"`{key}` is too long ({len(value):,} characters; at most {max_chars:,})")
    if "\x00" in value:
        raise ToolInputError(f"`{key}` contains a NUL byte")
    return value


def require_str(data: dict[str, Any], key: str, *, max_chars: int = MAX_PATTERN_CHARS, non_empty: bool = True) -> str:
    """A required string field.

    Raises:
        ToolInputError: missing, not a string, empty (when ``non_empty``), too long, or holding a NUL byte.
    """
    if key not in data:
        raise ToolInputError(f"missing required field `{key}`")
    value = data[key]
    if not isinstance(value, str):
        raise ToolInputError(f"`{key}` must be a string, not {type(value).__name__}")
    if non_empty and not value:
        raise ToolInputError(f"`{key}` must not be empty")
    return _check_text(key, value, max_chars)


def optional_str(data: dict[str, Any], key: str, *, max_chars: int = MAX_PATTERN_CHARS) -> str | None:
    """An optional string field (``None`` when absent or null)."""
    if data.get(key) is None:
        return None
    return require_str(data, key, max_chars=max_chars, non_empty=False)


def optional_int(data: dict[str, Any], key: str, *, minimum: int, maximum: int) -> int | None:
    """An optional integer field within bounds (a float with an integral value is accepted)."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToolInputError(f"`{key}` must be an integer, not {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise ToolInputError(f"`{key}` must be between {minimum} and {maximum}, not {value}")
    return value


def optional_bool(data: dict[str, Any], key: str) -> bool | None:
    """An optional boolean field."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ToolInputError(f"`{key}` must be true or false, not {type(value).__name__}")
    return value


def require_path(ctx: ToolContext, data: dict[str, Any], key: str) -> str:
    """A required path field, confined to the repository (raises the workspace's ``PathRefused``)."""
    return ctx.workspace.resolve(require_str(data, key, max_chars=MAX_PATH_CHARS))


def plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def join_paths(paths: Iterable[str]) -> str:
    """``a, b, c``."""
    return ", ".join(paths)
