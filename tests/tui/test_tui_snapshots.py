"""SVG snapshots of the main screen at 120x40 and 80x24 (update with ``pytest --snapshot-update``, then look).

Deterministic by construction: a fixed branch, scripted events (no clock, no random ids), no temporary path on screen
(the approval modal shows a fixed cwd), and toasts are not triggered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backend_pair.agents.events import TextDelta, ToolCallFinished, ToolCallStarted, TurnEnded, UsageUpdated
from backend_pair.agents.models import TokenCounts
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.screens.approval import ApprovalScreen
from backend_pair.tui.screens.help import HelpScreen
from backend_pair.tui.widgets.checklist_pane import ChecklistPane
from backend_pair.tui.widgets.conversation import AgentEntry, ToolEntry
from tests.tui.stand_ins import (
    MAIN_PY,
    MAIN_PY_PROPOSED,
    TEST_PY,
    AskBash,
    Propose,
    Wait,
    make_app,
    send,
    settle,
    wait_until,
)

SIZES = [(120, 40), (80, 24)]
USAGE = UsageUpdated(TokenCounts(2400, 610, 1800, 350), TokenCounts(5200, 1210, 4100, 350), 0.012, 0.0321)
STREAMING = [
    TextDelta("Looking at `app/main.py`: the service has three functions.\n\n"),
    ToolCallStarted("r1", "Read", "Read app/main.py", {"file_path": "app/main.py"}),
    ToolCallFinished("r1", "Read", "Read app/main.py", '1\t"""A tiny service."""\n2\t', False),
    TextDelta("## Plan\n\n1. Add a **docstring** to `greet`\n2. Return the version from `health`\n"),
    USAGE,
    ToolCallStarted("g1", "Grep", "Grep version", {"pattern": "version"}),
    Wait("hold"),
]
PROPOSING = [
    TextDelta("I proposed two changes to `app/main.py` and a test."),
    Propose("app/main.py", MAIN_PY_PROPOSED),
    Propose("tests/test_main.py", TEST_PY),
    USAGE,
    TurnEnded("end_turn", False),
]

Scenario = Callable[[Pilot[int]], Awaitable[None]]


def _app(pilot: Pilot[int]) -> BackendPairApp:
    app = pilot.app
    assert isinstance(app, BackendPairApp)
    return app


async def empty(pilot: Pilot[int]) -> None:
    await settle(pilot)


async def streaming(pilot: Pilot[int]) -> None:
    app = _app(pilot)
    await settle(pilot)
    await send(pilot, "add a docstring to greet and a version to health")
    await wait_until(
        pilot,
        lambda: any("Return the version" in entry.raw for entry in app.main.query(AgentEntry)),
        "the plan streams",
    )
    await wait_until(pilot, lambda: app.main.query(ToolEntry).last().summary == "Grep version", "grep runs")
    await wait_until(pilot, lambda: all(entry.up_to_date for entry in app.main.query(AgentEntry)), "answers drawn")
    for _ in range(5):
        await pilot.pause()


async def review(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await send(pilot, "add docstrings and a test")
    await settle(pilot)
    await pilot.press("ctrl+r", "right_square_bracket")
    await settle(pilot)


async def conflict(pilot: Pilot[int]) -> None:
    app = _app(pilot)
    await review(pilot)
    assert app.workspace is not None
    (app.workspace.root / "app/main.py").write_text(MAIN_PY.replace('"hello "', '"hi "'))
    app.workspace.disk_changed(["app/main.py"])
    await app.refresh_review()
    await pilot.press("left_curly_bracket")
    await settle(pilot)


async def checklist(pilot: Pilot[int]) -> None:
    await settle(pilot)
    _app(pilot).main.query_one(ChecklistPane).mark_seconds = 3600.0  # the evidence tick stays marked for the picture
    await send(pilot, "add docstrings and a test")
    await settle(pilot)
    await pilot.press("ctrl+r", "right_curly_bracket", "a")
    await settle(pilot)
    await pilot.press("ctrl+l", "space")
    await settle(pilot)


async def approval(pilot: Pilot[int]) -> None:
    app = _app(pilot)
    await settle(pilot)
    await send(pilot, "run the tests")
    await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
    await pilot.pause()


async def help_screen(pilot: Pilot[int]) -> None:
    app = _app(pilot)
    await settle(pilot)
    await pilot.press("f1")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help opens")


SCENARIOS: dict[str, tuple[Scenario, list[Any]]] = {
    "empty": (empty, []),
    "streaming": (streaming, [STREAMING]),
    "review": (review, [PROPOSING]),
    "conflict": (conflict, [PROPOSING]),
    "checklist": (checklist, [PROPOSING]),
    "approval": (approval, [[AskBash("pytest -q tests/", cwd="/srv/service", description="run the test suite")]]),
    "help": (help_screen, []),
}


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_main_screen(snap_compare: Any, service_repo: Path, name: str, size: tuple[int, int]) -> None:
    scenario, turns = SCENARIOS[name]
    app, _ = make_app(service_repo, turns)
    assert snap_compare(app, terminal_size=size, run_before=scenario)
