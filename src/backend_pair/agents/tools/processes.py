"""The processes an approved command starts, found and stopped even when they left its process group.

A command runs in a session and process group of its own, so killing the group stops it and every child that
stayed (``nohup`` included). A child that called ``setsid`` (or double-forked into a daemon) leaves the group; it
still carries the command's environment, where a per-run tag is set, so on Linux it is found through
``/proc/<pid>/environ`` and stopped too. A process that scrubs its environment escapes this; the tool result says
what was stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path

RUN_TAG = "BACKEND_PAIR_RUN"
"""The environment variable that tags every process of one approved command."""

_LIVE: set[str] = set()
"""Tags of commands whose leftovers are stopped when backend-pair exits."""


def new_tag() -> str:
    """A fresh tag for one run (remembered until :func:`forget`, and stopped at exit)."""
    tag = secrets.token_hex(8)
    _LIVE.add(tag)
    return tag


def forget(tag: str) -> None:
    """The run is over and its leftovers were dealt with."""
    _LIVE.discard(tag)


def tagged_pids(tag: str) -> list[int]:
    """Processes (of this user) whose environment carries ``tag``; empty off Linux."""
    if not sys.platform.startswith("linux"):
        return []
    needle = f"{RUN_TAG}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def kill_tagged(tag: str) -> int:
    """SIGKILL every process carrying ``tag``; returns how many were stopped."""
    stopped = 0
    for pid in tagged_pids(tag):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            stopped += 1
    return stopped


@atexit.register
def _stop_leftovers() -> None:
    """At exit, stop whatever the approved commands left running (servers, watchers, daemons)."""
    for tag in list(_LIVE):
        kill_tagged(tag)
