"""The issue's resume story on the installed command in tmux: proposals left pending and the app quit; a plain
start names the pending work and, quit at once, leaves no session behind; ``--resume`` finds the work (not the empty
session), ↑ brings the prompt back, and a second ``--resume`` of the held session is refused in one line.

Drives the real ``backend-pair`` command against the loopback fake Messages API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, text_reply, tool_reply
from backend_pair.workspace.journal import sessions_dir
from tests.faults.fault_support import COMMAND, MAIN_PY_PROPOSED, README_PROPOSED, WAIT, Tmux, isolated_env

PROMPT = "propose the two changes"
SCRIPT: Script = [
    tool_reply(
        ToolUse("Write", {"file_path": "app/main.py", "content": MAIN_PY_PROPOSED}),
        ToolUse("Write", {"file_path": "README.md", "content": README_PROPOSED}),
        text="Proposing two files.",
    ),
    text_reply("Proposed: review them hunk by hunk."),
]


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesServer]:
    server = FakeMessagesServer(SCRIPT)
    server.start()
    yield server
    server.stop()


def _wait_gone(pid: int) -> None:
    """Wait until the process ``pid`` exited (bounded: a hang fails the test)."""
    deadline = time.monotonic() + WAIT
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
        if "State:\tZ" in status:
            return
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text(), pid


def _quit(tmux: Tmux, session: str) -> None:
    pid = tmux.pid(session)
    tmux.keys(session, "C-q")
    _wait_gone(pid)


def test_resume_finds_the_work_after_an_empty_session(
    tmux: Tmux, service_repo: Path, fake_api: FakeMessagesServer, tmp_path: Path
) -> None:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed")
    env = isolated_env(tmp_path / "home", ANTHROPIC_BASE_URL=fake_api.base_url, ANTHROPIC_API_KEY="sk-ant-resume-e2e")
    sessions = sessions_dir(service_repo)

    # 1. Work: two proposals left pending, then quit.
    first = tmux.run([str(COMMAND), str(service_repo)], env, service_repo)
    tmux.wait(first, lambda s: " ready " in s, "the app ready")
    (lock,) = sessions.glob("*.lock")
    assert lock.read_text() == str(tmux.pid(first)), "a new session holds its lock"
    tmux.keys(first, PROMPT, literal=True)
    tmux.wait(first, lambda s: PROMPT in s, "the prompt typed")
    tmux.keys(first, "Enter")
    tmux.wait(first, lambda s: "review · 2 files · 3 hunks" in s, "both proposals in the review pane")
    tmux.wait(first, lambda s: "hunk by hunk" in s, "the turn finished")
    _quit(tmux, first)
    (worked,) = sessions.glob("*.jsonl")
    assert not list(sessions.glob("*.lock")), "quitting lets the session go"

    # 2. A plain start says what is pending; quit at once: nothing of it is left behind.
    second = tmux.run([str(COMMAND), str(service_repo)], env, service_repo)
    screen = tmux.wait(second, lambda s: "--resume" in s, "the pending work named")
    assert "2 files pending review from" in screen and f"(session {worked.stem})" in screen
    _quit(tmux, second)
    assert list(sessions.glob("*.jsonl")) == [worked], "an empty session is not journaled"
    assert not list(sessions.glob("*.lock"))

    # 3. --resume opens the session with the work, and ↑ brings the prompt back.
    third = tmux.run([str(COMMAND), str(service_repo), "--resume"], env, service_repo)
    tmux.wait(third, lambda s: "session resumed from the journal" in s, "the session resumed")
    tmux.wait(third, lambda s: "review · 2 files · 3 hunks" in s, "the pending proposals back")
    tmux.keys(third, "Up")
    tmux.wait(third, lambda s: f"│ {PROMPT}" in s, "the last prompt recalled by ↑")
    assert (sessions / f"{worked.stem}.lock").read_text() == str(tmux.pid(third))

    # 4. The same session from a second terminal: one line, exit 2; the first keeps it.
    fourth = tmux.run(
        ["sh", "-c", f'{COMMAND} {service_repo} --resume {worked.stem}; echo "exit=$?"'], env, service_repo
    )
    tmux.wait(fourth, lambda s: "exit=" in s, "the second resume ended")
    text = tmux.screen(fourth, history=True)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("Pane is dead")]
    assert lines == [
        f"backend-pair: session {worked.stem} is open in another backend-pair (pid {tmux.pid(third)}); "
        "quit that one first",
        "exit=2",
    ]
    assert (sessions / f"{worked.stem}.lock").read_text() == str(tmux.pid(third))
    _quit(tmux, third)
