"""The prompt and the conversation: sending, history, cancel, streaming, tool lines, notices, copy."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend_pair.agents.events import (
    AgentError,
    FeedbackSent,
    Retrying,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
    UsageUpdated,
)
from backend_pair.agents.models import TokenCounts
from backend_pair.tui.widgets.conversation import AgentEntry, ConversationPane, NoticeEntry, ToolEntry, UserEntry
from backend_pair.tui.widgets.prompt import PromptInput
from backend_pair.tui.widgets.status_line import StatusLine
from tests.tui.stand_ins import Wait, conversation_entries, make_app, send, settle, wait_until

ANSWER = [
    TextDelta("I read "),
    TextDelta("`app/main.py`.\n\n"),
    ToolCallStarted("t1", "Read", "Read app/main.py", {"file_path": "app/main.py"}),
    ToolCallFinished("t1", "Read", "Read app/main.py", '1\t"""A tiny service."""\n2\t\n3\tfrom x import y', False),
    ToolCallStarted("t2", "Grep", "Grep TODO", {"pattern": "TODO"}),
    ToolCallFinished("t2", "Grep", "Grep TODO", "error: bad pattern", True),
    TextDelta("It has **three** functions."),
    UsageUpdated(TokenCounts(1500, 250, 1200, 300), TokenCounts(1500, 250, 1200, 300), 0.02, 0.0234),
    TurnEnded("end_turn", False),
]


async def test_typed_prompt_is_sent_with_enter_and_shown(service_repo: Path) -> None:
    app, session = make_app(service_repo, [ANSWER])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        prompt = app.main.query_one(PromptInput)
        assert app.focused is prompt
        await pilot.press(*"hi?", "enter")
        await settle(pilot)
        assert session().prompts == ["hi?"]
        assert prompt.text == ""
        entries = conversation_entries(app)
        assert isinstance(entries[0], UserEntry) and entries[0].raw == "hi?"
        assert not app.screen.is_modal, "? typed in the prompt must not open help"


async def test_ctrl_j_inserts_a_newline_and_enter_sends_both_lines(service_repo: Path) -> None:
    app, session = make_app(service_repo, [ANSWER])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", "ctrl+j", "b")
        assert app.main.query_one(PromptInput).text == "a\nb"
        await pilot.press("enter")
        await settle(pilot)
        assert session().prompts == ["a\nb"]


async def test_up_and_down_walk_the_history(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [ANSWER, ANSWER])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "first")
        await settle(pilot)
        await send(pilot, "second")
        await settle(pilot)
        prompt = app.main.query_one(PromptInput)
        await pilot.press("x", "up")
        assert prompt.text == "second"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down")
        assert prompt.text == "second"
        await pilot.press("down")
        assert prompt.text == "x", "the draft comes back after the newest entry"


async def test_answer_streams_as_markdown_with_one_line_per_tool_call(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [ANSWER])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "read it")
        await settle(pilot)
        entries = conversation_entries(app)
        kinds = [type(entry).__name__ for entry in entries]
        assert kinds == ["UserEntry", "AgentEntry", "ToolEntry", "ToolEntry", "AgentEntry"]
        first, read, grep, last = entries[1], entries[2], entries[3], entries[4]
        assert isinstance(first, AgentEntry) and first.raw == "I read `app/main.py`.\n\n"
        assert isinstance(last, AgentEntry) and "**three**" in last.raw
        assert isinstance(read, ToolEntry) and not read.is_error
        assert "Read app/main.py" in str(read.render()) and "— 3 lines" in str(read.render())
        assert isinstance(grep, ToolEntry) and grep.is_error and "error: bad pattern" in str(grep.render())
        status = app.main.query_one(StatusLine)
        assert (status.input_tokens, status.output_tokens, status.cache_read_tokens) == (1500, 250, 1200)
        assert status.cost == 0.0234
        assert "1.2k cached" in str(status.render())


async def test_enter_expands_the_selected_tool_call_and_y_copies_it(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [ANSWER])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "read it")
        await settle(pilot)
        pane = app.main.query_one(ConversationPane)
        pane.focus()
        await pilot.press("up", "up", "up")
        read = pane.query(ToolEntry).first()
        assert pane.selected == pane.entries.index(read)
        await pilot.press("enter")
        assert read.expanded
        assert "file_path: app/main.py" in str(read.render())
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard.startswith("Read app/main.py\n1   ")  # what was shown: tabs expanded
        await pilot.press("enter")
        assert not read.expanded


async def test_errors_retries_and_feedback_are_visible(service_repo: Path) -> None:
    turn = [
        FeedbackSent("Rejected hunk in app/main.py: keep the old greeting"),
        Retrying(1, "overloaded (529)", 1.5),
        AgentError("the API said 401: check ANTHROPIC_API_KEY", "auth"),
        TurnEnded(None, True),
    ]
    app, _ = make_app(service_repo, [turn])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await settle(pilot)
        notices = [entry for entry in conversation_entries(app) if isinstance(entry, NoticeEntry)]
        texts = [(notice.kind, str(notice.render())) for notice in notices]
        assert texts[0] == ("feedback", "↳ feedback sent: Rejected hunk in app/main.py: keep the old greeting")
        assert texts[1] == ("retry", "↻ retry 1 in 1.5s: overloaded (529)")
        assert texts[2] == ("error", "✗ error: the API said 401: check ANTHROPIC_API_KEY")
        assert texts[3][0] == "cancelled" and "interrupted" in texts[3][1]


async def test_escape_cancels_the_running_turn(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [[TextDelta("thinking about it"), Wait("never"), TextDelta("not shown")]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        prompt = app.main.query_one(PromptInput)
        await wait_until(pilot, lambda: prompt.busy, "the turn starts")
        await wait_until(pilot, lambda: bool(app.main.query(AgentEntry)), "text streams")
        await pilot.press("escape")
        await settle(pilot)
        assert not prompt.busy
        notices = [str(n.render()) for n in conversation_entries(app) if isinstance(n, NoticeEntry)]
        assert notices == ["■ turn cancelled"]
        assert "not shown" not in app.main.query_one(AgentEntry).raw
        assert app.main.query_one(StatusLine).activity == "ready"


async def test_a_second_prompt_waits_for_the_running_turn(service_repo: Path) -> None:
    app, session = make_app(service_repo, [[Wait("gate"), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "one")
        await wait_until(pilot, lambda: "gate" in session().gates, "the turn waits")
        await wait_until(pilot, lambda: app.main.query_one(PromptInput).busy, "the prompt shows the turn")
        await send(pilot, "two")
        await pilot.pause()
        assert session().prompts == ["one"]
        assert app.main.query_one(PromptInput).text == "two", "a refused prompt keeps its text"
        gate = session().gates["gate"]
        assert isinstance(gate, asyncio.Event)
        gate.set()
        await settle(pilot)
        assert session().prompts == ["one"]


async def test_a_cancelled_turn_leaves_no_running_tool_call(service_repo: Path) -> None:
    from backend_pair.agents.events import ToolCallStarted
    from tests.tui.stand_ins import Wait, wait_until

    app, _ = make_app(service_repo, [[ToolCallStarted("b1", "Bash", "Bash: sleep 100", {}), Wait("never")]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "run it")
        pane = app.main.query_one(ConversationPane)
        await wait_until(pilot, lambda: bool(pane.query(ToolEntry)), "the tool call shown")
        await pilot.press("escape")
        await wait_until(pilot, lambda: pane.query(ToolEntry).first().result is not None, "the call marked")
        entry = pane.query(ToolEntry).first()
        assert entry.result == "cancelled" and entry.is_error
        assert "running" not in str(entry.render()) and "cancelled" in str(entry.render())


EDIT_INPUT = {
    "file_path": "app/main.py",
    "old_string": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "new_string": 'def add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n',
    "replace_all": False,
}
LONG_TURN = [
    TextDelta("\n\n".join(f"Paragraph {n} of a long answer." for n in range(40))),
    ToolCallStarted("e1", "Edit", "Edit app/main.py", EDIT_INPUT),
    ToolCallFinished(
        "e1", "Edit", "Edit app/main.py", "Proposed 1 hunk for app/main.py\nsecond line of the result", False
    ),
    TurnEnded("end_turn", False),
]


async def test_an_expanded_tool_call_shows_its_input_as_lines_and_its_result_in_view(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [LONG_TURN])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, "edit it")
        await settle(pilot)
        pane = app.main.query_one(ConversationPane)
        pane.focus()
        await pilot.press("up")
        edit = pane.query(ToolEntry).last()
        assert pane.selected == pane.entries.index(edit)
        await pilot.press("enter")
        await settle(pilot)
        assert edit.expanded
        shown = [edit.render_line(y).text for y in range(edit.region.height)]
        assert any(line.strip() == "old_string:" for line in shown), shown
        assert any(line.strip() == '│     """Add."""' for line in shown), shown
        assert any("replace_all: false" in line for line in shown)
        assert any("second line of the result" in line for line in shown), "the result shows"
        view = pane.content_region
        assert view.y <= edit.region.y < view.bottom, "the expanded call's top is in view"
        assert edit.region.y + shown.index(next(line for line in shown if "result:" in line)) < view.bottom
