"""The app with the real agent session, through the real SDK, against the loopback fake Messages API; resume."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, text_reply, tool_reply
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.config import AppConfig
from backend_pair.tui.screens.approval import ApprovalScreen
from backend_pair.tui.widgets.conversation import AgentEntry, ConversationPane, ToolEntry, UserEntry
from backend_pair.tui.widgets.review_pane import ReviewPane
from backend_pair.tui.widgets.status_line import StatusLine
from tests.tui.stand_ins import MAIN_PY_PROPOSED, MODEL, TEST_PY, definition, send, settle, staged_diff, wait_until

SCRIPT: Script = [
    tool_reply(
        ToolUse("Write", {"file_path": "app/main.py", "content": MAIN_PY_PROPOSED}),
        ToolUse("Write", {"file_path": "tests/test_main.py", "content": TEST_PY}),
        text="I'll add a docstring and a test.",
    ),
    tool_reply(ToolUse("Bash", {"command": "echo checked", "description": "check"})),
    text_reply("Done: **two files** proposed. Review them with `]` and `a`."),
]


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesServer]:
    """The fake Messages API on loopback, with the SDK's variables pointing at it."""
    server = FakeMessagesServer(SCRIPT)
    base_url = server.start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-tui")
    yield server
    server.stop()


def _app(root: Path, resume: str | None = None) -> BackendPairApp:
    config = AppConfig(root=root, definition=definition(), model=MODEL, keymap={}, resume=resume, demo=False)
    return BackendPairApp(config, watch=False)


async def test_a_turn_through_the_sdk_then_review_and_resume(service_repo: Path, fake_api: FakeMessagesServer) -> None:
    app = _app(service_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.query_one(StatusLine).activity == "ready"
        await send(pilot, "add a docstring and a test")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "Bash asks for approval")
        await pilot.press("y")
        await settle(pilot)
        conversation = app.main.query_one(ConversationPane)
        tools = list(conversation.query(ToolEntry))
        assert [tool.tool_name for tool in tools] == ["Write", "Write", "Bash"]
        assert all(tool.result is not None and not tool.is_error for tool in tools)
        answers = [entry.raw for entry in conversation.query(AgentEntry)]
        assert answers[0] == "I'll add a docstring and a test."
        assert "**two files**" in answers[-1]
        status = app.main.query_one(StatusLine)
        assert status.input_tokens + status.cache_read_tokens > 0 and status.cost > 0
        assert (status.pending_hunks, status.staged_hunks) == (3, 0)
        await pilot.press("ctrl+r", "a", "d")  # typed fast: d waits for a's result
        await settle(pilot)
        diff = staged_diff(service_repo)
        assert '"""Greet a user by name."""' in diff and '"version"' not in diff
        pane = app.main.query_one(ReviewPane)
        assert [p.path for p in pane.proposals] == ["tests/test_main.py"]
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    resumed = _app(service_repo, resume="")
    async with resumed.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        conversation = resumed.main.query_one(ConversationPane)
        assert conversation.query(UserEntry).first().raw == "add a docstring and a test"
        assert [tool.tool_name for tool in conversation.query(ToolEntry)] == ["Write", "Write", "Bash"]
        assert "**two files**" in [entry.raw for entry in conversation.query(AgentEntry)][-1]
        pane = resumed.main.query_one(ReviewPane)
        assert [p.path for p in pane.proposals] == ["tests/test_main.py"]
        assert resumed.main.query_one(StatusLine).cost > 0


async def test_escape_cancels_a_real_stream_and_the_next_turn_works(
    service_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_pair.fake_api import Reply, Text
    from backend_pair.tui.widgets.conversation import NoticeEntry
    from backend_pair.tui.widgets.prompt import PromptInput

    script: Script = [
        Reply(blocks=(Text("Let me think about this for a long while " * 4),), stall_after=4, stall=30.0),
        text_reply("Second answer."),
    ]
    server = FakeMessagesServer(script)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.start())
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-tui")
    try:
        app = _app(service_repo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await send(pilot, "first")
            await wait_until(pilot, lambda: bool(app.main.query(AgentEntry)), "the answer starts streaming")
            await pilot.press("escape")
            await settle(pilot)
            assert not app.main.query_one(PromptInput).busy
            assert any("cancelled" in str(n.render()) for n in app.main.query(NoticeEntry))
            await send(pilot, "second")
            await settle(pilot)
            assert app.main.query(AgentEntry).last().raw == "Second answer."
            assert len(server.requests) == 2
            assert server.requests[1]["messages"][0]["role"] == "user"
    finally:
        server.stop()
