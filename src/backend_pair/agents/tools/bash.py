"""Bash: asks the developer, then runs in the repository root in its own process group, output capped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from typing import Any

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.permissions import LOCAL_SETTINGS, SettingsError, save_local_rule
from backend_pair.agents.tools.base import (
    MAX_PATTERN_CHARS,
    ToolContext,
    ToolResult,
    join_paths,
    optional_int,
    optional_str,
    plural,
    require_str,
)
from backend_pair.agents.tools.processes import RUN_TAG, forget, kill_tagged, new_tag
from backend_pair.errors import BackendPairError
from backend_pair.redact import REDACTOR

DEFAULT_TIMEOUT_MS = 120_000
MAX_TIMEOUT_MS = 600_000
HEAD_BYTES = 15_000
TAIL_BYTES = 15_000
CHUNK = 65_536
APPROVED_ONCE = "approved once by the developer"


class CappedOutput:
    """Keeps the first ``head`` and the last ``tail`` bytes of a stream, counting what falls in between."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        """Set the byte budgets."""
        self._head_limit = head
        self._head = bytearray()
        self._tail: deque[bytes] = deque()
        self._tail_size = 0
        self._tail_limit = tail
        self.total = 0

    def add(self, chunk: bytes) -> None:
        """Take the next chunk."""
        self.total += len(chunk)
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head.extend(chunk[:room])
            chunk = chunk[room:]
        if chunk:
            self._tail.append(chunk)
            self._tail_size += len(chunk)
            while self._tail_size - len(self._tail[0]) >= self._tail_limit:
                self._tail_size -= len(self._tail.popleft())

    def text(self) -> str:
        """The kept output, with a marker where bytes were dropped."""
        tail = b"".join(self._tail)
        if len(tail) > self._tail_limit:
            tail = tail[-self._tail_limit :]
        dropped = self.total - len(self._head) - len(tail)
        head_text = self._head.decode("utf-8", errors="replace")
        tail_text = tail.decode("utf-8", errors="replace")
        if dropped > 0:
            return f"{head_text}\n… [{dropped:,} bytes of output cut] …\n{tail_text}"
        return head_text + tail_text


def command_environment() -> dict[str, str]:
    """The process environment without any ``ANTHROPIC_*`` variable (no key reaches the agent's commands)."""
    return {name: value for name, value in os.environ.items() if not name.upper().startswith("ANTHROPIC")}


def _kill_group(process: asyncio.subprocess.Process, tag: str) -> None:
    # ProcessLookupError: the group already exited, nothing left to stop.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    kill_tagged(tag)  # those that left the group (setsid, daemons)
    forget(tag)


async def _pump(stream: asyncio.StreamReader, output: CappedOutput) -> None:
    # Redacted as it streams, before any capping: a key printed by the command is never kept, even cut in two.
    redactor = REDACTOR.stream(bytes)
    try:
        while chunk := await stream.read(CHUNK):
            output.add(redactor.feed(chunk))
    finally:
        output.add(redactor.close())


async def run_command(command: str, cwd: str, timeout_s: float) -> tuple[int | None, str, bool]:
    """Run ``command`` with bash; returns ``(exit code, capped output, timed out)``.

    A timeout or a cancellation kills the whole process group and every process that left it but carries the
    run's tag (``setsid``, daemons; see ``processes.py``); cancellation then propagates. What a command leaves
    running in the background after it ends normally runs on until backend-pair exits.
    """
    tag = new_tag()
    spawn = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            "/bin/bash",
            "-c",
            command,
            cwd=cwd,
            env={**command_environment(), RUN_TAG: tag},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    )
    try:
        # Shielded: a cancel during the spawn would otherwise kill only the shell and orphan its children.
        process = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        process = await spawn
        _kill_group(process, tag)
        await process.wait()
        raise
    assert process.stdout is not None
    output = CappedOutput()
    timed_out = False
    try:
        async with asyncio.timeout(timeout_s):
            await _pump(process.stdout, output)
            await process.wait()
    except TimeoutError:
        timed_out = True
        _kill_group(process, tag)
        await process.wait()
    except asyncio.CancelledError:
        _kill_group(process, tag)
        await process.wait()
        raise
    return process.returncode, output.text(), timed_out


async def run_bash(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Bash {command, timeout?, description?}``: ask (unless allowed always), run, report."""
    command = require_str(data, "command", max_chars=MAX_PATTERN_CHARS)
    timeout_ms = optional_int(data, "timeout", minimum=1, maximum=MAX_TIMEOUT_MS) or DEFAULT_TIMEOUT_MS
    description = optional_str(data, "description") or ""
    async with ctx.command_lock:
        return await _authorize_and_run(ctx, command, description, timeout_ms)


async def _authorize_and_run(ctx: ToolContext, command: str, description: str, timeout_ms: int) -> ToolResult:
    root = ctx.workspace.root
    allowed = await authorize(ctx, command, description)
    if isinstance(allowed, ToolResult):
        return allowed
    try:
        start = await asyncio.to_thread(ctx.workspace.begin_command, command)
    except BackendPairError as err:
        start, unreviewed = None, f"Note: {err}; what this command changes is not captured for review."
    else:
        unreviewed = ""
    try:
        code, output, timed_out = await run_command(command, str(root), timeout_ms / 1000)
    finally:
        # Also when the turn is cancelled mid-command: what it changed so far goes under review.
        report = await asyncio.shield(asyncio.to_thread(ctx.workspace.finish_command, start)) if start else None
    parts = [output.rstrip("\n") if output.strip() else "(no output)"]
    if timed_out:
        parts.append(
            f"[timed out after {timeout_ms / 1000:g} s; the command, its process group and every process it started "
            "(also those that left the group with setsid) were stopped]"
        )
    else:
        parts.append(f"[exit code {code}]")
    if unreviewed:
        parts.append(unreviewed)
    if report is not None and report.summary():
        parts.append(report.summary())
    pending = [proposal.path for proposal in ctx.workspace.proposals() if not proposal.origin]
    if pending:
        parts.append(
            f"Note: {plural(len(pending), 'file')} with proposals pending review are not on disk yet "
            f"({join_paths(pending)}); the command saw the files as they are on disk."
        )
    changed = report.changed if report is not None else ()
    return ToolResult("\n".join(parts), is_error=timed_out or code != 0, changed_paths=changed, allowed_by=allowed)


async def authorize(ctx: ToolContext, command: str, description: str) -> ToolResult | str:
    """Apply the permission rules (deny, ask, allow), then the session's always-allowed commands, then ask.

    Returns:
        What allowed the command (for the conversation and the journal), or the error result refusing it.
    """
    verdict = ctx.permissions.check_bash(command, ctx.agent_rules)
    if verdict.kind == "deny" and verdict.rule is not None:
        return ToolResult(
            f"`{command}` is denied by the permission rule {verdict.rule.describe()}; it was not run.", is_error=True
        )
    if verdict.kind == "allow" and verdict.rule is not None:
        return f"allowed by {verdict.rule.describe()}"
    if verdict.kind != "ask" and command in ctx.always_allowed:
        return "allowed by the developer for this session"
    decision = await ctx.approver(BashRequest(command=command, cwd=ctx.workspace.root, description=description))
    if decision.kind == "deny":
        reason = f" Their reason: {decision.reason}" if decision.reason.strip() else ""
        return ToolResult(f"The developer denied running `{command}`.{reason}", is_error=True)
    if decision.kind == "once":
        return APPROVED_ONCE
    return remember_always(ctx, command, decision)


def remember_always(ctx: ToolContext, command: str, decision: BashDecision) -> str:
    """Keep an "always" decision: the exact command or a prefix rule, for the session or in settings.local.json."""
    rule_text = decision.rule or f"Bash({command})"
    if decision.rule:
        ctx.permissions.add_session_rule(rule_text)
    else:
        ctx.always_allowed.add(command)
    if decision.save and not decision.rule and ("*" in command or "\n" in command):
        # Written as Bash(...), a "*" would read as a wildcard and a newline cannot be saved faithfully.
        return f"allowed always by the developer ({rule_text}, this session; not saved: it holds * or a newline)"
    if not decision.save:
        return f"allowed always by the developer ({rule_text}, this session)"
    try:
        save_local_rule(ctx.workspace.root, rule_text)
    except SettingsError as err:
        return f"allowed always by the developer ({rule_text}, this session; not saved: {err})"
    return f"allowed always by the developer ({rule_text}, saved to {LOCAL_SETTINGS})"
