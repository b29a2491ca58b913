"""Untrusted text never drives the terminal: every surface shows control characters as visible tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget

from backend_pair.agents.approval import BashDecision
from backend_pair.agents.events import AgentError, TextDelta, ToolCallFinished, ToolCallStarted, TurnEnded
from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.screens.approval import ApprovalScreen
from backend_pair.tui.widgets.conversation import ConversationPane, ToolEntry
from backend_pair.untrusted import has_controls, visible
from tests.tui.stand_ins import MAIN_PY, AskBash, Propose, make_app, send, settle, wait_until

RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach the terminal from a segment's text (a tab too: it is expanded)."""

SEQUENCES = {
    "osc-title": "\x1b]0;pwned\x07",
    "osc-52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "csi-clear-screen": "\x1b[2J",
    "csi-erase-and-move": "\x1b[2K\x1b[12G",
    "c1-csi": "\x9b2J",
    "bell-backspace": "\x07\x08",
    "delete": "\x7f",
    "bidi-override": "\u202eevil\u202c and \u2066isolate\u2069",
    "carriage-return": "safe\rEVIL",
    "tab": "a\tb",
}


def _segment_texts(widget: Widget) -> list[str]:
    width, height = widget.size
    if not width or not height:
        return []
    return [segment.text for strip in widget.render_lines(Region(0, 0, width, height)) for segment in strip]


def _leaks(app: BackendPairApp) -> list[tuple[str, str]]:
    found = []
    for widget in app.screen.query("*"):
        for text in _segment_texts(widget):
            if RAW_CONTROL.search(text):
                found.append((type(widget).__name__, text))
    return found


@pytest.mark.parametrize("name", list(SEQUENCES))
async def test_every_surface_shows_controls_visibly(service_repo: Path, name: str) -> None:
    seq = SEQUENCES[name]
    hostile = f"before {seq} after"
    turn = [
        TextDelta(f"An answer {hostile}.\n\n```python\nprint('{hostile}')\n```\n"),
        ToolCallStarted("r1", "Read", f"Read app/{hostile}.py", {"file_path": f"app/{hostile}.py"}),
        ToolCallFinished("r1", "Read", f"Read app/{hostile}.py", f"     1\t{hostile}", False),
        Propose("app/main.py", MAIN_PY.replace("def add", f"# {hostile}\ndef add")),
        AgentError(f"The API said: {hostile}", "api"),
        AskBash(f"echo {hostile}", description=f"why {hostile}"),
        TurnEnded("end_turn", False),
    ]
    app, _ = make_app(service_repo, [turn])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval")
        await pilot.pause()
        assert _leaks(app) == [], "approval"
        await pilot.press("y")
        await settle(pilot)
        pane = app.main.query_one(ConversationPane)
        read = pane.query(ToolEntry).first()
        read.expanded = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert _leaks(app) == []
        shown = "".join(text for widget in app.screen.query("*") for text in _segment_texts(widget))
        # Blanks aside: a line that wraps at a blank inside the sequence drops that blank.
        expected = visible(seq, multiline=False).replace("\\x0a", "").replace(" ", "")
        assert expected in shown.replace(" ", "") or name == "tab"


async def test_a_spoofed_command_is_shown_whole_with_a_warning_and_runs_as_shown(service_repo: Path) -> None:
    command = "touch X #\x1b[2K\x1b[12G$ ls -la\x1b[8m"
    app, session = make_app(service_repo, [[AskBash(command), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval")
        await pilot.pause()
        modal = app.screen
        text = "".join(t for widget in modal.query("*") for t in _segment_texts(widget))
        assert "$ touch X #␛[2K␛[12G$ ls -la␛[8m" in text
        assert "control characters" in text
        await pilot.press("y")
        await settle(pilot)
    assert session().decisions == [BashDecision("once")]


async def test_a_long_command_is_all_there_and_scrolls(service_repo: Path) -> None:
    command = " && ".join(f"echo step-{n:03d}" for n in range(120))
    app, _ = make_app(service_repo, [[AskBash(command), TurnEnded("end_turn", False)]])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval")
        await pilot.pause()
        box = app.screen.query_one("#approval-command-box")
        assert app.focused is box
        assert box.virtual_size.height > box.size.height  # longer than the box: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y > 0
        assert "step-119" in str(app.screen.query_one("#approval-command").render())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[2Jb", "a␛[2Jb"),
        ("bell\x07", "bell\\x07"),
        ("\u202eabc", "<U+202E>abc"),
        ("x\x9by", "x\\x9by"),
        ("del\x7f", "del\\x7f"),
        ("a\tb", "a   b"),
        ("line\r\nnext", "line\nnext"),
        ("over\rwrite", "over\\x0dwrite"),
        ("plain ünïcödé → ✓ 漢字 😀", "plain ünïcödé → ✓ 漢字 😀"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert has_controls(text) == (text.replace("\r\n", "\n").replace("\t", "") != shown.replace("   ", ""))


def test_visible_one_line() -> None:
    assert visible("a\nb", multiline=False) == "a\\x0ab"
