"""Drive the real app in-process for a benchmark: a temporary repository, the fake API in its own process, the
app rendering every frame to terminal bytes through ``RecordingDriver``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from recording import RecordingDriver, WriteLog

if TYPE_CHECKING:
    from textual.app import App

BENCH = Path(__file__).resolve().parent
SIZE = (120, 40)


class ApiServerProcess:
    """``bench/api_server.py`` in a child process; knows when each answer's last event was written."""

    def __init__(self, mode: str, env: dict[str, str] | None = None) -> None:
        """Serve the script named ``mode`` (``stream`` or ``session``; more in ``api_server.py``)."""
        self.mode = mode
        self.env = env
        self.base_url = ""
        self.sent: dict[int, float] = {}
        """Answer index -> ``time.monotonic()`` when its last event was written."""
        self._process: subprocess.Popen[str] | None = None
        self._changed = threading.Condition()

    def __enter__(self) -> ApiServerProcess:
        """Start the server and read its URL."""
        self._process = subprocess.Popen(
            [sys.executable, str(BENCH / "api_server.py"), self.mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(self.env or {})},
        )
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError(f"the fake API did not start (said {self.base_url!r})")
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "sent":
                with self._changed:
                    self.sent[int(parts[1])] = float(parts[2])
                    self._changed.notify_all()

    def wait_sent(self, index: int, timeout: float = 60.0) -> float:
        """Block until answer ``index`` has been written; its last event's time."""
        with self._changed:
            if not self._changed.wait_for(lambda: index in self.sent, timeout):
                raise RuntimeError(f"the fake API never finished answer {index}")
            return self.sent[index]

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the server (closing its standard input) and reap it."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its standard output."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A git repository at ``root`` with ``files`` committed on ``main``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "user.name", "Bench")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def point_sdk_at(base_url: str) -> None:
    """Make the SDK (inside the app) talk to the fake API with a dummy key."""
    os.environ["ANTHROPIC_BASE_URL"] = base_url
    os.environ["ANTHROPIC_API_KEY"] = "bench-dummy-key"
    os.environ.pop("ANTHROPIC_AUTH_TOKEN", None)


def make_app(root: Path) -> App[Any]:
    """The real app on ``root``, as ``backend-pair`` would build it, rendering through ``RecordingDriver``.

    Raises:
        ImportError: The TUI (or a part it needs) is not there yet.
    """
    from backend_pair.agents.discovery import DEFAULT_AGENT, find_agent
    from backend_pair.agents.models import resolve_model
    from backend_pair.keymaps.loader import load_keymap
    from backend_pair.tui.app import BackendPairApp
    from backend_pair.tui.config import AppConfig

    definition = find_agent(DEFAULT_AGENT, root)
    config = AppConfig(
        root=root,
        definition=definition,
        model=resolve_model(definition.model, None),
        keymap=load_keymap("default", None),
        resume=None,
        demo=False,
    )
    app: App[Any] = BackendPairApp(config, watch=watch_available())
    app.driver_class = RecordingDriver
    RecordingDriver.log = WriteLog()
    return app


def watch_available() -> bool:
    """Whether the workspace's watcher is there (the app runs without watching until it is)."""
    try:
        return importlib.util.find_spec("backend_pair.workspace.watch") is not None
    except ImportError:
        return False


async def until(predicate: Callable[[], bool], timeout: float, what: str, poll: float = 0.002) -> float:
    """Await (polling, yielding to the app) until ``predicate()``; ``time.monotonic()`` then.

    Raises:
        TimeoutError: Not within ``timeout`` seconds (naming ``what``).
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(poll)
    return time.monotonic()


def log() -> WriteLog:
    """The current run's write log."""
    return RecordingDriver.log


def run_profiled(main: Callable[[], Any], report: Path | None) -> Any:
    """Call ``main()``; with ``report`` set, under pyinstrument (if installed), writing its text report there."""
    if report is None:
        return main()
    try:
        from pyinstrument import Profiler  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("pyinstrument is not installed: running without the profiler", file=sys.stderr)
        return main()
    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        return main()
    finally:
        profiler.stop()
        report.write_text(
            profiler.output_text(unicode=True, show_all=False)
            + "\n\nSelf time by function:\n"
            + profiler.output_text(unicode=True, flat=True, show_all=True)
        )


def send_prompt(app: App[Any], text: str) -> None:
    """Type ``text`` into the prompt and send it, as Enter would."""
    from backend_pair.tui.widgets.prompt import PromptInput

    prompt = app.screen.query_one(PromptInput)
    prompt.load_text(text)
    prompt.action_send()


def press(app: App[Any], key: str, char: str | None = None) -> None:
    """Hand a key to the app exactly as the terminal driver's input thread does (no waiting)."""
    from textual import events

    driver = app._driver
    if driver is None:
        raise RuntimeError("the app has no driver")
    event = events.Key(key, char if char is not None else (key if len(key) == 1 else None))
    event.set_sender(app)
    driver.send_message(event)


def turn_running(app: App[Any]) -> bool:
    """Whether an agent turn is running in the app."""
    running = getattr(app, "_turn_running", None)
    return bool(running()) if callable(running) else False


def session_ready(app: App[Any]) -> bool:
    """Whether the app's agent session is up (startup finished)."""
    return getattr(app, "session", None) is not None


@contextlib.asynccontextmanager
async def ready(app: App[Any], hook: Callable[[object], None]) -> AsyncIterator[Any]:
    """Run ``app`` as a terminal would (every frame rendered to bytes), ``hook`` seeing every message, and yield its
    Pilot once the agent session is up."""
    async with app.run_test(headless=False, size=SIZE, message_hook=hook) as pilot:
        await until(lambda: session_ready(app), 60, "the agent session to start")
        await pilot.pause()
        yield pilot
