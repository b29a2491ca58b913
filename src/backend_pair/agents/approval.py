"""Bash approval: a decision the developer makes, handed to the UI as an awaitable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class BashRequest:
    """The agent wants to run ``command`` in ``cwd``; ``description`` is its own words for why."""

    command: str
    cwd: Path
    description: str = ""


@dataclass(frozen=True)
class BashDecision:
    """The developer's answer: run once, always allow (a scope), or deny (with an optional reason).

    For ``always``: ``rule`` is the prefix rule to allow (``Bash(npm test:*)``), ``""`` for this exact command;
    ``save`` keeps it in ``.claude/settings.local.json`` instead of for this session only.
    """

    kind: Literal["once", "always", "deny"]
    reason: str = ""
    rule: str = ""
    save: bool = False


BashApprover = Callable[[BashRequest], Awaitable[BashDecision]]
"""Called before every Bash command not yet allowed always; the UI resolves it (e.g. via an ``asyncio.Future``)."""


async def deny_all(request: BashRequest) -> BashDecision:
    """An approver that refuses everything (headless use, tests)."""
    return BashDecision("deny", "no one is there to approve commands")


async def allow_all(request: BashRequest) -> BashDecision:
    """An approver that runs everything once (tests only)."""
    return BashDecision("once")
