"""The streamed answer: cut into pieces rendered once, it shows exactly what the whole Markdown renders to."""

from __future__ import annotations

import pytest
from rich.markdown import Markdown
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Static

from backend_pair.tui.widgets import agent_entry
from backend_pair.tui.widgets.agent_entry import SETTLED_CHUNK, AgentEntry, settled_cuts
from tests.tui.stand_ins import wait_until

PARAGRAPH = "The handler checks the request body, stores the order and returns its id with a `201` status. " * 3

BLOCKS = [
    "# Plan",
    PARAGRAPH,
    "> A quote that starts a block,\n> on two lines.",
    PARAGRAPH,
    "- a loose list item\n\n- another item\n\n  with a continuation paragraph",
    PARAGRAPH,
    "1. first\n2. second\n\n3. third, after a blank line",
    "```python\ndef handler(request):\n\n    return service.process(request)\n```",
    PARAGRAPH,
    "---",
    "After a rule.",
    "| name | kind |\n|------|------|\n| order | table |",
    PARAGRAPH,
    "~~~~\nA tilde fence with ``` inside\n\nand a blank line\n~~~~",
    "## Step 2",
    PARAGRAPH * 4,
]
LONG_ANSWER = "\n\n".join([*BLOCKS, *BLOCKS, "Done: *all* of it. ENDMARK"])
"""Markdown of every kind of block, several times ``SETTLED_CHUNK`` long."""


def lines_of(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    """Strips as comparable lists of (text, style)."""
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


class Answers(App[int]):
    """A streamed answer beside the whole Markdown in a ``Static``, at the same width."""

    CSS = "AgentEntry, Static { width: 60; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield AgentEntry()
        yield Static(Markdown(LONG_ANSWER), id="whole")


def shown(widget: AgentEntry | Static) -> list[list[tuple[str, object]]]:
    return lines_of([widget.render_line(y) for y in range(widget.size.height)])


def test_cuts_keep_fences_lists_and_rules_whole() -> None:
    text = "para\n\n```\ncode\n\nmore code\n```\n\n- item\n\n- item\n\nafter\n\n***\n\nend\n"
    cuts = settled_cuts(text, 0)
    assert [text[cut:].split("\n", 1)[0] for cut in cuts] == ["```", "after", "***"]


def test_cuts_make_pieces_of_at_least_the_minimum() -> None:
    cuts = settled_cuts(LONG_ANSWER, SETTLED_CHUNK)
    starts = [0, *cuts]
    assert len(cuts) >= 3
    assert all(end - start >= SETTLED_CHUNK for start, end in zip(starts, cuts, strict=False))


async def test_streamed_answer_shows_what_the_whole_markdown_renders_to() -> None:
    app = Answers()
    async with app.run_test(size=(80, 300)) as pilot:
        entry = app.query_one(AgentEntry)
        for start in range(0, len(LONG_ANSWER), 37):
            entry.append(LONG_ANSWER[start : start + 37])
            if start % 370 == 0:
                await pilot.pause()
        entry.render_now()
        await pilot.pause()
        whole = shown(app.query_one("#whole", Static))
        assert len(entry._pieces) >= 3  # the test covers pieces rendered on their own
        assert shown(entry) == whole


async def test_streaming_answer_catches_up_to_all_its_text_before_it_ends() -> None:
    app = Answers()
    async with app.run_test(size=(80, 300)) as pilot:
        entry = app.query_one(AgentEntry)
        await pilot.pause()
        entry.append(LONG_ANSWER)
        assert not entry.up_to_date, "a long answer is rendered a step at a time"
        await wait_until(
            pilot, lambda: any("ENDMARK" in strip.text for strip in map(entry.render_line, range(entry.line_count))), ""
        )
        assert entry.up_to_date
        assert shown(entry) == shown(app.query_one("#whole", Static))


async def test_selecting_an_answer_renders_it_in_the_new_style() -> None:
    app = Answers()
    async with app.run_test(size=(80, 300)) as pilot:
        entry = app.query_one(AgentEntry)
        entry.append(LONG_ANSWER)
        entry.render_now()
        await pilot.pause()
        before = shown(entry)
        entry.styles.background = "red"
        await pilot.pause()
        assert shown(entry) != before
        assert all(segment.style is None or segment.style.bgcolor is not None for segment in entry.render_line(0))


async def test_a_render_step_that_fails_fails_the_app_like_a_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_entry, "RENDER_STEP", 0.0)  # one piece per step: the second renders in a loop step
    rendered: list[str] = []

    def render_once(markdown: str, continued: bool) -> list[list[Segment]]:
        if rendered:
            raise RuntimeError("the second piece failed")
        rendered.append(markdown)
        return []

    app = Answers()
    with pytest.raises(RuntimeError, match="the second piece failed"):
        async with app.run_test(size=(80, 300)) as pilot:
            entry = app.query_one(AgentEntry)
            await pilot.pause()
            monkeypatch.setattr(entry, "_render_piece", render_once)
            entry.append(LONG_ANSWER)
            for _ in range(10):
                await pilot.pause()
    assert len(rendered) == 1


async def test_streaming_answer_renders_again_at_a_new_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(agent_entry, "RENDER_STEP", 0.0)  # one piece per step: the new width takes many steps
    app = Answers()
    async with app.run_test(size=(80, 300)) as pilot:
        entry = app.query_one(AgentEntry)
        await pilot.pause()
        entry.append(LONG_ANSWER)
        await wait_until(pilot, lambda: entry.line_count == len(shown(app.query_one("#whole", Static))), "caught up")
        entry.styles.width = 50
        whole = app.query_one("#whole", Static)
        whole.styles.width = 50
        await wait_until(pilot, lambda: shown(entry) == shown(whole), "rendered at the new width")
