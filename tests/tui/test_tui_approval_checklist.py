"""Bash approval modal (y / a / n + reason / Esc) and the checklist pane (space, up/down, evidence, Esc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_pair.agents.approval import BashDecision
from backend_pair.agents.checklist import ItemStatus, TickedBy
from backend_pair.agents.events import ChecklistChanged, TurnEnded
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.screens.approval import ApprovalScreen, ReasonInput
from backend_pair.tui.widgets.checklist_pane import ChecklistPane
from backend_pair.tui.widgets.conversation import ToolEntry
from backend_pair.tui.widgets.status_line import StatusLine
from tests.tui.stand_ins import TEST_PY, AskBash, Propose, make_app, send, settle, wait_until

BASH_TURN = [AskBash("pytest -q", cwd="/srv/service", description="run the tests"), TurnEnded("end_turn", False)]


@pytest.mark.parametrize(
    ("keys", "decision"),
    [
        (["y"], BashDecision("once")),
        (["a", "enter"], BashDecision("always")),
        (["escape"], BashDecision("deny")),
        (["n", "enter"], BashDecision("deny")),
        (["n", "n", "o", "enter"], BashDecision("deny", "no")),
        (["n", "escape"], BashDecision("deny")),
    ],
)
async def test_approval_keys_resolve_the_awaited_decision(
    service_repo: Path, keys: list[str], decision: BashDecision
) -> None:
    app, session = make_app(service_repo, [BASH_TURN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "run the tests")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen)
        assert app.main.query_one(StatusLine).activity == "approval"
        assert app.focused is None or not isinstance(app.focused, ReasonInput), "y/a/n must reach the modal"
        await pilot.press(*keys)
        await settle(pilot)
        assert session().decisions == [decision]
        assert not isinstance(app.screen, ApprovalScreen)
        tool = app.main.query_one(ToolEntry)
        assert tool.is_error == (decision.kind == "deny")


async def test_approval_modal_shows_command_cwd_and_reason(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [BASH_TURN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "run the tests")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        shown = " ".join(str(widget.render()) for widget in app.screen.query("Static"))
        assert "$ pytest -q" in shown and "/srv/service" in shown and "run the tests" in shown
        await pilot.press("y")
        await settle(pilot)


async def test_cancelling_the_turn_closes_the_modal(service_repo: Path) -> None:
    app, session = make_app(service_repo, [BASH_TURN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "run the tests")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        app.cancel_turn()
        await settle(pilot)
        assert not isinstance(app.screen, ApprovalScreen)
        assert session().decisions == []


def _item(app: BackendPairApp, text: str) -> tuple[ItemStatus, TickedBy, str]:
    assert app.checklist is not None
    item = next(item for item in app.checklist.items() if item.text == text)
    return item.status, item.ticked_by, item.reason


async def test_space_toggles_the_highlighted_item_and_arrows_move(service_repo: Path) -> None:
    app, _ = make_app(service_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        pane = app.main.query_one(ChecklistPane)
        assert app.focused is pane
        first = pane.get_option_at_index(pane.highlighted or 0)
        assert first.id is not None and not first.disabled
        await pilot.press("down")
        second = pane.get_option_at_index(pane.highlighted or 0)
        await pilot.press("up")
        assert pane.get_option_at_index(pane.highlighted or 0).id == first.id
        assert second.id != first.id
        await pilot.press("space")
        await pilot.pause()
        assert app.checklist is not None
        statuses = {item.id: item for item in app.checklist.items()}
        assert statuses[first.id].status == ItemStatus.done
        assert statuses[first.id].ticked_by == TickedBy.developer
        assert "[x]" in str(pane.get_option_at_index(pane.highlighted or 0).prompt)
        assert pane.border_title == f"checklist · 1 done / {len(statuses)}"
        await pilot.press("space")
        assert app.checklist.item(first.id).status == ItemStatus.skipped
        await pilot.press("escape")
        assert app.focused is app.main.query_one("#prompt")


async def test_accepting_a_test_file_ticks_unit_tests_by_evidence(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [[Propose("tests/test_main.py", TEST_PY), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "write a test")
        await settle(pilot)
        assert _item(app, "Unit tests written")[0] == ItemStatus.pending
        await pilot.press("ctrl+r", "a")
        await settle(pilot)
        status, by, reason = _item(app, "Unit tests written")
        assert (status, by) == (ItemStatus.done, TickedBy.evidence)
        assert "tests/test_main.py" in reason
        prompts = [str(option.prompt) for option in app.main.query_one(ChecklistPane)._options]
        assert any("Unit tests written" in p and "evidence" in p for p in prompts)


async def test_items_the_agent_adds_appear_in_place(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [[ChecklistChanged(), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.checklist is not None
        app.checklist.apply_todos([{"content": "Add the /health route", "status": "in_progress"}])
        await send(pilot, "plan")
        await settle(pilot)
        prompts = [str(option.prompt) for option in app.main.query_one(ChecklistPane)._options]
        assert "Agent tasks" in prompts
        assert any("Add the /health route" in p and "in progress" in p for p in prompts)


def test_checklist_counts_do_not_count_skipped_as_done() -> None:
    from backend_pair.agents.checklist import ChecklistItem
    from backend_pair.tui.widgets.checklist_pane import checklist_counts

    items = [ChecklistItem(str(n), "g", f"item {n}") for n in range(16)]
    items[:5] = [ChecklistItem(str(n), "g", f"item {n}", ItemStatus.done) for n in range(5)]
    items[5] = ChecklistItem("5", "g", "item 5", ItemStatus.skipped)
    assert checklist_counts(items) == "5 done · 1 skipped / 16"
    assert checklist_counts(items[6:]) == "0 done / 10"
    assert checklist_counts([]) == ""


async def test_an_item_the_agent_changes_is_scrolled_into_view_and_marked_briefly(service_repo: Path) -> None:
    from backend_pair.tui.widgets.checklist_pane import CHANGED_MARK

    app, _ = make_app(service_repo, [[ChecklistChanged(), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.checklist is not None
        pane = app.main.query_one(ChecklistPane)
        pane.mark_seconds = 3600  # the test unmarks below, as the timer would: a loaded machine must not beat it
        last = app.checklist.items()[-1]
        highlighted = pane.highlighted
        assert pane.scroll_offset.y == 0
        assert not any(CHANGED_MARK in str(option.prompt) for option in pane._options), "nothing marked at start"
        app.checklist.apply_todos([{"content": last.text, "status": "completed"}])
        await send(pilot, "done with the last one")
        await settle(pilot)
        index = pane.get_option_index(last.id)
        prompt = str(pane.get_option_at_index(index).prompt)
        assert prompt.startswith(CHANGED_MARK) and "[x]" in prompt
        assert pane.marked == {last.id}
        top = pane.scroll_offset.y
        line = pane._index_to_line[index]
        assert top > 0 and top <= line < top + pane.scrollable_content_region.height, "the item is in view"
        assert pane.highlighted == highlighted, "the developer's cursor stays"
        pane.unmark()  # what the timer does after MARK_SECONDS
        assert not str(pane.get_option_at_index(index).prompt).startswith(CHANGED_MARK)
        assert pane.marked == set()


async def test_the_developers_own_toggle_is_not_marked(service_repo: Path) -> None:
    from backend_pair.tui.widgets.checklist_pane import CHANGED_MARK

    app, _ = make_app(service_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "space")
        await settle(pilot)
        pane = app.main.query_one(ChecklistPane)
        assert pane.marked == set()
        assert not any(CHANGED_MARK in str(option.prompt) for option in pane._options)
