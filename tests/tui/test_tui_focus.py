"""Keys typed in one burst right after a focus key reach the pane that key focused."""

from __future__ import annotations

from pathlib import Path

from textual import events

from backend_pair.agents.events import TurnEnded
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.widgets.prompt import PromptInput
from backend_pair.tui.widgets.review_pane import ReviewPane
from tests.tui.stand_ins import MAIN_PY_PROPOSED, Propose, make_app, send, settle, staged_diff


async def test_accept_typed_in_the_same_burst_as_ctrl_r_goes_to_the_review(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [[Propose("app/main.py", MAIN_PY_PROPOSED), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "add docstrings")
        await settle(pilot)
        assert isinstance(app, BackendPairApp)
        # As a terminal over SSH delivers them: both keys queued before the app handles either.
        app.post_message(events.Key("ctrl+r", None))
        app.post_message(events.Key("a", "a"))
        await settle(pilot)
        assert app.focused is app.main.query_one(ReviewPane)
        assert app.main.query_one(PromptInput).text == ""
        assert "app/main.py" in staged_diff(service_repo)
