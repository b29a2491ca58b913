"""``e`` / ``E`` edit the agent's hunk or file in ``$EDITOR``; ``u`` / ``U`` undo and redo any decision (Pilot)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backend_pair.agents.events import TurnEnded
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.widgets.diff_view import DiffView
from backend_pair.tui.widgets.review_pane import ReviewPane
from tests.tui.stand_ins import (
    MAIN_PY,
    MAIN_PY_PROPOSED,
    Propose,
    make_app,
    open_review,
    settle,
    staged_diff,
    wait_until,
)

PROPOSING = [Propose("app/main.py", MAIN_PY_PROPOSED), TurnEnded("end_turn", False)]

DOCSTRING = '    """Greet a user by name."""\n'
MINE = '    """Say hello to the user (the developer\'s words)."""\n'


def _editor(tmp_path: Path, old: str, new: str) -> Path:
    """An editor script that replaces ``old`` by ``new`` in the file it is given (as a developer would)."""
    script = tmp_path / "fake-editor.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "path = sys.argv[-1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        f"assert {old!r} in text, text\n"
        f"open(path, 'w', encoding='utf-8').write(text.replace({old!r}, {new!r}))\n"
    )
    script.chmod(0o755)
    return script


def _recorder(app: BackendPairApp, monkeypatch: pytest.MonkeyPatch, errors: list[str] | None = None) -> list[str]:
    """What the app says from now on (and, in ``errors``, what it says as an error)."""
    said: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append(message)
        if errors is not None and kwargs.get("severity") == "error":
            errors.append(message)
        original(message, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return said


async def _review(pilot: Pilot[int]) -> ReviewPane:
    return await open_review(pilot, "add docstrings")


async def test_e_edits_the_hunk_in_the_editor_and_a_accepts_exactly_the_edited_lines(
    service_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", f"{_editor(tmp_path, DOCSTRING, MINE)} --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: pane.current_hunk is not None and pane.current_hunk.edited, "the edit")
        hunk = pane.current_hunk
        assert hunk is not None and "the developer's words" in hunk.as_text() and "Greet a user" not in hunk.as_text()
        assert "edited by you" in pane.query_one(DiffView).rendered_text()
        await pilot.press("a")
        await settle(pilot)
        written = (service_repo / "app/main.py").read_text()
        assert MINE in written and '"version": "1"' not in written  # only the edited hunk
        staged = [
            line for line in staged_diff(service_repo).splitlines() if line[:1] in "+-" and line[:3] not in "+++---"
        ]
        assert staged == [
            '-    return "hello " + user.name',
            MINE.rstrip("\n").replace("    ", "+    ", 1),
            '+    return f"hello {user.name}"',
        ]
        assert app.workspace is not None and "changed it and accepted" in app.workspace.take_feedback()


async def test_capital_e_edits_the_whole_proposed_file(
    service_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", str(_editor(tmp_path, '"version": "1"', '"version": "2"')))
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("E")
        await wait_until(pilot, lambda: any(h.edited for h in pane.proposals[0].hunks), "the edit")
        assert pane.current_proposal is not None
        assert '"version": "2"' in pane.current_proposal.proposed
        assert pane.current_hunk is not None and pane.current_hunk.edited  # the cursor is on the edited hunk
        await pilot.press("A")
        await settle(pilot)
        assert '"version": "2"' in staged_diff(service_repo)


@pytest.mark.parametrize("editor", ["false", "/no/such/editor --wait"])
async def test_a_missing_or_failing_editor_is_one_line_and_changes_nothing(
    service_repo: Path, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        errors: list[str] = []
        _recorder(app, monkeypatch, errors)
        pane = await _review(pilot)
        before = pane.current_proposal
        await pilot.press("e")
        await wait_until(pilot, lambda: bool(errors), "the editor's failure said")
        [line] = errors
        assert "editor" in line
        assert "\n" not in line and "nothing changed" in line
        assert ("status 1" in line) if editor == "false" else ("not found" in line)
        await settle(pilot)
        assert pane.current_proposal == before
        await pilot.press("a")  # the pane still works
        await settle(pilot)
        assert staged_diff(service_repo) != ""


async def test_u_undoes_a_rejection_onto_the_restored_hunk_and_capital_u_redoes_it(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        second = pane.proposals[0].hunks[1]
        await pilot.press("right_square_bracket", "d")
        await settle(pilot)
        assert second.id not in [h.id for h in pane.proposals[0].hunks]
        await pilot.press("left_square_bracket")
        assert pane.hunk_index == 0
        await pilot.press("u")
        await wait_until(pilot, lambda: len(pane.proposals[0].hunks) == 2, "the rejection undone")
        await settle(pilot)
        assert pane.current_hunk is not None and pane.current_hunk.id == second.id  # the cursor is on it
        assert app.workspace is not None and app.workspace.take_feedback() == ""  # its line was never sent
        await pilot.press("U")
        await wait_until(pilot, lambda: len(pane.proposals[0].hunks) == 1, "the rejection redone")
        assert "Rejected hunk" in app.workspace.take_feedback()


async def test_u_undoes_decisions_of_every_kind_in_order(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        await pilot.press("a")  # accept the first hunk
        await settle(pilot)
        await pilot.press("c", *"why?", "enter")  # comment the second
        await settle(pilot)
        await pilot.press("D")  # reject the rest of the file
        await settle(pilot)
        assert pane.proposals == [] and staged_diff(service_repo) != ""
        await pilot.press("u")  # the whole-file rejection
        await wait_until(pilot, lambda: len(pane.proposals) == 1, "the file back")
        await settle(pilot)
        commented = pane.current_hunk
        assert commented is not None and commented.comments == ("why?",)
        await pilot.press("u")  # the comment
        await settle(pilot)
        uncommented = pane.current_hunk
        assert uncommented is not None and uncommented.comments == ()
        await pilot.press("u")  # the accept
        await settle(pilot)
        assert staged_diff(service_repo) == "" and (service_repo / "app/main.py").read_text() == MAIN_PY
        assert len(pane.proposals[0].hunks) == 2 and pane.hunk_index == 0


async def test_u_undoes_a_restore_of_a_command_s_hunk_onto_that_hunk(service_repo: Path) -> None:
    from tests.tui.stand_ins import RunCommand

    command = """sed -i 's/"hello "/"hi "/; s/"ok"}/"up"}/' app/main.py"""
    app, _ = make_app(service_repo, [[RunCommand(command), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _review(pilot)
        changed = (service_repo / "app" / "main.py").read_text()
        second = pane.proposals[0].hunks[1]
        await pilot.press("right_square_bracket", "d")  # restore the second hunk on disk
        await settle(pilot)
        assert '"up"' not in (service_repo / "app" / "main.py").read_text()
        await pilot.press("u")
        await wait_until(pilot, lambda: bool(pane.proposals) and len(pane.proposals[0].hunks) == 2, "the undo")
        await settle(pilot)
        assert (service_repo / "app" / "main.py").read_text() == changed
        assert pane.current_hunk is not None and pane.current_hunk.id == second.id
