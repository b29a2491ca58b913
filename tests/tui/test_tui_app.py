"""The app as a whole: terminal sizes, panes on narrow screens, NO_COLOR, startup without the SDK, quitting."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from textual.dom import DOMNode
from textual.widget import Widget

from backend_pair.agents.events import TextDelta, TurnEnded
from backend_pair.tui.adapter import AgentText, to_message
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.widgets.checklist_pane import ChecklistPane
from backend_pair.tui.widgets.conversation import ConversationPane
from backend_pair.tui.widgets.pane_tabs import PaneTabs
from backend_pair.tui.widgets.prompt import PromptInput
from backend_pair.tui.widgets.review_pane import ReviewPane
from backend_pair.tui.widgets.status_line import StatusLine, compact_count, short_model
from tests.tui.stand_ins import MODEL, make_app, send, settle
from tests.tui.test_tui_review import TWO_FILES


def _visible(app: BackendPairApp) -> set[str]:
    """The panes on screen: displayed, with every ancestor displayed, and with some area."""
    panes: dict[str, Widget] = {
        "conversation": app.main.query_one(ConversationPane),
        "review": app.main.query_one(ReviewPane),
        "checklist": app.main.query_one(ChecklistPane),
    }
    return {name for name, widget in panes.items() if _shown(app, widget)}


def _shown(app: BackendPairApp, widget: Widget) -> bool:
    node: DOMNode | None = widget
    while node is not None and node is not app.main:
        if not node.display:
            return False
        node = node.parent
    return widget.region.area > 0


async def test_wide_screens_show_every_pane(service_repo: Path) -> None:
    for size in [(120, 40), (200, 60)]:
        app, _ = make_app(service_repo)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert _visible(app) == {"conversation", "review", "checklist"}
            assert not app.main.query_one(PaneTabs).display
            assert app.main.query_one(PromptInput).region.width == size[0]


async def test_narrow_screens_show_one_pane_and_follow_focus(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tabs = app.main.query_one(PaneTabs)
        assert tabs.display
        assert _visible(app) == {"conversation"}
        await pilot.press("ctrl+r")
        assert _visible(app) == {"review"} and tabs.active == "review"
        await pilot.press("ctrl+l")
        assert _visible(app) == {"checklist"} and tabs.active == "checklist"
        await pilot.press("tab")
        assert isinstance(app.focused, PromptInput)
        await pilot.press("tab")
        assert _visible(app) == {"conversation"}
        assert app.main.query_one(PromptInput).region.height >= 3, "the prompt stays usable"


async def test_resizing_live_switches_layouts(service_repo: Path) -> None:
    app, _ = make_app(service_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _visible(app) == {"conversation", "review", "checklist"}
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert _visible(app) == {"conversation"}
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert _visible(app) == {"conversation", "review", "checklist"}


async def test_status_line_names_agent_model_branch(service_repo: Path) -> None:
    app, _ = make_app(service_repo)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        line = str(app.main.query_one(StatusLine).render())
        assert "Backend Engineer" in line and MODEL in line and "⎇ main" in line
        assert "0 pending/0 staged" in line and "$0.0000" in line


def test_status_line_helpers() -> None:
    assert [compact_count(n) for n in (0, 999, 1000, 12_345, 4_500_000)] == ["0", "999", "1.0k", "12.3k", "4.5M"]
    assert short_model("claude-sonnet-4-20250514") == "sonnet-4"
    assert short_model("claude-opus-4-1") == "opus-4-1"


async def test_ctrl_q_quits_with_status_zero_even_during_a_turn(service_repo: Path) -> None:
    from tests.tui.stand_ins import Wait, send, wait_until

    app, _ = make_app(service_repo, [[Wait("never"), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await wait_until(pilot, lambda: app.main.query_one(PromptInput).busy, "the turn runs")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_no_color_is_respected(service_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def colours(svg: str) -> set[tuple[int, int, int]]:
        found = re.findall(r"(?:fill|color): ?#([0-9a-fA-F]{6})", svg)
        return {(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)) for h in found}

    def chromatic(rgb: tuple[int, int, int]) -> bool:
        return max(rgb) - min(rgb) > 24

    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await settle(pilot)
        coloured = app.export_screenshot()
    assert any(chromatic(rgb) for rgb in colours(coloured)), "the normal screen has colours (diff, status)"

    monkeypatch.setenv("NO_COLOR", "1")
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await settle(pilot)
        assert app.no_color
        plain = app.export_screenshot()
    assert not any(chromatic(rgb) for rgb in colours(plain)), "NO_COLOR leaves only shades of grey"


def test_adapter_maps_every_event_kind() -> None:
    from backend_pair.agents import events

    kinds: list[events.AgentEvent] = [
        events.TextDelta("x"),
        events.ToolCallStarted("1", "Read", "Read a", {}),
        events.ToolCallFinished("1", "Read", "Read a", "ok", False),
        events.ProposalChanged(("a",)),
        events.ChecklistChanged(),
        events.Retrying(1, "overloaded", 1.0),
        events.AgentError("boom", "internal"),
        events.FeedbackSent("feedback"),
        events.TurnEnded("end_turn", False),
        events.Compacted(10, 5, True),
        events.ModelSwitched("claude-sonnet-4-20250514", "claude-sonnet-5-5"),
    ]
    messages = [to_message(event) for event in kinds]
    assert len({type(message) for message in messages}) == len(kinds)
    assert all(message.event is event for message, event in zip(messages, kinds, strict=True))
    assert isinstance(messages[0], AgentText)
    with pytest.raises(TypeError):
        to_message(cast("TextDelta", "not an event"))


def test_first_frame_does_not_import_the_sdk() -> None:
    """Importing the app and building it must not import ``anthropic`` (about a second on a small machine)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from backend_pair.agents.definition import parse_definition\n"
        "from backend_pair.tui.app import BackendPairApp\n"
        "from backend_pair.tui.config import AppConfig\n"
        "import backend_pair.tui.screens.main, backend_pair.tui.screens.approval\n"
        "root = Path(sys.argv[1])\n"
        "d = parse_definition(root / 'src/backend_pair/agents/definitions/backend-engineer.md')\n"
        "BackendPairApp(AppConfig(root, d, 'm', {}, None, False))\n"
        "print('anthropic' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


async def test_outside_edits_rebase_and_conflicts_reach_the_review_pane(service_repo: Path) -> None:
    """The disk watcher runs in its own worker; an edit that conflicts marks the file, the pane shows it."""
    from backend_pair.agents.events import TurnEnded as End
    from tests.tui.stand_ins import MAIN_PY, MAIN_PY_PROPOSED, Propose, send, wait_until

    app, _ = make_app(service_repo, [[Propose("app/main.py", MAIN_PY_PROPOSED), End("end_turn", False)]])
    app._watch = True
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: any(w.group == "watch" for w in app.workers), "the watcher starts")
        await send(pilot, "go")
        await wait_until(pilot, lambda: bool(app.main.query_one(ReviewPane).proposals), "the proposal shows")
        await pilot.pause(0.3)  # let the watcher arm before the edit (it reports changes after it starts)
        (service_repo / "app/main.py").write_text(MAIN_PY.replace('"hello "', '"hi "'))
        pane = app.main.query_one(ReviewPane)

        def in_conflict() -> bool:
            proposal = pane.current_proposal
            return proposal is not None and proposal.conflict is not None

        for _ in range(200):  # the watcher debounces (about 1.6 s); wait for its batch, not for a fixed time
            if in_conflict():
                break
            await pilot.pause(0.05)
        assert in_conflict()
        assert app.main.query_one(StatusLine).conflicts == 1


async def test_ctrl_k_compacts_and_the_status_line_shows_context_use(service_repo: Path) -> None:
    from backend_pair.agents.events import UsageUpdated
    from backend_pair.agents.models import TokenCounts
    from backend_pair.tui.widgets.conversation import NoticeEntry

    usage = UsageUpdated(TokenCounts(), TokenCounts(input=10), 0.0, 0.01, context=0.83)
    app, session = make_app(service_repo, [[usage, TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await settle(pilot)
        status = app.main.query_one(StatusLine)
        assert "ctx 83%" in str(status.render())
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert session().compactions == 1
        notices = [e for e in app.main.query_one(ConversationPane).entries if isinstance(e, NoticeEntry)]
        assert any(
            "compacted (you asked)" in str(n.render()) and "12 messages became 5" in str(n.render()) for n in notices
        )


def _error_notices(app: BackendPairApp) -> list[str]:
    from backend_pair.tui.widgets.conversation import NoticeEntry

    entries = app.main.query_one(ConversationPane).entries
    return [str(e.render()) for e in entries if isinstance(e, NoticeEntry) and e.kind == "error"]


async def test_an_exception_inside_the_watcher_never_ends_the_app(
    service_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    from collections.abc import AsyncIterator

    from backend_pair.tui import background
    from tests.tui.stand_ins import wait_until

    calls: list[int] = []

    async def flaky_watch(root: Path, stop: asyncio.Event) -> AsyncIterator[set[str]]:
        calls.append(1)
        if len(calls) <= 3:
            raise RuntimeError("git check-ignore: 'lib/x.py' is beyond a symbolic link")
        yield {"app/main.py"}
        await stop.wait()

    monkeypatch.setattr(background, "load_watch_changes", lambda: flaky_watch)
    monkeypatch.setattr(background, "WATCH_RETRY_FIRST", 0.001)
    app, _ = make_app(service_repo)
    app._watch = True
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: len(calls) >= 4, "the watcher started again")
        assert app.is_running
        # Three failures in a row, one line: "beyond a symbolic link" is said once, never a storm.
        (notice,) = _error_notices(app)
        assert "watching for outside edits hit an error" in notice and "beyond a symbolic link" in notice


async def test_any_error_handling_outside_edits_is_one_line_and_watching_goes_on(
    service_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    from collections.abc import AsyncIterator

    from backend_pair.logfile import log_to_file
    from backend_pair.tui import background
    from backend_pair.workspace import open_workspace
    from backend_pair.workspace.errors import GitFailed
    from tests.tui.stand_ins import wait_until

    batches = [{"app/a.py"}, {"app/b.py"}, {"app/c.py"}, {"app/main.py"}]
    started: list[int] = []

    async def watch(root: Path, stop: asyncio.Event) -> AsyncIterator[set[str]]:
        started.append(1)
        for batch in batches:
            yield batch
        await stop.wait()

    workspace = open_workspace(service_repo)
    handled: list[set[str]] = []
    failures: list[Exception] = [
        PermissionError(13, "Permission denied", "app/a.py"),
        GitFailed("git ls-files: fatal: 'app/b.py' is beyond a symbolic link"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    ]

    def disk_changed(paths: set[str]) -> list[object]:
        handled.append(paths)
        if failures:
            raise failures.pop(0)
        return []

    monkeypatch.setattr(workspace, "disk_changed", disk_changed)
    monkeypatch.setattr(background, "load_watch_changes", lambda: watch)
    log_file = log_to_file(service_repo / ".git" / "backend-pair")
    app, _ = make_app(service_repo, workspace=workspace)
    app._watch = True
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: len(handled) == 4, "every batch handled")
            assert app.is_running
            assert handled[-1] == {"app/main.py"}, "the batch after the failures still reaches the workspace"
            assert started == [1], "a batch that fails does not tear the watcher down"
            (notice,) = _error_notices(app)
            assert "reading outside edits hit an error (PermissionError" in notice
            assert "\n" not in notice
            assert "details in .git/backend-pair/backend-pair.log" in notice
        # Every failure is in the log, with its traceback; the screen said it once.
        assert log_file is not None
        logged = log_file.read_text(encoding="utf-8")
        assert logged.count("reading outside edits failed") == 3
        assert "Traceback" in logged and "is beyond a symbolic link" in logged
    finally:
        workspace.close()


async def test_an_unexpected_error_at_start_up_leaves_the_app_running(
    service_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_pair.workspace import open_workspace
    from tests.tui.stand_ins import wait_until

    workspace = open_workspace(service_repo)

    def broken() -> str | None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(workspace, "recover_interrupted_accept", broken)
    app, _ = make_app(service_repo, workspace=workspace)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: bool(_error_notices(app)), "the failure said")
            assert app.is_running
            (notice,) = _error_notices(app)
            assert "starting the session hit an error (OSError: [Errno 5] Input/output error)" in notice
            assert app.main.query_one(StatusLine).activity == "offline"
            await pilot.press("ctrl+q")
        assert app.return_code == 0
    finally:
        workspace.close()


async def test_every_key_of_a_burst_arrives_while_a_huge_answer_streams_and_files_change(service_repo: Path) -> None:
    """Keys typed while a 2 MB answer streams and a file changes on disk again and again: none is lost or left over."""
    import threading

    from textual import events

    from tests.tui.stand_ins import MAIN_PY, MAIN_PY_PROPOSED, Propose, wait_until

    paragraph = "The handler stores the order and returns its id with a `201` status, " * 4 + "\n\n"
    chunks = [TextDelta(paragraph * 30) for _ in range(250)]
    app, _ = make_app(service_repo, [[Propose("app/main.py", MAIN_PY_PROPOSED), *chunks, TurnEnded("end_turn", False)]])
    app._watch = True
    stop = threading.Event()

    def edit_outside() -> None:
        n = 0
        while not stop.wait(0.01):
            n += 1
            (service_repo / "notes.txt").write_text(f"note {n}\n")
            (service_repo / "app/main.py").write_text(MAIN_PY + f"# edit {n}\n")

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: any(w.group == "watch" for w in app.workers), "the watcher starts")
        prompt = app.main.query_one(PromptInput)
        prompt.focus()
        prompt.insert("go")
        await pilot.press("enter")
        writer = threading.Thread(target=edit_outside, daemon=True)
        writer.start()
        burst = "the quick brown fox jumps over the lazy dog"
        try:
            for key in burst:
                event = events.Key("space" if key == " " else key, key)
                event.set_sender(app)
                app.post_message(event)
                await pilot.pause()
            await wait_until(pilot, lambda: prompt.text == burst, "every key in the prompt", tries=5000)
        finally:
            stop.set()
            writer.join()
        await settle(pilot)
        assert prompt.text == burst
