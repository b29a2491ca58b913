"""``--demo``: a sample service repository and a scripted Backend Engineer, played through the real SDK code path.

The fake API answers each request by where the conversation is: the n-th answer of the first session plays step n
of the script (so it reacts to tool results, e.g. a denied command); later prompts get a short scripted reply.
"""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend_pair.demo.repo import FILES
from backend_pair.errors import BackendPairError

if TYPE_CHECKING:
    from backend_pair.fake_api import FakeMessagesServer, Reply, Step

# The fake API (``http.server``) and the script are imported when the first request arrives, not here: the command
# line imports this module on its way to the first frame.

DEMO_API_KEY = "demo-key-not-a-secret"


class DemoError(BackendPairError):
    """The demo folder cannot be used."""


class DemoEnvironment:
    """A demo being prepared: the sample repository is made in a background thread, the fake API on first use.

    The command line imports the UI meanwhile: the thread mostly waits for git's own processes, so the two overlap.
    The fake API's address is known at once (see :class:`_ApiOnFirstConnection`); the fake itself starts with the first
    request. Reading ``root`` or ``server`` waits for the repository and raises its error, if any. ``close()`` stops
    the fake.
    """

    api_key: str = DEMO_API_KEY
    """The dummy key the SDK sends to the fake."""

    def __init__(self, directory: Path, *, pace: float | None, cleanup: list[Callable[[], None]]) -> None:
        """Start preparing ``directory`` (already checked by :func:`check_demo_folder`) in a daemon thread.

        Args:
            directory: The absolute demo folder.
            pace: Seconds between streamed events (None: the script's own pace).
            cleanup: Called by ``close()`` after the fake stops (e.g. removing a temporary folder).
        """
        self._directory = directory
        self._cleanup = cleanup
        self._root: Path | None = None
        self._error: BaseException | None = None
        self._api = _ApiOnFirstConnection(pace)
        self._thread = threading.Thread(target=self._prepare, name="demo-setup", daemon=True)
        self._thread.start()

    def _prepare(self) -> None:
        try:
            self._root = create_demo_repo(self._directory)
        except BaseException as error:  # handed to the thread that reads the environment, raised there
            self._error = error

    def wait(self) -> None:
        """Wait until the repository is ready.

        Raises:
            DemoError: the repository could not be created (e.g. git failed).
        """
        self._thread.join()
        if self._error is not None:
            raise self._error

    @property
    def root(self) -> Path:
        """The sample repository (waits for it)."""
        self.wait()
        assert self._root is not None
        return self._root

    @property
    def base_url(self) -> str:
        """The fake API's URL (answering from the first request on)."""
        return self._api.base_url

    @property
    def server(self) -> FakeMessagesServer:
        """The fake Messages API behind ``base_url`` (started now if no request has started it yet)."""
        self.wait()
        return self._api.fake()

    def close(self) -> None:
        """Stop the fake API (the repository stays, for a look afterwards)."""
        self._thread.join()
        self._api.close()
        for action in self._cleanup:
            action()


class _ApiOnFirstConnection:
    """A loopback address for the fake API now, the fake itself once the first connection waits at it.

    Starting the fake imports ``http.server`` and the script, tens of milliseconds of CPU: the command line would
    pay them on its way to the first frame, only to set ``ANTHROPIC_BASE_URL``. So this listens on a free port at
    once, and a thread starts the fake on that same socket when a connection is waiting: the connection is then
    accepted by the fake itself, nothing relays it.
    """

    def __init__(self, pace: float | None) -> None:
        self._pace = pace
        self._listener = socket.create_server(("127.0.0.1", 0))
        host, port = self._listener.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        """Where the SDK sends its requests."""
        self._fake: FakeMessagesServer | None = None
        self._closed = False
        self._lock = threading.Lock()
        threading.Thread(target=self._start_on_first_connection, name="demo-api", daemon=True).start()

    def fake(self) -> FakeMessagesServer:
        """The fake Messages API, started now if no connection has started it.

        Raises:
            DemoError: The demo is closing.
        """
        with self._lock:
            if self._fake is None:
                if self._closed:
                    raise DemoError("the demo is closing: no fake API to start")
                from backend_pair.fake_api import FakeMessagesServer

                fake = FakeMessagesServer(demo_script(), pace=self._pace)
                fake.start(self._listener)
                self._fake = fake
            return self._fake

    def close(self) -> None:
        """Stop the fake (and its socket), or stop listening when it never started."""
        with self._lock:
            self._closed = True
            if self._fake is not None:
                self._fake.stop()
                return
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the waiting thread on Linux
            self._listener.close()

    def _start_on_first_connection(self) -> None:
        try:
            select.select([self._listener], [], [])
        except (OSError, ValueError):  # closed before any connection: nothing to serve
            return
        try:
            self.fake()
        except Exception:  # nowhere to print (the app draws the terminal): refuse the waiting connection instead,
            self.close()  # so the SDK reports a failed connection as one line rather than waiting for its timeout


def _git(root: Path, *args: str) -> None:
    identity = ("-c", "user.name=backend-pair demo", "-c", "user.email=demo@example.invalid")
    try:
        # One pipe, read to its end: the thread running this wakes twice per command, not on every chunk.
        subprocess.run(
            ["git", *identity, *args],
            cwd=root,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError as err:
        raise DemoError("git is not installed; the demo needs it to create its sample repository") from err
    except subprocess.CalledProcessError as err:
        raise DemoError(f"git {args[0]} failed in {root}: {err.stderr.strip() or err}") from err


def check_demo_folder(directory: Path) -> tuple[Path, bool]:
    """Check that ``directory`` can hold the demo.

    Returns:
        The absolute folder, and whether it already holds the sample (a previous demo, reused as it is).

    Raises:
        DemoError: the folder is a file or holds something else.
    """
    directory = directory.expanduser().resolve()
    if directory.exists() and not directory.is_dir():
        raise DemoError(f"{directory} is a file; give a new or empty folder for the demo")
    if directory.is_dir() and any(directory.iterdir()):
        if (directory / "app" / "service.py").is_file() and (directory / ".git").exists():
            return directory, True
        raise DemoError(f"{directory} is not empty; give a new or empty folder for the demo")
    return directory, False


def create_demo_repo(directory: Path) -> Path:
    """Create the sample orders service in ``directory`` (new or empty): git repo, code, contract, passing tests.

    A folder that already holds the sample (a previous demo) is reused as it is.

    Raises:
        DemoError: the folder holds something else, or git fails.
    """
    directory, exists = check_demo_folder(directory)
    if exists:
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    for rel, content in FILES.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    _git(directory, "init", "-q", "-b", "main")
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", "Orders service: create, list and get orders")
    return directory


def prepare_demo(directory: Path | None, *, pace: float | None = None) -> DemoEnvironment:
    """Start creating the sample repository (in a temporary folder when ``directory`` is None) and the fake API.

    Returns at once: the work goes on in a thread (see :class:`DemoEnvironment`). ``pace`` overrides the seconds
    between streamed events (tests use 0).

    Raises:
        DemoError: the folder cannot be used (a file, or a folder holding something else).
    """
    cleanup: list[Callable[[], None]] = []
    if directory is None:
        temporary = tempfile.TemporaryDirectory(prefix="backend-pair-demo-")
        cleanup.append(temporary.cleanup)
        directory = Path(temporary.name) / "orders-service"
    folder, _ = check_demo_folder(directory)
    return DemoEnvironment(folder, pace=pace, cleanup=cleanup)


# -- the script -------------------------------------------------------------------------------------------------


def _from_explorer(body: dict[str, Any]) -> bool:
    """Whether the request comes from the explorer's nested session (a Task), by its system prompt."""
    system = body.get("system")
    blocks = system if isinstance(system, list) else [{"text": system or ""}]
    return any("# Explorer" in str(block.get("text", "")) for block in blocks if isinstance(block, dict))


def _assistant_turns(body: dict[str, Any]) -> int:
    return sum(1 for message in body.get("messages", []) if message.get("role") == "assistant")


def _later_reply(body: dict[str, Any]) -> Reply:
    """A short answer to any prompt after the scripted session, reacting to the review feedback it carries."""
    from backend_pair.demo.steps import PACE
    from backend_pair.fake_api import Reply, Text

    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    texts = [b.get("text", "") for b in content if isinstance(b, dict)] if isinstance(content, list) else [content]
    feedback = "\n".join(str(text) for text in texts if "<review-feedback>" in str(text))
    parts = ["This is the scripted demo agent, so it cannot do more than this short reply."]
    if "Rejected" in feedback or "Comment on" in feedback:
        parts.append(
            "I see your rejections and comments: in a real session I would now revise those proposals and answer "
            "each comment, and the new hunks would come back for review."
        )
    if "Accepted" in feedback:
        parts.append(
            "The hunks you accepted are written and staged, exactly those: `git diff --cached` shows them, ready "
            "for your commit."
        )
    parts.append(
        "To work with a real model, run `backend-pair` in your own repository with `ANTHROPIC_API_KEY` set. "
        "Meanwhile, keep reviewing here: `ctrl+r` opens the review, `a`/`d` accept or reject a hunk, `c` comments, "
        "`e` edits a hunk in your editor, `u`/`U` undo and redo any decision, and `ctrl+l` shows the checklist."
    )
    return Reply(blocks=(Text("\n\n".join(parts)),), pace=PACE)


def demo_script() -> Callable[[dict[str, Any], int], Step]:
    """The fake API's script for the demo: a function of (request body, request index)."""
    from backend_pair.demo.steps import EXPLORER_STEPS, STEPS

    def answer(body: dict[str, Any], index: int) -> Step:
        steps = EXPLORER_STEPS if _from_explorer(body) else STEPS
        step = _assistant_turns(body)
        if step < len(steps):
            return steps[step](body)
        return _later_reply(body)

    return answer
