"""A private tmux server that runs one command in a 120x40 pane and reads the screen back."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

COLUMNS = 120
ROWS = 40


class TerminalError(Exception):
    """tmux is missing, or the command never showed what was awaited."""


class TmuxTerminal:
    """A tmux server on its own socket (``tmux -L``), killed with everything in it on exit.

    Each ``launch`` opens a new detached session whose pane *is* the command (launched with ``exec``), so the
    pane's pid is the app's pid.
    """

    def __init__(self) -> None:
        """Pick a socket name no other run uses; nothing starts until ``launch``."""
        if shutil.which("tmux") is None:
            raise TerminalError("tmux is not installed")
        self.socket = f"bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._sessions = 0

    def __enter__(self) -> TmuxTerminal:
        """Start the server with an idle session, so that later launches do not pay for its start."""
        self._tmux("new-session", "-d", "-s", "keeper", "-x", str(COLUMNS), "-y", str(ROWS), "sleep 3600")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Kill this server and every process in its panes, and remove its socket file."""
        found = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)
        if found.returncode == 0 and found.stdout.strip():
            Path(found.stdout.strip()).unlink(missing_ok=True)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise TerminalError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def launch(self, argv: Iterable[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
        """Start ``argv`` in a new 120x40 session and return the session's name."""
        self._sessions += 1
        name = f"run{self._sessions}"
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in (env or {}).items())
        command = f"exec env {exports} {shlex.join(list(argv))}" if exports else f"exec {shlex.join(list(argv))}"
        if cwd is not None:
            command = f"cd {shlex.quote(str(cwd))} && {command}"
        self._tmux("new-session", "-d", "-s", name, "-x", str(COLUMNS), "-y", str(ROWS), command)
        return name

    def screen(self, session: str) -> str:
        """The visible text of the session's pane."""
        return self._tmux("capture-pane", "-p", "-t", session)

    def pane_pid(self, session: str) -> int:
        """The pid of the process running in the session's pane."""
        return int(self._tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def send_keys(self, session: str, *keys: str, literal: bool = False) -> None:
        """Type ``keys`` into the pane (tmux key names, or text when ``literal``)."""
        self._tmux("send-keys", "-t", session, *(("-l",) if literal else ()), *keys)

    def pipe_to(self, session: str, path: Path) -> None:
        """Copy every byte the pane's program writes to the terminal into ``path``."""
        self._tmux("pipe-pane", "-o", "-t", session, f"cat >> {shlex.quote(str(path))}")

    def kill(self, session: str) -> None:
        """Kill the session and its program."""
        subprocess.run(["tmux", "-L", self.socket, "kill-session", "-t", session], capture_output=True, check=False)

    def wait_for(self, session: str, markers: Iterable[str], timeout: float, poll: float = 0.005) -> float:
        """Poll the screen until every marker is on it; return ``time.monotonic()`` when first seen.

        Raises:
            TerminalError: The markers did not all appear within ``timeout`` seconds (the screen is in the message).
        """
        wanted = tuple(markers)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(session)
            if all(marker in text for marker in wanted):
                return time.monotonic()
            time.sleep(poll)
        last = "\n".join(line for line in text.splitlines() if line.strip())[-1500:]
        raise TerminalError(f"{', '.join(wanted)} not on screen after {timeout:.0f} s; screen was:\n{last}")


def rss_kib(pid: int, field: str = "VmRSS") -> int | None:
    """``VmRSS`` (or another ``/proc/<pid>/status`` field) of ``pid`` in KiB; ``None`` once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None
