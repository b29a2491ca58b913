"""Every keymap (default, vim, emacs): press each key of the bindings and check the action happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from backend_pair.keymaps import BINDINGS, Keymap, load_keymap
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.screens.help import HelpScreen
from backend_pair.tui.widgets.checklist_pane import ChecklistPane
from backend_pair.tui.widgets.comment_input import CommentInput
from backend_pair.tui.widgets.conversation import ConversationPane, ToolEntry
from backend_pair.tui.widgets.prompt import PromptInput
from backend_pair.tui.widgets.review_pane import ReviewPane
from tests.tui.stand_ins import make_app, send, settle, staged_diff
from tests.tui.test_tui_review import TWO_FILES


def keys_of(keymap: Keymap, binding_id: str) -> list[str]:
    """The keys a binding id has in ``keymap``."""
    return [key.strip() for key in keymap[binding_id].split(",") if key.strip()]


async def _reviewing(pilot: Pilot[int], keymap: Keymap) -> ReviewPane:
    app = pilot.app
    assert isinstance(app, BackendPairApp)
    await settle(pilot)
    await send(pilot, "go")
    await settle(pilot)
    await pilot.press(keys_of(keymap, "app.focus_review")[0])
    pane = app.main.query_one(ReviewPane)
    assert app.focused is pane
    return pane


@pytest.mark.parametrize("name", ["default", "vim", "emacs"])
async def test_review_keys(service_repo: Path, name: str) -> None:
    keymap = load_keymap(name, None)
    app, _ = make_app(service_repo, [TWO_FILES], keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _reviewing(pilot, keymap)

        async def at(file_index: int, hunk_index: int) -> None:
            pane.file_index = file_index
            pane.hunk_index = hunk_index
            await pilot.pause()

        for key in keys_of(keymap, "review.next_hunk"):
            await at(0, 0)
            await pilot.press(key)
            assert (pane.file_index, pane.hunk_index) == (0, 1), key
        for key in keys_of(keymap, "review.prev_hunk"):
            await at(0, 1)
            await pilot.press(key)
            assert (pane.file_index, pane.hunk_index) == (0, 0), key
        for key in keys_of(keymap, "review.next_file"):
            await at(0, 0)
            await pilot.press(key)
            assert pane.file_index == 1, key
        for key in keys_of(keymap, "review.prev_file"):
            await at(1, 0)
            await pilot.press(key)
            assert pane.file_index == 0, key
        for key in keys_of(keymap, "review.toggle_split"):
            before = pane.split
            await pilot.press(key)
            assert pane.split != before, key
        for key in keys_of(keymap, "review.comment"):
            await pilot.press(key)
            assert isinstance(app.focused, CommentInput), key
            await pilot.press("escape")
            assert pane.has_focus
        for key in keys_of(keymap, "review.copy"):
            app.copy_to_clipboard("")
            await pilot.press(key)
            await pilot.pause()
            assert app.clipboard.startswith("--- a/app/main.py"), key
        await at(0, 0)
        for key in keys_of(keymap, "review.accept_hunk"):
            await pilot.press(key)
            await settle(pilot)
            assert "Greet a user" in staged_diff(service_repo), key
            undo = keys_of(keymap, "review.undo")[0]
            await pilot.press(undo)
            await settle(pilot)
            assert staged_diff(service_repo) == "", key
        for key in keys_of(keymap, "review.accept_file"):
            await at(0, 0)
            await pilot.press(key)
            await settle(pilot)
            assert '"version"' in staged_diff(service_repo), key
            await pilot.press(keys_of(keymap, "review.undo")[0])
            await settle(pilot)
            assert app.workspace is not None
            while staged_diff(service_repo):
                await pilot.press(keys_of(keymap, "review.undo")[0])
                await settle(pilot)
        reject_keys = keys_of(keymap, "review.reject_hunk")
        await at(0, 0)
        hunks_before = sum(len(p.hunks) for p in pane.proposals)
        await pilot.press(reject_keys[0])
        await settle(pilot)
        assert sum(len(p.hunks) for p in pane.proposals) == hunks_before - 1
        for key in keys_of(keymap, "review.reject_file")[:1]:
            files_before = len(pane.proposals)
            await pilot.press(key)
            await settle(pilot)
            assert len(pane.proposals) == files_before - 1, key
        for key in keys_of(keymap, "review.back"):
            pane.focus()
            await pilot.press(key)
            assert isinstance(app.focused, PromptInput), key


@pytest.mark.parametrize("name", ["default", "vim", "emacs"])
async def test_app_checklist_conversation_and_prompt_keys(service_repo: Path, name: str) -> None:
    keymap = load_keymap(name, None)
    app, session = make_app(service_repo, [TWO_FILES, TWO_FILES], keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.main
        prompt = main.query_one(PromptInput)
        for key in keys_of(keymap, "prompt.newline"):
            prompt.clear()
            await pilot.press("a", key, "b")
            assert prompt.text == "a\nb", key
        prompt.clear()
        await pilot.press("x", keys_of(keymap, "prompt.send")[0])
        await settle(pilot)
        assert session().prompts == ["x"]
        for key in keys_of(keymap, "prompt.history_prev"):
            prompt.clear()
            await pilot.press(key)
            assert prompt.text == "x", key
            await pilot.press(keys_of(keymap, "prompt.history_next")[0])
            assert prompt.text == "", key

        for key in keys_of(keymap, "app.focus_checklist"):
            prompt.focus()
            await pilot.press(key)
            assert isinstance(app.focused, ChecklistPane), key
        checklist = main.query_one(ChecklistPane)
        for key in keys_of(keymap, "checklist.next"):
            checklist.highlighted = 1
            await pilot.press(key)
            assert checklist.highlighted == 2, key
        for key in keys_of(keymap, "checklist.prev"):
            checklist.highlighted = 2
            await pilot.press(key)
            assert checklist.highlighted == 1, key
        assert app.checklist is not None
        for key in keys_of(keymap, "checklist.toggle"):
            checklist.highlighted = 1
            item_id = checklist.get_option_at_index(1).id
            assert item_id is not None
            before = app.checklist.item(item_id).status
            await pilot.press(key)
            assert app.checklist.item(item_id).status != before, key
        for key in keys_of(keymap, "checklist.back"):
            checklist.focus()
            await pilot.press(key)
            assert isinstance(app.focused, PromptInput), key

        for key in keys_of(keymap, "app.focus_review"):
            prompt.focus()
            await pilot.press(key)
            assert isinstance(app.focused, ReviewPane), key
        for key in keys_of(keymap, "app.focus_prompt"):
            main.query_one(ReviewPane).focus()
            await pilot.press(key)
            assert isinstance(app.focused, PromptInput), key
        for key in keys_of(keymap, "app.next_pane"):
            prompt.focus()
            await pilot.press(key)
            assert isinstance(app.focused, ConversationPane), key
        for key in keys_of(keymap, "app.prev_pane"):
            prompt.focus()
            await pilot.press(key)
            assert isinstance(app.focused, ChecklistPane), key

        conversation = main.query_one(ConversationPane)
        conversation.focus()
        tool = conversation.query(ToolEntry).first()
        conversation.selected = conversation.entries.index(tool)
        for key in keys_of(keymap, "conversation.expand"):
            was_expanded = tool.expanded
            await pilot.press(key)
            assert tool.expanded != was_expanded, key
        for key in keys_of(keymap, "conversation.copy"):
            app.copy_to_clipboard("")
            await pilot.press(key)
            await pilot.pause()
            assert app.clipboard.startswith("Write app/main.py"), key

        for key in keys_of(keymap, "app.help"):
            main.query_one(ReviewPane).focus()
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen), key
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
        await pilot.press(keys_of(keymap, "app.quit")[0])
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("name", ["default", "vim", "emacs"])
async def test_help_lists_every_binding_with_the_active_keys(service_repo: Path, name: str) -> None:
    keymap = load_keymap(name, None)
    app, _ = make_app(service_repo, keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = {binding_id: (keys, text) for binding_id, keys, text in app.screen.rows}
        assert set(rows) == set(BINDINGS)
        for binding_id, description in BINDINGS.items():
            assert rows[binding_id] == (keymap[binding_id], description)


async def test_emacs_meta_keys_as_a_terminal_sends_them_recall_history(service_repo: Path) -> None:
    """A terminal sends M-p as Esc + p: Textual reports ``alt+p`` carrying ``p`` as its character, or (when the two
    bytes arrive apart) Esc then ``p``. Both recall the last prompt; neither types a ``p``."""
    from textual import events

    keymap = load_keymap("emacs", None)
    app, _ = make_app(service_repo, [TWO_FILES], keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        prompt = app.main.query_one(PromptInput)
        await send(pilot, "first")
        await settle(pilot)
        assert prompt.text == ""
        app.post_message(events.Key("alt+p", "p"))
        await settle(pilot)
        assert prompt.text == "first"
        app.post_message(events.Key("alt+n", "n"))
        await settle(pilot)
        assert prompt.text == ""
        for key, character in (("escape", "\x1b"), ("p", "p")):
            app.post_message(events.Key(key, character))
            await settle(pilot)
        assert prompt.text == "first"
        await pilot.press("x")
        assert prompt.text == "firstx", "after the chord, letters type again"


async def test_default_keymap_escape_then_p_types_p(service_repo: Path) -> None:
    from textual import events

    app, _ = make_app(service_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        prompt = app.main.query_one(PromptInput)
        for key, character in (("escape", "\x1b"), ("p", "p")):
            app.post_message(events.Key(key, character))
            await settle(pilot)
        assert prompt.text == "p", "no alt binding in the prompt: Esc is no prefix"


@pytest.mark.parametrize(
    ("name", "hint"), [("default", "unified · s toggles · y copies · ? keys"), ("emacs", "unified · t toggles")]
)
async def test_review_hints_name_the_active_keymaps_keys(service_repo: Path, name: str, hint: str) -> None:
    from backend_pair.tui.widgets.diff_view import DiffView

    keymap = load_keymap(name, None)
    app, _ = make_app(service_repo, [TWO_FILES], keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _reviewing(pilot, keymap)
        assert str(pane.border_subtitle).startswith(hint), pane.border_subtitle
        if name == "emacs":
            assert "s toggles" not in str(pane.border_subtitle), "s accepts in emacs"
            workspace = app.workspace
            assert workspace is not None
            path = pane.proposals[0].path
            (workspace.root / path).write_text("changed on disk\n" * 3)
            workspace.disk_changed([path])
            await app.refresh_review()
            await settle(pilot)
            text = " ".join(pane.query_one(DiffView).rendered_text().split())
            assert "r asks the agent to redo the change; K drops the proposal" in text, text[:300]
