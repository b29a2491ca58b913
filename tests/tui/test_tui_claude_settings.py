"""Claude Code's settings in the app: the "always" scope choice, memory and rules announced, bad files named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList

from backend_pair.agents.approval import BashDecision
from backend_pair.agents.events import TurnEnded
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.config import AppConfig
from backend_pair.tui.screens.approval import ApprovalScreen
from backend_pair.tui.screens.help import HelpScreen
from backend_pair.tui.widgets.conversation import ConversationPane, NoticeEntry, ToolEntry
from backend_pair.workspace.journal import SessionJournal
from tests.tui.stand_ins import MODEL, AskBash, definition, make_app, send, settle, wait_until

BASH_TURN = [AskBash("pytest -q tests/", cwd="/srv/service"), TurnEnded("end_turn", False)]


@pytest.mark.parametrize(
    ("downs", "decision"),
    [
        (0, BashDecision("always")),
        (1, BashDecision("always", rule="Bash(pytest:*)")),
        (2, BashDecision("always", save=True)),
        (3, BashDecision("always", rule="Bash(pytest:*)", save=True)),
    ],
)
async def test_always_offers_the_scope(service_repo: Path, downs: int, decision: BashDecision) -> None:
    app, session = make_app(service_repo, [BASH_TURN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "run the tests")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        await pilot.press("a")
        scope = app.screen.query_one("#approval-scope", OptionList)
        assert scope.display and scope.has_focus and scope.option_count == 4
        assert isinstance(app.screen, ApprovalScreen)  # choosing, not yet decided
        await pilot.press(*(["down"] * downs), "enter")
        await settle(pilot)
        assert session().decisions == [decision]
        assert not isinstance(app.screen, ApprovalScreen)


async def test_escape_in_the_scope_choice_denies(service_repo: Path) -> None:
    app, session = make_app(service_repo, [[AskBash("ls *.py && rm x"), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "list")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        await pilot.press("a")
        scope = app.screen.query_one("#approval-scope", OptionList)
        assert scope.option_count == 1  # compound and "*": this exact command, for this session only
        await pilot.press("escape")
        await settle(pilot)
        assert session().decisions == [BashDecision("deny")]


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesServer]:
    script = [
        tool_reply(ToolUse("Bash", {"command": "echo allowed"}), ToolUse("Bash", {"command": "pwd"})),
        text_reply("done"),
    ]
    server = FakeMessagesServer(script)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.start())
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-tui")
    yield server
    server.stop()


async def test_real_session_reads_memory_and_rules_and_saves_a_scope(
    service_repo: Path, fake_api: FakeMessagesServer
) -> None:
    (service_repo / "CLAUDE.md").write_text("Always run the tests with -q.\n")
    (service_repo / ".claude").mkdir()
    (service_repo / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Bash(echo:*)"], "deny": ["Bash(rm:*)"]}})
    )
    (Path.home() / ".claude").mkdir()
    (Path.home() / ".claude" / "settings.json").write_text('{"permissions": {"allow": ["Bash(x"]}}')
    config = AppConfig(root=service_repo, definition=definition(), model=MODEL, keymap={}, resume=None, demo=False)
    app = BackendPairApp(config, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        conversation = app.main.query_one(ConversationPane)
        notices = [entry.raw for entry in conversation.query(NoticeEntry)]
        assert "memory: CLAUDE.md" in notices
        assert "permission rules: 1 deny, 1 allow (.claude/settings.json)" in notices
        assert "~/.claude/settings.json: allow rule 'Bash(x' is not Tool or Tool(specifier); ignored" in notices
        await send(pilot, "check")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "pwd asks (echo is allowed)")
        await pilot.press("a", "down", "down", "enter")  # this exact command, saved
        await settle(pilot)
        tools = list(conversation.query(ToolEntry))
        assert tools[0].summary == "Bash: echo allowed · allowed by Bash(echo:*) in .claude/settings.json"
        assert "saved to .claude/settings.local.json" in tools[1].summary
        saved = json.loads((service_repo / ".claude" / "settings.local.json").read_text())
        assert saved == {"permissions": {"allow": ["Bash(pwd)"]}}
        assert "Always run the tests with -q." in fake_api.requests[0]["system"][-1]["text"]
        await pilot.press("ctrl+r", "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "memory: CLAUDE.md" in str(app.screen.query_one("#help-context").render())
        await pilot.press("escape", "ctrl+q")
    records = SessionJournal.open(service_repo, "").records()
    allowed = [r["payload"].get("allowed_by") for r in records if r["kind"] == "tool_call"]
    assert allowed == [
        "allowed by Bash(echo:*) in .claude/settings.json",
        "allowed always by the developer (Bash(pwd), saved to .claude/settings.local.json)",
    ]
