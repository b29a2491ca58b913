"""``kill -9`` of the installed app while an approved Bash command runs, then ``--resume``: what the command had
changed so far is in the review pane, keepable and restorable like any command change.

Drives the real ``backend-pair`` command in tmux against the loopback fake Messages API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, text_reply, tool_reply
from tests.faults.fault_support import COMMAND, MAIN_PY, Tmux, git, isolated_env, wait_for

# The command changes a file, then waits: the kill lands while it runs. Its sleep is short so nothing lingers.
BASH = "sed -i 's/return 0$/return 42/' app/main.py && sleep 8"
SCRIPT: Script = [
    tool_reply(ToolUse("Bash", {"command": BASH, "description": "fix handler 0"}), text="Running it."),
    text_reply("Done."),
]


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesServer]:
    server = FakeMessagesServer(SCRIPT)
    server.start()
    yield server
    server.stop()


def test_kill_9_during_a_command_then_resume_shows_its_changes(
    tmux: Tmux, service_repo: Path, fake_api: FakeMessagesServer, tmp_path: Path
) -> None:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed")
    env = isolated_env(tmp_path / "home", ANTHROPIC_BASE_URL=fake_api.base_url, ANTHROPIC_API_KEY="sk-ant-faults-b")
    first = tmux.run([str(COMMAND), str(service_repo)], env, service_repo)
    tmux.wait(first, lambda s: " ready " in s, "the app ready")
    tmux.keys(first, "run it", literal=True)
    tmux.wait(first, lambda s: "run it" in s, "the prompt typed")
    tmux.keys(first, "Enter")
    tmux.wait(first, lambda s: "y run once" in s, "the approval")
    tmux.keys(first, "y")
    main_py = service_repo / "app" / "main.py"
    wait_for(lambda: "return 42\n" in main_py.read_text(), "the command's change on disk")
    tmux.kill9(first)
    assert (service_repo / ".git" / "backend-pair" / "running-command.json").exists()

    second = tmux.run([str(COMMAND), str(service_repo), "--resume"], env, service_repo)
    screen = tmux.wait(second, lambda s: "cut short" in s, "the notice about the interrupted command")
    screen = tmux.wait(second, lambda s: "changed by Bash" in s, "the command's change in the review pane")
    assert "app/main.py" in screen
    tmux.keys(second, "C-r")
    tmux.wait(second, lambda s: "a Accept" in s, "the review pane focused")
    tmux.keys(second, "d")
    wait_for(lambda: main_py.read_text() == MAIN_PY, "the change restored on disk")
    assert git(service_repo, "status", "--porcelain") == ""
