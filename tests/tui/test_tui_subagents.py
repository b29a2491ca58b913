"""A subagent's run in the conversation: one entry with its own tool lines, the status line, help and cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from backend_pair.agents.events import (
    Retrying,
    SubagentEvent,
    SubagentStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
)
from backend_pair.agents.models import TokenCounts
from backend_pair.agents.tools import summarize
from backend_pair.tui.screens.help import HelpScreen
from backend_pair.tui.widgets.conversation import ConversationPane
from backend_pair.tui.widgets.file_list import FileList
from backend_pair.tui.widgets.status_line import StatusLine
from backend_pair.tui.widgets.subagent_entry import SubagentEntry
from tests.tui.stand_ins import Wait, make_app, send, settle, wait_until

TASK_INPUT = {"description": "find the routes", "prompt": "Where are the routes?", "subagent_type": "explorer"}


def nested(event: Any) -> SubagentEvent:
    return SubagentEvent("task1", "explorer", event)


TASK_TURN = [
    ToolCallStarted("task1", "Task", "Task explorer: find the routes", TASK_INPUT),
    SubagentStarted("task1", "explorer", "claude-haiku-5-5", "find the routes"),
    nested(ToolCallStarted("g1", "Grep", "Grep @app.get", {"pattern": "@app.get"})),
    nested(ToolCallFinished("g1", "Grep", "Grep @app.get", "app/main.py", False)),
    nested(Retrying(1, "overloaded (529)", 2.0)),
    nested(TextDelta("Routes live in app/main.py:12.")),
    Wait("gate"),
    ToolCallFinished("task1", "Task", "Task explorer: find the routes", "Routes live in app/main.py:12.", False),
    TextDelta("The explorer found them."),
    TurnEnded("end_turn", False),
]


async def test_a_subagent_run_is_one_entry_live_then_folded_and_enter_expands_it(service_repo: Path) -> None:
    app, session = make_app(service_repo, [TASK_TURN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "where are the routes?")
        pane = app.main.query_one(ConversationPane)
        await wait_until(pilot, lambda: bool(pane.query(SubagentEntry)), "the Task's entry")
        entry = pane.query_one(SubagentEntry)
        status = app.main.query_one(StatusLine)
        await wait_until(pilot, lambda: "gate" in session().gates, "the Task waits, every nested event before it taken")
        live = entry.render().plain
        assert entry.expanded and "explorer — find the routes — working · 1 tool call · haiku-5-5" in live
        assert "✓ Grep @app.get" in live and "Routes live in app/main.py:12." in live
        assert "↻ retry 1 in 2.0s: overloaded (529)" in live
        assert "explorer working" in status.render().plain

        gate = session().gates["gate"]
        assert isinstance(gate, asyncio.Event)
        gate.set()
        await wait_until(pilot, lambda: entry.result is not None, "the Task's end")
        await settle(pilot)
        folded = entry.render().plain
        assert not entry.expanded and "\n" not in folded
        assert "✓" in folded and "answered (1 lines) · 1 tool call" in folded
        assert "explorer working" not in status.render().plain
        assert sum(isinstance(child, SubagentEntry) for child in pane.entries) == 1

        pane.focus()
        pane.selected = pane.entries.index(entry)
        await pilot.press("enter")
        assert entry.expanded
        assert "✓ Grep @app.get" in entry.render().plain
        assert "Routes live in app/main.py:12." in entry.render().plain


async def test_esc_cancels_the_whole_tree_and_the_entry_says_so(service_repo: Path) -> None:
    turn = [*TASK_TURN[:3], Wait("never")]
    app, _ = make_app(service_repo, [turn])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        pane = app.main.query_one(ConversationPane)
        await wait_until(
            pilot, lambda: "Grep @app.get" in "".join(e.render().plain for e in pane.query(SubagentEntry)), "running"
        )
        await pilot.press("escape")
        entry = pane.query_one(SubagentEntry)
        await wait_until(pilot, lambda: entry.result is not None, "the cancel")
        assert entry.is_error and "cancelled" in entry.render().plain
        assert entry.calls["g1"].result == "cancelled"
        assert "working" not in app.main.query_one(StatusLine).render().plain


async def test_help_breaks_tokens_and_cost_down_per_agent(service_repo: Path) -> None:
    app, session = make_app(service_repo, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        scripted: Any = session()
        scripted.usage_by_agent = {
            "Backend Engineer": (TokenCounts(1200, 300, 0, 0), 0.0081),
            "explorer": (TokenCounts(800, 50, 0, 0), 0.0012),
        }
        await pilot.press("ctrl+r", "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-context").render())
        assert "Backend Engineer: 1.2k in / 300 out / 0 cached · $0.0081" in text
        assert "explorer: 800 in / 50 out / 0 cached · $0.0012" in text
        assert "all agents: $0.0093" in text


async def test_a_resumed_task_shows_its_nested_run_again(service_repo: Path) -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "find the routes"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "task1", "name": "Task", "input": TASK_INPUT}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "task1", "content": "Routes live in app/main.py:12."}],
        },
    ]
    runs = {
        "task1": {
            "agent": "explorer",
            "model": "claude-haiku-5-5",
            "description": "find the routes",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Where are the routes?"}]},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "g1", "name": "Grep", "input": {"pattern": "x"}}],
                },
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "g1", "content": "app/main.py"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Routes live in app/main.py:12."}]},
            ],
        }
    }
    app, _ = make_app(service_repo, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.query_one(ConversationPane)
        await pane.replay(messages, summarize, runs)
        await settle(pilot)
        entry = pane.query_one(SubagentEntry)
        assert not entry.expanded and entry.agent == "explorer" and entry.result == "Routes live in app/main.py:12."
        entry.expanded = True
        shown = entry.render().plain
        assert (
            "explorer — find the routes — answered (1 lines) · 1 tool call · haiku-5-5" in shown
            and "✓ Grep x — 1 line" not in shown
        )
        assert "✓ Grep x — app/main.py" in shown


async def test_the_review_names_the_subagent_that_proposed_a_file(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        workspace = app.workspace
        assert workspace is not None
        workspace.propose("tests/test_hello.py", "def test_x() -> None:\n    pass\n", agent="tester")
        workspace.propose("README.md", "# changed by the main agent\n")
        await app.refresh_review()
        await settle(pilot)
        files = app.main.query_one(FileList)
        shown = [str(files.get_option_at_index(i).prompt) for i in range(files.option_count)]
        assert any("tests/test_hello.py" in line and "· by tester" in line for line in shown), shown
        assert any("README.md" in line and "by " not in line for line in shown), shown


TESTER_INPUT = {"description": "test the routes", "prompt": "Test them.", "subagent_type": "tester"}

SIDE_BY_SIDE_TURN = [
    ToolCallStarted("task1", "Task", "Task explorer: find the routes", TASK_INPUT),
    ToolCallStarted("task2", "Task", "Task tester: test the routes", TESTER_INPUT),
    SubagentStarted("task1", "explorer", "claude-haiku-5-5", "find the routes"),
    SubagentStarted("task2", "tester", "claude-sonnet-4-5", "test the routes"),
    nested(ToolCallStarted("g1", "Grep", "Grep @app.get", {"pattern": "@app.get"})),
    SubagentEvent("task2", "tester", ToolCallStarted("r1", "Read", "Read tests/test_app.py", {})),
    nested(ToolCallFinished("g1", "Grep", "Grep @app.get", "app/main.py", False)),
    SubagentEvent("task2", "tester", ToolCallFinished("r1", "Read", "Read tests/test_app.py", "1\tx", False)),
    Wait("both"),
    ToolCallFinished("task1", "Task", "Task explorer: find the routes", "Routes live in app/main.py:12.", False),
    Wait("one"),
    ToolCallFinished("task2", "Task", "Task tester: test the routes", "Two tests pass.", False),
    TurnEnded("end_turn", False),
]


async def test_tasks_side_by_side_each_have_their_entry_and_the_top_line_names_who_works(service_repo: Path) -> None:
    app, session = make_app(service_repo, [SIDE_BY_SIDE_TURN])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "find and test the routes")
        pane = app.main.query_one(ConversationPane)
        status = app.main.query_one(StatusLine)
        await wait_until(pilot, lambda: "both" in session().gates, "both Tasks running")
        await pilot.pause()
        explorer, tester = pane.query(SubagentEntry)
        assert (explorer.agent, tester.agent) == ("explorer", "tester")
        assert list(explorer.calls) == ["g1"] and list(tester.calls) == ["r1"], "each tool line in its own entry"
        assert status.working_agent == "explorer, tester"
        gate = session().gates["both"]
        assert isinstance(gate, asyncio.Event)
        gate.set()
        await wait_until(pilot, lambda: "one" in session().gates, "the explorer's Task ended")
        await pilot.pause()
        assert explorer.result is not None and tester.result is None
        assert status.working_agent == "tester", "the tester still works"
        gate = session().gates["one"]
        assert isinstance(gate, asyncio.Event)
        gate.set()
        await settle(pilot)
        assert status.working_agent == ""
