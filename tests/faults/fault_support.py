"""Helpers of the fault suite: the installed command in a private tmux server, files of every awkward kind."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

COMMAND = Path(sys.executable).parent / "backend-pair"
"""The installed console script of this environment."""
MODEL = "claude-sonnet-4-20250514"
WAIT = 60.0
"""Seconds a wait for the screen may take before the test fails (a bound on a hang, never a timed assertion)."""

MAIN_PY = "".join(f"def handler_{n:02d}() -> int:\n    return {n}\n\n\n" for n in range(10))
"""Ten small functions (40 lines): changes at both ends make two separate hunks."""
MAIN_PY_PROPOSED = MAIN_PY.replace("return 0\n", "return 100\n").replace("return 9\n", "return 900\n")
README_PROPOSED = "# service\n\nA small service, now documented.\n"


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; return its output."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for the app under test: its own HOME and config, no inherited API variables."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    env.update(extra)
    return env


class Tmux:
    """A tmux server on a private socket; each ``run`` starts a command in a new 120x40 session.

    The command is ``exec``'d by the pane's shell, so the pane's pid is the app's pid (what ``kill -9`` hits).
    """

    def __init__(self) -> None:
        """Pick a unique socket name."""
        self.socket = f"faults-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._count = 0

    @classmethod
    def start_or_skip(cls) -> Tmux:
        """A server, or skip the test when tmux is not installed."""
        if shutil.which("tmux") is None:
            pytest.skip("tmux is not installed")
        return cls()

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args[:2])} failed: {result.stderr.strip()}")
        return result.stdout

    def run(self, argv: list[str], env: Mapping[str, str], cwd: Path) -> str:
        """Start ``argv`` in ``cwd`` with exactly ``env`` (plus PATH); return the session name."""
        self._count += 1
        name = f"s{self._count}"
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in full_env.items())
        command = f"cd {shlex.quote(str(cwd))} && exec env -i {exports} {shlex.join(argv)}"
        self._tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
        self._tmux("set-option", "-t", name, "remain-on-exit", "on")
        return name

    def screen(self, session: str, history: bool = False) -> str:
        """The pane's text (with ``history``: its whole scrollback too)."""
        return self._tmux("capture-pane", "-p", "-t", session, *(("-S", "-") if history else ()))

    def keys(self, session: str, *keys: str, literal: bool = False) -> None:
        """Send tmux key names (or literal text) to the pane."""
        self._tmux("send-keys", "-t", session, *(("-l",) if literal else ()), *keys)

    def pipe(self, session: str, path: Path) -> None:
        """Append every byte the pane's program writes to the terminal to ``path``."""
        self._tmux("pipe-pane", "-o", "-t", session, f"cat >> {shlex.quote(str(path))}")

    def pid(self, session: str) -> int:
        """The pid of the pane's program."""
        return int(self._tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def wait(self, session: str, condition: Callable[[str], bool], what: str, timeout: float = WAIT) -> str:
        """Poll the screen until ``condition(screen)``; return that screen.

        Raises:
            AssertionError: Not within ``timeout`` seconds (a hang), with the screen in the message.
        """
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(session)
            if condition(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"never on screen: {what}\n{text}")

    def kill9(self, session: str) -> None:
        """``kill -9`` the pane's program and wait until it is gone."""
        pid = self.pid(session)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + WAIT
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
            if "State:\tZ" in status:
                break
            time.sleep(0.02)

    def close(self) -> None:
        """Kill the server and everything in it, and remove its socket file."""
        found = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)
        if found.returncode == 0 and found.stdout.strip():
            Path(found.stdout.strip()).unlink(missing_ok=True)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll ``condition`` until it holds (a bound on a hang, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def assert_valid_history(messages: list[dict[str, Any]]) -> None:
    """What the Messages API demands of a request's history (checked here independently of the loop's own rules)."""
    assert messages, "empty history"
    for index, message in enumerate(messages):
        expected = "user" if index % 2 == 0 else "assistant"
        assert message["role"] == expected, f"message {index} is {message['role']}, expected {expected}"
        content = message["content"]
        if isinstance(content, str):
            assert content.strip(), f"message {index} is empty"
            continue
        assert content, f"message {index} has no content"
        for block in content:
            if block.get("type") == "text":
                assert block["text"], f"message {index} has an empty text block"
        calls = [block["id"] for block in content if block.get("type") == "tool_use"]
        if message["role"] == "assistant" and calls:
            assert index + 1 < len(messages), f"tool calls {calls} of the last message are unanswered"
            following = messages[index + 1]["content"]
            answered = [block.get("tool_use_id") for block in following if isinstance(block, dict)]
            assert answered[: len(calls)] == calls, f"tool calls {calls} answered as {answered}"
        if message["role"] == "user" and not isinstance(content, str):
            results = [block["tool_use_id"] for block in content if block.get("type") == "tool_result"]
            if results:
                previous = messages[index - 1]["content"] if index else []
                asked = [block["id"] for block in previous if block.get("type") == "tool_use"]
                assert results == asked, f"tool results {results} answer calls {asked}"
    assert messages[-1]["role"] == "user", "a request must end with the developer's message"
