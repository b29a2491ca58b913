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


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change(service_repo: Path) -> None:
    from backend_pair.tui.widgets.key_footer import keys_shown

    app, _ = make_app(service_repo, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app, BackendPairApp)
        footer = app.main.query_one(KeyFooter)
        before = list(footer.query(FooterKey))
        app.refresh_bindings()  # what every focus move does
        await settle(pilot)
        assert list(footer.query(FooterKey)) == before, "the same keys: the same widgets, nothing restyled"
        assert all(key.has_class("-compact") is footer.compact for key in before)
        app.main.query_one(PromptInput).busy = True  # a turn runs: Esc is offered
        await settle(pilot)
        assert ("esc", "Cancel turn") in [(display.lower(), text) for display, text in keys_shown(footer)]
        assert all(key not in before for key in footer.query(FooterKey)), "new keys: a new footer"


async def test_at_80_columns_the_review_keys_come_first_and_help_ends_the_footer(service_repo: Path) -> None:
    from backend_pair.keymaps import load_keymap
    from backend_pair.tui.widgets.key_footer import keys_shown
    from tests.tui.stand_ins import send
    from tests.tui.test_tui_review import TWO_FILES

    app, _ = make_app(service_repo, [TWO_FILES], keymap=load_keymap("default", None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app, BackendPairApp)
        footer = app.main.query_one(KeyFooter)
        shown = list(keys_shown(footer))
        assert shown[:2] == [("a", "Accept"), ("d", "Reject")], shown
        assert shown[-1] == ("F1", "Help"), shown
        assert sum(key.region.width for key in footer.query(FooterKey)) <= 80
        assert all(key.region.right <= 80 for key in footer.query(FooterKey)), "nothing cut at the edge"


async def test_the_prompt_footer_never_offers_a_key_the_prompt_types(service_repo: Path) -> None:
    from backend_pair.keymaps import load_keymap
    from backend_pair.tui.widgets.key_footer import keys_shown

    app, _ = make_app(service_repo, keymap=load_keymap("default", None))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app, BackendPairApp)
        assert isinstance(app.focused, PromptInput)
        shown = list(keys_shown(app.main.query_one(KeyFooter)))
        assert "?" not in [key for key, _ in shown], shown
        assert shown[0] == ("⏎", "Send") and shown[-1] == ("F1", "Help"), shown


async def test_the_approval_modal_footer_shows_the_modals_keys(service_repo: Path) -> None:
    from backend_pair.tui.screens.approval import ApprovalScreen
    from backend_pair.tui.widgets.key_footer import keys_shown
    from tests.tui.stand_ins import AskBash, send, wait_until

    app, _ = make_app(service_repo, [[AskBash("pytest -q")]])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, "run the tests")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal opens")
        for _ in range(3):  # not settle: the turn waits for the decision
            await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        shown = list(keys_shown(footer))
        assert [key for key, _ in shown] == ["y", "a", "n", "esc"], shown
        assert footer.region.y == 23, "it covers the main screen's footer"
        assert "Cancel turn" not in [description for _, description in shown]
        await pilot.press("y")
        await settle(pilot)
