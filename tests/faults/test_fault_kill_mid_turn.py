"""``kill -9`` of the installed app in the middle of a turn, then ``--resume``: the history the resumed session
sends is valid and the next message works.

Two moments: while a Bash call waits for the developer's approval (a tool_use without its result), and while an
answer is streaming (the stream stalls half way). Drives the real ``backend-pair`` in tmux against the fake API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Reply, Step, Text, ToolUse, text_reply, tool_reply
from tests.faults.fault_support import COMMAND, Tmux, assert_valid_history, isolated_env, wait_for

AFTER = "Back after the restart, carrying on."
PARTIAL = "I am halfway through explaining the handler when"
SCRIPTS: dict[str, tuple[list[Step], str]] = {
    "bash approval pending": (
        [tool_reply(ToolUse("Bash", {"command": "echo checked", "description": "check"}))],
        "$ echo checked",
    ),
    "answer streaming": (
        [
            Reply(
                (Text(PARTIAL + " the connection is still open and more words would follow."),),
                stall_after=4,
                stall=120.0,
            )
        ],
        "halfway",
    ),
}


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[FakeMessagesServer]:
    steps, _shown = SCRIPTS[request.param]
    fake = FakeMessagesServer([*steps, text_reply(AFTER)])
    fake.start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("server", list(SCRIPTS), indirect=True)
def test_kill_9_mid_turn_then_resume_sends_a_valid_history(
    tmux: Tmux, service_repo: Path, server: FakeMessagesServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed")
    shown = SCRIPTS[request.node.callspec.params["server"]][1]
    env = isolated_env(tmp_path / "home", ANTHROPIC_BASE_URL=server.base_url, ANTHROPIC_API_KEY="sk-ant-faults-mid")
    first = tmux.run([str(COMMAND), str(service_repo)], env, service_repo)
    tmux.wait(first, lambda s: " ready " in s, "the app ready")
    tmux.keys(first, "check the handler", literal=True)
    tmux.wait(first, lambda s: "check the handler" in s, "the prompt typed")
    tmux.keys(first, "Enter")
    tmux.wait(first, lambda s: shown in s, "the turn in flight")
    tmux.kill9(first)

    second = tmux.run([str(COMMAND), str(service_repo), "--resume"], env, service_repo)
    tmux.wait(second, lambda s: "session resumed from the journal" in s, "the session resumed")
    tmux.keys(second, "go on", literal=True)
    tmux.wait(second, lambda s: "go on" in s, "the prompt typed")
    tmux.keys(second, "Enter")
    tmux.wait(second, lambda s: "carrying on" in s, "the answer after the restart")
    wait_for(lambda: len(server.requests) == 2, "the resumed request")

    sent = server.requests[1]["messages"]
    assert_valid_history(sent)
    texts = repr(sent)
    assert "check the handler" in texts and "go on" in texts, "the conversation before the kill was sent again"
    if shown.startswith("$"):
        assert "tool_result" in texts, "the call cut by the kill is answered"
