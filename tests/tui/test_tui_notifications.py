"""Toasts: one per kind, replaced not stacked, and never over the review pane's hunk for more than 3 s."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._toast import Toast

from backend_pair.agents.events import TurnEnded
from backend_pair.tui.app import TOAST_OVER_REVIEW_SECONDS, BackendPairApp
from backend_pair.tui.widgets.review_pane import ReviewPane
from tests.tui.stand_ins import MAIN_PY, MAIN_PY_PROPOSED, Propose, make_app, send, settle

PROPOSING = [Propose("app/main.py", MAIN_PY_PROPOSED), TurnEnded("end_turn", False)]


def _toasts(app: BackendPairApp) -> list[Toast]:
    return list(app.screen.query(Toast))


async def test_the_same_message_or_kind_replaces_the_toast_showing(service_repo: Path) -> None:
    app, _ = make_app(service_repo)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        for _ in range(5):
            app.notify("app/main.py changed on disk and conflicts", severity="warning")
        await settle(pilot)
        assert len(_toasts(app)) == 1
        app.notify("Copied the hunk (3 lines).", kind="copy")
        app.notify("Copied the message (1 line).", kind="copy")
        await settle(pilot)
        shown = [str(toast.render()) for toast in _toasts(app)]
        assert len(shown) == 2, shown
        assert "Copied the message (1 line)." in shown and "Copied the hunk (3 lines)." not in shown


async def test_repeated_outside_edits_that_conflict_show_one_toast(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await send(pilot, "change main")
        await settle(pilot)
        workspace = app.workspace
        assert workspace is not None
        for attempt in range(5):  # an editor saving five times
            (workspace.root / "app/main.py").write_text(MAIN_PY.replace('"hello "', f'"hi {attempt} "'))
            await app._disk_changed(workspace, {"app/main.py"})
        await settle(pilot)
        toasts = _toasts(app)
        assert len(toasts) == 1
        assert "conflicts" in str(toasts[0].render())


async def test_on_a_wide_screen_toasts_never_lie_over_the_review_pane(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await send(pilot, "change main")
        await pilot.press("ctrl+r")
        app.notify("a long message " * 10, severity="error", timeout=30)
        await settle(pilot)
        review = app.main.query_one(ReviewPane).region
        toasts = _toasts(app)
        assert toasts
        for toast in toasts:
            assert not toast.region.overlaps(review), (toast.region, review)
            assert toast._notification.timeout == 30, "not over the diff: it keeps its time"


async def test_on_a_narrow_screen_showing_review_a_toast_lasts_at_most_3_seconds(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await send(pilot, "change main")
        await settle(pilot)
        app.notify("shown over the conversation", severity="error", timeout=10)
        await settle(pilot)
        assert [toast._notification.timeout for toast in _toasts(app)] == [10]
        await pilot.press("ctrl+r")  # the review pane replaces the conversation under the toast
        await settle(pilot)
        assert app.toasts_cover_review()
        toasts = _toasts(app)
        assert len(toasts) == 1 and toasts[0]._notification.time_left <= TOAST_OVER_REVIEW_SECONDS
        app.notify("said while reviewing", severity="error", timeout=10)
        await settle(pilot)
        assert all(toast._notification.timeout <= TOAST_OVER_REVIEW_SECONDS for toast in _toasts(app))
