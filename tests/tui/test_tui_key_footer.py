"""The footer keeps no key it has removed: bindings change twice a turn, for hundreds of turns."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.widgets.key_footer import KeyFooter
from backend_pair.tui.widgets.prompt import PromptInput
from tests.tui.stand_ins import make_app, settle


async def test_recomposing_the_footer_leaves_no_watcher_of_removed_keys(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app, BackendPairApp)
        footer = app.main.query_one(KeyFooter)
        prompt = app.main.query_one(PromptInput)
        for busy in [True, False] * 10:
            prompt.busy = busy  # offers Esc only while a turn runs: the bindings change, the footer recomposes
            await settle(pilot)
        shown = len(footer.query(FooterKey))
        watchers = getattr(footer, "__watchers", {}).get("compact", [])
        assert shown > 0
        assert len(watchers) == shown, "one watcher per key on screen, none for keys removed earlier"
