"""Helpers shared by the test suites (fixtures live in the ``conftest.py`` files)."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend_pair.agents.events import AgentEvent
    from backend_pair.agents.session import AgentSession

FORTY_LINES = "".join(f"line {n}\n" for n in range(1, 41))
"""``svc.py`` as committed by the ``service`` fixture (tests/workspace/conftest.py): ``line 1`` to ``line 40``."""

GitRunner = Callable[..., str]
"""Runs git in the test repository: ``git("diff", "--cached")`` -> its standard output."""


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its standard output."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def edit_lines(text: str, changes: dict[int, str]) -> str:
    """``text`` with line ``n`` (1-based) replaced by ``changes[n]`` (which carries its own line end)."""
    lines = text.splitlines(keepends=True)
    for number, new in changes.items():
        lines[number - 1] = new
    return "".join(lines)


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    """Every event of one turn the developer starts with ``text``."""
    return [event async for event in session.run_turn(text)]


async def drain(events: AsyncIterable[AgentEvent]) -> list[AgentEvent]:
    """Every event of an event stream (``session.compact()``, a turn already started)."""
    return [event async for event in events]


def assert_valid_history(messages: list[dict[str, Any]]) -> None:
    """Between turns: roles alternate from the developer's first message; every tool_use is answered first and in
    order (the loop's own rules, :func:`backend_pair.agents.history.problems`)."""
    from backend_pair.agents.history import problems

    assert messages
    assert problems(messages) == []
