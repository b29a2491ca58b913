"""``--demo``: a sample service repository and a scripted Backend Engineer, played through the real SDK code path.

The fake API answers each request by where the conversation is: the n-th answer of the first session plays step n
of the script (so it reacts to tool results, e.g. a denied command); later prompts get a short scripted reply.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_pair.agents.demo_repo import FILES
from backend_pair.agents.demo_steps import PACE, STEPS
from backend_pair.agents.fake_api import FakeMessagesServer, Reply, Step, Text
from backend_pair.errors import BackendPairError

DEMO_API_KEY = "demo-key-not-a-secret"


class DemoError(BackendPairError):
    """The demo folder cannot be used."""


@dataclass
class DemoEnvironment:
    """A prepared demo: the repository, the fake API's URL and dummy key; ``close()`` stops the fake."""

    root: Path
    base_url: str
    api_key: str
    server: FakeMessagesServer
    _cleanup: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Stop the fake API (the repository stays, for a look afterwards)."""
        self.server.stop()
        for action in self._cleanup:
            action()


def _git(root: Path, *args: str) -> None:
    identity = ("-c", "user.name=backend-pair demo", "-c", "user.email=demo@example.invalid")
    try:
        subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True, text=True)
    except FileNotFoundError as err:
        raise DemoError("git is not installed; the demo needs it to create its sample repository") from err
    except subprocess.CalledProcessError as err:
        raise DemoError(f"git {args[0]} failed in {root}: {err.stderr.strip() or err}") from err


def create_demo_repo(directory: Path) -> Path:
    """Create the sample orders service in ``directory`` (new or empty): git repo, code, contract, passing tests.

    A folder that already holds the sample (a previous demo) is reused as it is.

    Raises:
        DemoError: the folder holds something else, or git fails.
    """
    directory = directory.expanduser().resolve()
    if directory.exists() and not directory.is_dir():
        raise DemoError(f"{directory} is a file; give a new or empty folder for the demo")
    if directory.is_dir() and any(directory.iterdir()):
        if (directory / "app" / "service.py").is_file() and (directory / ".git").exists():
            return directory
        raise DemoError(f"{directory} is not empty; give a new or empty folder for the demo")
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
    """Create the sample repository (in a temporary folder when ``directory`` is None) and start the fake API.

    ``pace`` overrides the seconds between streamed events (tests use 0).

    Raises:
        DemoError: the folder cannot be used.
    """
    cleanup: list[Callable[[], None]] = []
    if directory is None:
        temporary = tempfile.TemporaryDirectory(prefix="backend-pair-demo-")
        cleanup.append(temporary.cleanup)
        directory = Path(temporary.name) / "orders-service"
    root = create_demo_repo(directory)
    server = FakeMessagesServer(demo_script(), pace=pace)
    base_url = server.start()
    return DemoEnvironment(root=root, base_url=base_url, api_key=DEMO_API_KEY, server=server, _cleanup=cleanup)


# -- the script -------------------------------------------------------------------------------------------------


def _assistant_turns(body: dict[str, Any]) -> int:
    return sum(1 for message in body.get("messages", []) if message.get("role") == "assistant")


def _later_reply(body: dict[str, Any]) -> Reply:
    """A short answer to any prompt after the scripted session, reacting to the review feedback it carries."""
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
        "`u` undoes the last accept, and `ctrl+l` shows the checklist."
    )
    return Reply(blocks=(Text("\n\n".join(parts)),), pace=PACE)


def demo_script() -> Callable[[dict[str, Any], int], Step]:
    """The fake API's script for the demo: a function of (request body, request index)."""
    steps = STEPS

    def answer(body: dict[str, Any], index: int) -> Step:
        step = _assistant_turns(body)
        if step < len(steps):
            return steps[step](body)
        return _later_reply(body)

    return answer
