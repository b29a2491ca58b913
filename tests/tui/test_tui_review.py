"""The review pane driven by its keys against a real workspace on a real git repository."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from backend_pair.agents.events import TurnEnded
from backend_pair.tui.widgets.comment_input import CommentInput
from backend_pair.tui.widgets.diff_view import DiffView
from backend_pair.tui.widgets.file_list import FileList
from backend_pair.tui.widgets.review_pane import ReviewPane
from backend_pair.tui.widgets.status_line import StatusLine
from tests.tui.stand_ins import (
    MAIN_PY,
    MAIN_PY_PROPOSED,
    TEST_PY,
    Propose,
    RunCommand,
    make_app,
    open_review,
    settle,
    staged_diff,
)

TWO_FILES = [
    Propose("app/main.py", MAIN_PY_PROPOSED),
    Propose("tests/test_main.py", TEST_PY),
    TurnEnded("end_turn", False),
]


async def _review(pilot: Pilot[int]) -> ReviewPane:
    """Send a prompt whose turn proposes two files (three hunks), then focus the review pane."""
    return await open_review(pilot, "add docstrings and a test")


async def test_files_and_hunks_listed_after_a_turn(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        assert [p.path for p in pane.proposals] == ["app/main.py", "tests/test_main.py"]
        assert [len(p.hunks) for p in pane.proposals] == [2, 1]
        status = app.main.query_one(StatusLine)
        assert (status.pending_hunks, status.staged_hunks) == (3, 0)


async def test_next_and_previous_hunk_cross_files(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        assert (pane.file_index, pane.hunk_index) == (0, 0)
        await pilot.press("right_square_bracket")
        assert (pane.file_index, pane.hunk_index) == (0, 1)
        await pilot.press("right_square_bracket")
        assert (pane.file_index, pane.hunk_index) == (1, 0)
        await pilot.press("left_square_bracket")
        assert (pane.file_index, pane.hunk_index) == (0, 1)
        await pilot.press("right_curly_bracket")
        assert pane.file_index == 1
        await pilot.press("left_curly_bracket")
        assert (pane.file_index, pane.hunk_index) == (0, 0)


async def test_accept_hunk_stages_exactly_that_hunk(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("a")
        await settle(pilot)
        diff = staged_diff(service_repo)
        assert '"""Greet a user by name."""' in diff
        assert '"version"' not in diff
        assert pane.current_proposal is not None and pane.current_proposal.path == "app/main.py"
        assert len(pane.current_proposal.hunks) == 1
        status = app.main.query_one(StatusLine)
        assert (status.pending_hunks, status.staged_hunks) == (2, 1)


async def test_reject_hunk_leaves_disk_alone_and_moves_on(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert (service_repo / "app/main.py").read_text() == MAIN_PY
        assert staged_diff(service_repo) == ""
        assert pane.current_hunk is not None
        assert any('"version"' in line.text for line in pane.current_hunk.lines)
        assert app.workspace is not None and app.workspace.has_feedback()


async def test_after_last_hunk_of_a_file_the_next_file_is_selected(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert pane.current_proposal is not None
        assert pane.current_proposal.path == "tests/test_main.py"


async def test_accept_and_reject_whole_files(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert (service_repo / "app/main.py").read_text() == MAIN_PY_PROPOSED
        assert [p.path for p in pane.proposals] == ["tests/test_main.py"]
        await pilot.press("D")
        await settle(pilot)
        assert pane.proposals == []
        assert not (service_repo / "tests/test_main.py").exists()
        assert "tests/test_main.py" not in staged_diff(service_repo)


async def test_undo_last_accept(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert staged_diff(service_repo) != ""
        await pilot.press("u")
        await settle(pilot)
        assert staged_diff(service_repo) == ""
        assert (service_repo / "app/main.py").read_text() == MAIN_PY
        assert pane.current_proposal is not None and len(pane.current_proposal.hunks) == 2


async def test_comment_saved_with_enter_and_dropped_with_escape(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("c")
        comment = pane.query_one(CommentInput)
        assert comment.has_focus
        await pilot.press(*"use an f-string", "enter")
        await settle(pilot)
        assert pane.has_focus
        assert pane.current_hunk is not None and pane.current_hunk.comments == ("use an f-string",)
        await pilot.press("c", *"never mind", "escape")
        await settle(pilot)
        assert pane.has_focus
        assert pane.current_hunk.comments == ("use an f-string",)
        assert app.workspace is not None and "use an f-string" in app.workspace.take_feedback()


async def test_split_toggle_and_automatic_split_when_wide(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        assert not pane.split
        await pilot.press("s")
        assert pane.split
        assert "│" in pane.query_one(DiffView).rendered_text()
        await pilot.press("s")
        assert not pane.split
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(300, 60)) as pilot:
        pane = await _review(pilot)
        assert pane.split


async def test_copy_puts_the_hunk_on_the_clipboard(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        await _review(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("--- a/app/main.py\n+++ b/app/main.py\n@@ ")
        assert '+    """Greet a user by name."""' in app.clipboard


async def test_escape_goes_back_to_the_prompt(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [TWO_FILES])
    async with app.run_test(size=(120, 40)) as pilot:
        await _review(pilot)
        await pilot.press("escape")
        assert app.focused is app.main.query_one("#prompt")


async def test_conflict_shows_both_sides_and_r_asks_for_a_redo(service_repo: Path) -> None:
    conflicting = MAIN_PY.replace('return "hello " + user.name', 'return "hi " + user.name')
    app, session = make_app(service_repo, [TWO_FILES, [TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        (service_repo / "app/main.py").write_text(conflicting)
        assert app.workspace is not None
        app.workspace.disk_changed(["app/main.py"])
        await app.refresh_review()
        await pilot.pause()
        assert pane.current_proposal is not None and pane.current_proposal.conflict is not None
        body = pane.query_one(DiffView).rendered_text()
        assert "--- on disk (yours)" in body and "+++ agent's proposal" in body
        assert 'return "hi " + user.name' in body and '"""Greet a user by name."""' in body
        await pilot.press("a")
        await settle(pilot)
        assert (service_repo / "app/main.py").read_text() == conflicting
        await pilot.press("r")
        await settle(pilot)
        assert session().prompts[-1].startswith("Your proposal for app/main.py conflicted")
        assert [p.path for p in pane.proposals] == ["tests/test_main.py"]


async def test_long_lines_scroll_sideways(service_repo: Path) -> None:
    long_line = "    return {" + ", ".join(f'"key{n}": {n}' for n in range(30)) + "}"
    proposed = MAIN_PY.replace('    return {"status": "ok"}', long_line)
    app, _ = make_app(service_repo, [[Propose("app/main.py", proposed), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        diff = pane.query_one(DiffView)
        assert diff.max_scroll_x > 0, "long lines are not wrapped"
        await pilot.press("right")
        await pilot.pause()
        assert diff.scroll_x > 0
        await pilot.press("left")
        await pilot.pause()
        assert diff.scroll_x == 0


def _screen_row(diff: DiffView, containing: str) -> str:
    """The row of the diff on screen whose text holds ``containing``."""
    for y in range(diff.scrollable_content_region.height):
        text = "".join(segment.text for segment in diff.render_line(y))
        if containing in text:
            return text
    raise AssertionError(f"no row on screen holds {containing!r}")


async def test_sideways_scroll_keeps_numbers_home_resets_and_w_wraps(service_repo: Path) -> None:
    long_line = "    return {" + ", ".join(f'"key{n}": {n}' for n in range(30)) + "}"
    proposed = MAIN_PY.replace('    return {"status": "ok"}', long_line)
    long_test = TEST_PY + "# " + "wide " * 60 + "\n"
    turn = [Propose("app/main.py", proposed), Propose("tests/test_main.py", long_test), TurnEnded("end_turn", False)]
    app, _ = make_app(service_repo, [turn])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        diff = pane.query_one(DiffView)
        assert not pane.split
        before = _screen_row(diff, '"key0"')
        sign = before.index("+ ")
        await pilot.press("right", "right")
        await pilot.pause()
        assert diff.scroll_x == 16
        after = _screen_row(diff, '"key')
        assert after[: sign + 2] == before[: sign + 2], "the mark, line numbers and + stay in place"
        assert after[sign + 2 :].startswith(before[sign + 2 + 16 :]), "the code moved 16 columns"
        await pilot.press("home")
        await pilot.pause()
        assert diff.scroll_x == 0
        await pilot.press("right", "right_curly_bracket")
        await pilot.pause()
        assert pane.file_index == 1 and diff.max_scroll_x > 0
        assert diff.scroll_x == 0, "each file starts at column 0"
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert pane.wrap and diff.max_scroll_x == 0, "wrapped: nothing to scroll"
        body = diff.rendered_text()
        assert "↪ " in body and '"key29": 29}' in body
        await pilot.press("w")
        await pilot.pause()
        assert diff.max_scroll_x > 0 and "↪ " not in diff.rendered_text()


async def test_a_proposed_contract_that_does_not_validate_is_flagged(service_repo: Path) -> None:
    spec = "openapi: 3.0.3\ninfo:\n  title: Orders\npaths: {}\n"
    app, _ = make_app(service_repo, [[Propose("openapi.yaml", spec), *TWO_FILES]])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.pause()
        assert pane.problems == {"openapi.yaml": "openapi.yaml:2: 'version' is a required property (at info)"}
        shown = next(i for i, p in enumerate(pane.proposals) if p.path == "openapi.yaml")
        pane.file_index = shown
        await pilot.pause()
        line = app.main.query_one("#review-note", Static)
        assert line.display
        assert "does not validate: openapi.yaml:2: 'version' is a required property" in str(line.render())
        files = app.main.query_one(FileList)
        assert "⚠ invalid" in str(files.get_option_at_index(shown).prompt)
        pane.file_index = next(i for i, p in enumerate(pane.proposals) if p.path == "app/main.py")
        await pilot.pause()
        assert not line.display


async def test_a_command_s_changes_are_kept_or_restored_from_the_review_pane(service_repo: Path) -> None:
    command = """sed -i 's/"hello "/"hi "/; s/"ok"}/"up"}/' app/main.py"""
    app, _ = make_app(service_repo, [[RunCommand(command), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        [view] = pane.proposals
        assert (view.path, view.origin, len(view.hunks)) == ("app/main.py", command, 2)
        files = app.main.query_one(FileList)
        assert "changed by Bash, 2 hunks" in str(files.get_option_at_index(0).prompt)
        note = app.main.query_one("#review-note", Static)
        assert note.display and f"changed by Bash `{command}`" in str(note.render())
        await pilot.press("a")
        await settle(pilot)
        staged = staged_diff(service_repo)
        assert '+    return "hi " + user.name' in staged and '"up"' not in staged
        await pilot.press("d")
        await settle(pilot)
        text = (service_repo / "app" / "main.py").read_text()
        assert '"hi " + user.name' in text and '{"status": "ok"}' in text
        assert pane.proposals == []
        assert app.main.query_one(StatusLine).staged_hunks == 0  # keeping a command's hunk is not an agent accept


async def test_ctrl_z_rewinds_a_file_to_before_a_turn_as_a_proposal(service_repo: Path) -> None:
    from backend_pair.tui.screens.rewind import RewindScreen

    app, _ = make_app(service_repo, [[TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        workspace = app.workspace
        assert workspace is not None
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert not isinstance(app.screen, RewindScreen)  # no checkpoint yet: a warning, no modal
        workspace.checkpoint("make it shout")
        main = service_repo / "app" / "main.py"
        main.write_text(MAIN_PY.replace('"hello "', '"HELLO "'))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert isinstance(app.screen, RewindScreen)
        await pilot.press("enter")  # the checkpoint
        await settle(pilot)
        await pilot.press("enter")  # app/main.py, the only file changed since
        await settle(pilot)
        assert not isinstance(app.screen, RewindScreen)
        pane = app.main.query_one(ReviewPane)
        assert pane.current_proposal is not None and pane.current_proposal.path == "app/main.py"
        assert pane.current_proposal.proposed == MAIN_PY
        await pilot.press("a")
        await settle(pilot)
        assert main.read_text() == MAIN_PY
