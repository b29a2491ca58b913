"""The streamed answer: cut into pieces rendered once, it shows exactly what the whole Markdown renders to."""

from __future__ import annotations

import pytest
from rich.markdown import Markdown
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Static

from backend_pair import pacing
from backend_pair.pacing import SETTLED_CHUNK
from backend_pair.tui.widgets import agent_entry
from backend_pair.tui.widgets.agent_entry import AgentEntry, settled_cuts
from backend_pair.untrusted import visible
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
    monkeypatch.setattr(pacing, "RENDER_STEP", 0.0)  # one piece per step: the second renders in a loop step
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
    monkeypatch.setattr(pacing, "RENDER_STEP", 0.0)  # one piece per step: the new width takes many steps
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


HUGE_ANSWER = "\n\n".join([*BLOCKS] * 700) + "\n\nDone. ENDMARK"
"""About 2 MB of Markdown."""


class Counting(AgentEntry):
    """An answer that counts the pieces it renders."""

    rendered = 0

    def _render_piece(self, markdown: str, continued: bool) -> list[list[Segment]]:
        Counting.rendered += 1
        return super()._render_piece(markdown, continued)


class HugeAnswer(App[int]):
    CSS = "Counting { width: 80; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield Counting()


def text_of(entry: AgentEntry) -> list[str]:
    return [entry.render_line(y).text for y in range(entry.line_count)]


async def test_a_huge_answer_collapses_to_its_last_part_and_enter_shows_all(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tenth of the real sizes (200 KB shown of 2 MB): the same steps, a tenth of the rendering; bench/huge_answer.py
    # measures the real sizes.
    monkeypatch.setattr(pacing, "COLLAPSE_CHARS", pacing.COLLAPSE_CHARS // 10)
    answer = "\n\n".join([*BLOCKS] * 70) + "\n\nDone. ENDMARK"
    assert len(answer) > 200_000
    Counting.rendered = 0
    app = HugeAnswer()
    async with app.run_test(size=(100, 50)) as pilot:
        entry = app.query_one(Counting)
        await pilot.pause()
        entry.append(answer)
        entry.render_now()
        await wait_until(pilot, lambda: entry.up_to_date, "the shown part rendered", tries=5000)
        lines = text_of(entry)
        assert "of this answer above" in lines[0] and "Enter to show all" in lines[0]
        assert any("ENDMARK" in line for line in lines)
        assert not any(line.strip() == "Plan" for line in lines[:3]), "the start of the answer is not shown"
        shown_pieces = len(entry._pieces) - entry._first_shown
        assert Counting.rendered <= shown_pieces + 2, "pieces above the shown part are never rendered"
        assert entry.collapsed_chars > 150_000
        assert entry.raw == visible(answer), "copy still has all of it"

        entry.show_all()
        await wait_until(pilot, lambda: entry.up_to_date, "all of it rendered", tries=50_000)
        lines = text_of(entry)
        assert "Plan" in lines[0] and any("ENDMARK" in line for line in lines[-3:])
        assert entry.collapsed_chars == 0


async def test_an_ending_answer_never_renders_much_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "RENDER_STEP", 0.0)  # one piece per step
    app = HugeAnswer()
    async with app.run_test(size=(100, 50)) as pilot:
        entry = app.query_one(Counting)
        await pilot.pause()
        Counting.rendered = 0
        entry.append(HUGE_ANSWER[:150_000])
        entry.render_now()
        assert Counting.rendered <= 2, "the rest is rendered a step at a time, keys handled in between"
        assert not entry.up_to_date
        await wait_until(pilot, lambda: entry.up_to_date, "caught up", tries=5000)


async def test_a_huge_code_block_keeps_the_tail_short_and_stays_code() -> None:
    code = "".join(f"# comment {n}\nvalue_{n} = compute({n})\n" for n in range(1500))  # 60 KB: seven tail limits
    answer = f"Here is the module:\n\n```python\n{code}```\n\nThat is all."
    app = HugeAnswer()
    async with app.run_test(size=(100, 50)) as pilot:
        entry = app.query_one(Counting)
        await pilot.pause()
        for start in range(0, len(answer), 500):
            entry.append(answer[start : start + 500])
            entry._settle()
            assert len(entry._tail) <= pacing.TAIL_LIMIT + 600
        entry.render_now()
        await wait_until(pilot, lambda: entry.up_to_date, "rendered", tries=5000)
        lines = text_of(entry)
        comments = [line for line in lines if "comment" in line]
        assert len(comments) == 1500
        assert all("# comment" in line for line in comments), "a cut inside the fence keeps the rest code"
        assert any("That is all." in line for line in lines)


def test_a_forced_cut_closes_and_reopens_the_fence() -> None:
    tail = "intro\n~~~~sql\n" + "select 1;\n" * 100
    cut, close, reopen = agent_entry.forced_cut(tail, 200)
    assert tail[:cut].endswith("select 1;\n") and cut <= 200
    assert (close, reopen) == ("~~~~\n", "~~~~sql\n")
    assert agent_entry.forced_cut("word " * 100, 52) == (50, "", "")


class Typing(App[int]):
    """A huge answer beside a prompt; records, for each change of the prompt, whether the answer was all drawn."""

    CSS = "Counting { width: 80; height: 20; } TextArea { height: 3; }"

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[tuple[str, bool]] = []

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        yield Counting()
        yield TextArea(id="prompt")

    def on_text_area_changed(self, event: object) -> None:
        from textual.widgets import TextArea

        self.changes.append((self.query_one(TextArea).text, self.query_one(Counting).up_to_date))


async def test_keys_typed_as_a_huge_answer_ends_are_handled_while_it_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual import events

    monkeypatch.setattr(pacing, "RENDER_STEP", 0.0)  # one piece per loop step
    app = Typing()
    async with app.run_test(size=(100, 40)) as pilot:
        entry = app.query_one(Counting)
        app.query_one("#prompt").focus()
        await pilot.pause()
        entry.append(HUGE_ANSWER)
        entry.render_now()
        burst = "qwertyuiop"
        for key in burst:
            event = events.Key(key, key)
            event.set_sender(app)
            app.post_message(event)  # as the driver's input thread hands keys to the app
        await wait_until(pilot, lambda: bool(app.changes) and app.changes[-1][0] == burst, "every key", tries=5000)
        assert app.changes[-1] == (burst, False), "the last key arrived before the answer finished rendering"
        await wait_until(pilot, lambda: entry.up_to_date, "caught up", tries=5000)
