"""A block of the agent's answer: Rich Markdown rendered to lines once per finished block, streamed cheaply."""

from __future__ import annotations

import asyncio
import copy
import functools
import io
import re
import time
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.strip import Strip
from textual.widget import Widget

from backend_pair import pacing
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from rich.console import RenderableType
    from rich.markdown import Markdown as RichMarkdown
    from textual.geometry import Size
    from textual.style import Style
    from textual.timer import Timer

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
Line = list[Segment]
"""A rendered line (a ``Strip`` is made of it only when it is drawn: a ``Strip`` carries seven caches, and an
answer's thousands of lines are kept for as long as it is on screen)."""

_NOTICE_STYLE = RichStyle(dim=True, italic=True)

_LEAD = "x\n\n"
"""A one-line paragraph rendered before a block that continues an answer, so the block is laid out as it would be
after the blocks before it (Rich puts the blank line between blocks, and some blocks start with their own)."""


def render_markdown(markdown: str) -> RenderableType:
    """Rich's Markdown for ``markdown`` (imported on first use: it is not on the path to the first frame).

    Rich builds a new Markdown parser for each ``Markdown`` (a third of a millisecond, more than parsing a piece of
    an answer takes): this copies a blank one and parses with one parser, configured as Rich configures its own.
    """
    blank, parser = _markdown_parts()
    rendered = copy.copy(blank)
    rendered.markup = markdown
    rendered.parsed = parser.parse(markdown)
    return rendered


@functools.cache
def _markdown_parts() -> tuple[RichMarkdown, MarkdownIt]:
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown

    return Markdown(""), MarkdownIt().enable("strikethrough").enable("table")


def warm_markdown() -> None:
    """Render a little Markdown with a code block off screen, so that the first answer does not pay for loading
    the Markdown parser and the code highlighter (safe in a thread: it uses a console of its own)."""
    from rich.console import Console

    console = Console(width=80, file=io.StringIO(), force_terminal=True, color_system="truecolor")
    console.print(render_markdown("# Warm\n\nSome *text*, `code`:\n\n- item\n\n```python\nx = 1\n```\n"))


def _raise(error: Exception) -> None:
    raise error


def settled_cuts(markdown: str, minimum: int) -> list[int]:
    """Where ``markdown`` can be cut into pieces of at least ``minimum`` characters that render alike on their own.

    A cut is after a blank line outside a code fence, before an unindented line that does not start a list item
    (a loose list's items, or an item's continuation, stay together), and not after a thematic break (after which
    Rich puts no blank line). The text after the last cut is not settled: it may still grow into the block before.
    """
    cuts: list[int] = []
    last = 0
    position = 0
    fence = ""
    previous_blank = False
    previous_break = False
    for line in markdown.splitlines(keepends=True):
        stripped = line.strip()
        if (
            previous_blank
            and not fence
            and stripped
            and not line[0].isspace()
            and not previous_break
            and not _LIST_ITEM.match(line)
            and position - last >= minimum
        ):
            cuts.append(position)
            last = position
        opening = _FENCE.match(line)
        if not fence:
            if opening is not None:
                fence = opening.group(1)
        elif opening is not None and stripped.startswith(fence) and not stripped.lstrip(fence[0]):
            fence = ""  # a closing fence: the same character, at least as long, nothing after it
        if stripped:
            previous_break = not fence and _THEMATIC_BREAK.match(line) is not None
        previous_blank = not stripped
        position += len(line)
    return cuts


def forced_cut(tail: str, limit: int) -> tuple[int, str, str]:
    """Where to cut a tail that found no cut of its own within ``limit`` characters (a huge code block or paragraph).

    The cut is at the last line end within ``limit`` (inside an over-long line: its last space, else ``limit``). A cut
    inside a code fence closes the fence in the piece before and opens it again, with its info string, after.

    Returns:
        ``(cut, close, reopen)``: the offset, what to append to the piece before it and prefix to the text after.
    """
    position = 0
    cut = 0
    fence = ""
    opener = ""
    fence_at_cut = ("", "")
    for line in tail.splitlines(keepends=True):
        if position + len(line) > limit:
            break
        position += len(line)
        stripped = line.strip()
        opening = _FENCE.match(line)
        if not fence:
            if opening is not None:
                fence, opener = opening.group(1), line if line.endswith("\n") else line + "\n"
        elif opening is not None and stripped.startswith(fence) and not stripped.lstrip(fence[0]):
            fence = opener = ""
        if line.endswith("\n"):
            cut = position
            fence_at_cut = (fence, opener)
    if cut == 0:  # one line longer than the limit: cut it at a space (or anywhere)
        space = tail.rfind(" ", 0, limit)
        return (space + 1 if space > 0 else limit), "", ""
    fence, opener = fence_at_cut
    return (cut, f"{fence}\n", opener) if fence else (cut, "", "")


def _size(chars: int) -> str:
    return f"{chars / 1_000_000:.1f} MB" if chars >= 1_000_000 else f"{chars / 1000:.0f} KB"


class AgentEntry(Widget):
    """A block of the agent's answer as Rich Markdown, re-rendered (throttled) as it streams.

    The answer is kept as lines rendered the way a ``Static`` renders it, at the current width and style. Finished
    Markdown blocks settle in pieces of about ``SETTLED_CHUNK`` characters that are rendered once; only the
    unfinished tail (never longer than ``TAIL_LIMIT``) is rendered again on each update, so an update costs the same
    however long the answer is. Rendering is done a few milliseconds at a time with the event loop running in
    between (keys are echoed meanwhile), and the screen keeps the previous lines until the new ones are all
    rendered; only a small answer (``SYNC_CHARS``) is rendered at once. Past ``COLLAPSE_CHARS``, only the answer's
    last ``COLLAPSE_CHARS`` are rendered and shown, under a line saying how much is above; :meth:`show_all`
    (Enter on the selected answer) renders all of it, a step at a time.
    """

    DEFAULT_CSS = """
    AgentEntry {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        background: transparent;
    }
    """

    def __init__(self, markdown: str = "") -> None:
        """Start an answer block (empty when it is about to be streamed)."""
        super().__init__()
        self._received: list[str] = []
        self._received_chars = 0
        self._pieces: list[str] = []
        self._piece_chars: list[int] = []
        self._tail = ""
        self._tail_version = 0
        self._width = 0
        self._style: Style | None = None
        self._piece_lines: list[list[Line] | None] = []
        self._tail_lines: list[Line] = []
        self._lines: list[Line] = []
        self._tail_of: tuple[int, int] | None = None
        self._first_shown = 0
        self._all_shown = False
        self._rendered_at = 0.0
        self._render_timer: Timer | None = None
        self._render_step: asyncio.Handle | None = None
        self._streaming = False
        if markdown:
            self._receive(markdown)
            self._settle()

    @property
    def raw(self) -> str:
        """The Markdown received so far (control characters made visible: the model's text is untrusted)."""
        if len(self._received) > 1:
            self._received[:] = ["".join(self._received)]
        return self._received[0] if self._received else ""

    @property
    def line_count(self) -> int:
        """Lines of the answer on screen."""
        return len(self._lines)

    @property
    def collapsed_chars(self) -> int:
        """Characters of the answer above what is shown (0 when all of it is)."""
        return sum(self._piece_chars[: self._first_shown])

    @property
    def up_to_date(self) -> bool:
        """Whether every character meant to be shown is rendered and shown (no render waiting or under way)."""
        return (
            self._render_timer is None
            and self._render_step is None
            and self._next_unrendered() is None
            and self._tail_of == (len(self._pieces), self._tail_version)
        )

    def append(self, text: str) -> None:
        """Add streamed text; the Markdown is re-rendered at most every ``STREAM_RENDER_INTERVAL`` seconds."""
        self._receive(text)
        self._streaming = True
        if self._render_timer is not None:
            return
        wait = self._rendered_at + pacing.STREAM_RENDER_INTERVAL - time.monotonic()
        if wait <= 0:
            self._update()
        else:
            self._render_timer = self.set_timer(wait, self._update)

    def render_now(self) -> None:
        """Show all the text received so far (the answer ended): at once when little is left to render, else a
        step at a time as while streaming."""
        if self._render_timer is not None:
            self._render_timer.stop()
            self._render_timer = None
        self._streaming = False
        self._rendered_at = time.monotonic()
        self._settle()
        if not self._width:
            self.refresh(layout=True)  # not laid out yet: the first layout renders at its width
            return
        self._render_or_step()

    def show_all(self) -> None:
        """Render and show the whole answer, collapsed part included (a step at a time)."""
        if self._all_shown:
            return
        self._all_shown = True
        self._first_shown = 0
        if self._width:
            self._render_or_step()

    def on_unmount(self) -> None:
        """Stop rendering for a screen the entry left."""
        self._stop_rendering()

    def _receive(self, text: str) -> None:
        shown = visible(text)
        self._received.append(shown)
        self._received_chars += len(shown)
        self._tail += shown
        self._tail_version += 1

    def _stop_rendering(self) -> None:
        if self._render_timer is not None:
            self._render_timer.stop()
            self._render_timer = None
        if self._render_step is not None:
            self._render_step.cancel()
            self._render_step = None

    def _update(self) -> None:
        """Settle finished blocks and start rendering what is new (a step is already running: it carries on)."""
        self._render_timer = None
        self._rendered_at = time.monotonic()
        self._settle()
        if not self._width:
            self.refresh(layout=True)
        elif self._render_step is None:
            self._catch_up()

    def _render_or_step(self) -> None:
        """Render what is left now when it is little, else in steps (an answer of any size never blocks a key)."""
        if self._unrendered_chars() <= pacing.SYNC_CHARS:
            if self._render_step is not None:
                self._render_step.cancel()
                self._render_step = None
            before = self.line_count
            self._render_pieces(None)
            self._render_tail()
            self.refresh(layout=self.line_count != before)
        elif self._render_step is None:
            self._catch_up()

    def _catch_up(self) -> None:
        """Render new pieces for up to ``RENDER_STEP`` seconds; when none is left, show them with the tail (in a
        step of its own when the pieces took the step's time)."""
        self._render_step = None
        deadline = time.monotonic() + pacing.RENDER_STEP
        rendered_any = self._next_unrendered() is not None
        if not self._render_pieces(deadline) or (
            rendered_any and time.monotonic() >= deadline and self._tail_of != (len(self._pieces), self._tail_version)
        ):
            # Straight on the loop, not as a message: a widget handles all its queued messages in one go.
            self._render_step = asyncio.get_running_loop().call_soon(self._next_step)
            return
        before = self.line_count
        self._render_tail()
        self.refresh(layout=self.line_count != before)

    def _next_step(self) -> None:
        try:
            self._catch_up()
        except Exception as error:
            self.call_later(_raise, error)  # a failing step fails the app like a failing handler would

    def _settle(self) -> None:
        """Move finished blocks from the tail into pieces that are rendered once (the tail never grows past
        ``TAIL_LIMIT``: a block that long is cut where it can be), and move the collapsed part's edge."""
        tail = self._tail
        start = 0
        for cut in settled_cuts(tail, pacing.SETTLED_CHUNK):
            self._add_piece(tail[start:cut])
            start = cut
        rest = tail[start:]
        while len(rest) > pacing.TAIL_LIMIT:
            cut, close, reopen = forced_cut(rest, pacing.TAIL_LIMIT)
            self._add_piece(rest[:cut] + close)
            rest = reopen + rest[cut:]
        if len(rest) != len(tail):
            self._tail = rest
            self._tail_version += 1
        if not self._all_shown:
            self._collapse()

    def _add_piece(self, markdown: str) -> None:
        self._pieces.append(markdown)
        self._piece_chars.append(len(markdown))
        self._piece_lines.append(None)

    def _collapse(self) -> None:
        """Show only the last ``COLLAPSE_CHARS`` (whole pieces): forget the lines of the pieces above them."""
        kept = len(self._tail)
        first = len(self._pieces)
        while first > 0 and kept + self._piece_chars[first - 1] <= pacing.COLLAPSE_CHARS:
            first -= 1
            kept += self._piece_chars[first]
        for index in range(self._first_shown, first):
            self._piece_lines[index] = None
        self._first_shown = max(self._first_shown, first)

    def _next_unrendered(self) -> int | None:
        for index in range(self._first_shown, len(self._pieces)):
            if self._piece_lines[index] is None:
                return index
        return None

    def _unrendered_chars(self) -> int:
        pieces = range(self._first_shown, len(self._pieces))
        left = sum(self._piece_chars[index] for index in pieces if self._piece_lines[index] is None)
        return left + (len(self._tail) if self._tail_of != (len(self._pieces), self._tail_version) else 0)

    def _render_piece(self, markdown: str, continued: bool) -> list[Line]:
        """Render ``markdown`` as a ``Static`` renders a Rich renderable (``RichVisual``), into lines."""
        app = self.app
        renderable = self.post_render(
            render_markdown(_LEAD + markdown if continued else markdown), self.visual_style.rich_style
        )
        options = app.console_options.update(highlight=False, width=self._width, height=None)
        segments = app.console.render(renderable, options)
        lines = list(Segment.split_and_crop_lines(segments, self._width, include_new_lines=False, pad=False))
        return lines[1:] if continued else lines

    def _render_pieces(self, deadline: float | None) -> bool:
        """Render shown pieces not rendered yet, until ``deadline`` (``time.monotonic()``); True when all are."""
        while (index := self._next_unrendered()) is not None:
            self._piece_lines[index] = self._render_piece(self._pieces[index], continued=index > 0)
            if deadline is not None and time.monotonic() >= deadline:
                return self._next_unrendered() is None
        return True

    def _render_tail(self) -> None:
        """Render the unsettled tail after the pieces (all rendered) and show them together."""
        if self._tail_of != (len(self._pieces), self._tail_version):
            tail = self._tail
            self._tail_lines = self._render_piece(tail, continued=bool(self._pieces)) if tail else []
            self._tail_of = (len(self._pieces), self._tail_version)
        lines: list[Line] = []
        if self._first_shown:
            above = sum(self._piece_chars[: self._first_shown])
            notice = f"⋯ {_size(above)} of this answer above; select it and press Enter to show all"
            lines.append([Segment(notice[: self._width], self.visual_style.rich_style + _NOTICE_STYLE)])
        for index in range(self._first_shown, len(self._pieces)):
            lines.extend(self._piece_lines[index] or ())
        lines.extend(self._tail_lines)
        self._lines = lines

    def _render_all(self, width: int) -> None:
        """Render every shown piece not rendered and the tail (all of it when ``width`` or the style changed)."""
        self._reset(width)
        self._render_pieces(None)
        self._render_tail()

    def _reset(self, width: int) -> None:
        """Forget the rendered lines (not those on screen) when ``width`` or the style changed."""
        style = self.visual_style
        if width != self._width or style != self._style:
            self._width, self._style = width, style
            self._piece_lines = [None] * len(self._pieces)
            self._tail_lines = []
            self._tail_of = None

    def _lay_out(self, width: int) -> None:
        """Render at a new ``width`` or style: at once when little is shown, else in steps, showing the lines as
        they were until then (a shorter answer meanwhile could drop the scroll bar it caused)."""
        self._reset(width)
        if self._unrendered_chars() <= pacing.SYNC_CHARS:
            self._render_all(width)
            return
        if self._render_step is not None:
            self._render_step.cancel()
        self._catch_up()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The answer's height in lines at ``width`` (rendering it at that width if it is not already)."""
        if width <= 0:
            return 0
        if width != self._width or self.visual_style != self._style:
            self._lay_out(width)
        return self.line_count

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the answer."""
        width = self.size.width
        if width > 0 and (width != self._width or self.visual_style != self._style):
            self._lay_out(width)
        if y < len(self._lines):
            return Strip(self._lines[y])
        return Strip.blank(width, self.visual_style.rich_style)
