"""The API key never reaches the journal, a log, the screen, or the environment of the agent's Bash commands.

The installed ``backend-pair`` runs in tmux with ``ANTHROPIC_API_KEY`` set to a unique canary, against the loopback
fake Messages API; the agent runs ``env`` through Bash (approved with ``y``). Then every file the session could
have written (the repository with its journal, HOME with its config, state and cache folders), every byte written
to the terminal (``pipe-pane``), the screen with its scrollback, and the Bash output sent back to the model are
searched for the canary.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, text_reply, tool_reply
from backend_pair.workspace.journal import sessions_dir
from tests.faults.fault_support import COMMAND, Tmux, isolated_env, wait_for

CANARY = f"sk-ant-canary-{uuid.uuid4().hex}"
SCRIPT: Script = [
    tool_reply(ToolUse("Bash", {"command": "env", "description": "look at the environment"})),
    text_reply("Looked at the environment; all done."),
]


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesServer]:
    server = FakeMessagesServer(SCRIPT)
    server.start()
    yield server
    server.stop()


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
            found.append(str(path.relative_to(folder)))
    return found


def _tool_results(body: dict[str, object]) -> list[str]:
    out: list[str] = []
    messages = body.get("messages")
    assert isinstance(messages, list)
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                result = block.get("content")
                out.append(result if isinstance(result, str) else repr(result))
    return out


def test_api_key_reaches_no_journal_log_screen_or_bash(
    tmux: Tmux, service_repo: Path, fake_api: FakeMessagesServer, tmp_path: Path
) -> None:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed")
    home = tmp_path / "home"
    terminal_bytes = tmp_path / "terminal.bytes"
    env = isolated_env(home, ANTHROPIC_BASE_URL=fake_api.base_url, ANTHROPIC_API_KEY=CANARY)
    session = tmux.run([str(COMMAND), str(service_repo)], env, service_repo)
    tmux.pipe(session, terminal_bytes)
    tmux.wait(session, lambda s: " ready " in s, "the app ready")
    tmux.keys(session, "what is in the environment?", literal=True)
    tmux.wait(session, lambda s: "what is in the environment?" in s, "the prompt typed")
    tmux.keys(session, "Enter")
    tmux.wait(session, lambda s: "$ env" in s, "the Bash approval")
    tmux.keys(session, "y")
    tmux.wait(session, lambda s: "all done" in s, "the answer after the command")
    wait_for(lambda: len(fake_api.requests) == 2, "the command's output sent to the model")

    # The key did reach the API, where it belongs; the command really ran and its output went to the model.
    assert any(CANARY in value for value in fake_api.request_headers[0].values()), "the key was not sent"
    results = _tool_results(fake_api.requests[1])
    assert len(results) == 1 and "HOME=" in results[0], results
    # ...but never anywhere else.
    assert CANARY not in results[0], "Bash's environment holds the key"
    assert all(CANARY not in repr(body) for body in fake_api.requests), "a request body holds the key"
    journal_files = list(sessions_dir(service_repo).glob("*.jsonl"))
    assert journal_files, "the session was journaled"
    assert _files_holding(service_repo, CANARY.encode()) == [], "a file in the repository (journal) holds the key"
    assert _files_holding(home, CANARY.encode()) == [], "a file under HOME (config, logs, state) holds the key"
    assert CANARY not in tmux.screen(session, history=True), "the screen shows the key"
    tmux.keys(session, "C-q")
    wait_for(lambda: terminal_bytes.exists() and terminal_bytes.stat().st_size > 0, "the terminal bytes recorded")
    assert CANARY.encode() not in terminal_bytes.read_bytes(), "the key was written to the terminal"
