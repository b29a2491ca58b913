"""The live checklist: groups of items, each with its status and who ticked it and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Region
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend_pair.agents.checklist import ItemStatus, TickedBy
from backend_pair.tui.bindings import bind
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from textual.timer import Timer

    from backend_pair.agents.checklist import ChecklistItem

MARK_SECONDS = 2.5
"""How long an item the agent or evidence just changed stays marked."""

CHANGED_MARK = "▸ "
"""Put before an item the agent or evidence just changed (with reverse video, so it shows without colour)."""

STATUS_MARKS: dict[ItemStatus, tuple[str, str]] = {
    ItemStatus.pending: ("[ ]", ""),
    ItemStatus.in_progress: ("[~]", "yellow"),
    ItemStatus.done: ("[x]", "green"),
    ItemStatus.skipped: ("[-]", "dim"),
}
"""Box and colour for each item status."""


def item_text(item: ChecklistItem, changed: bool = False) -> Text:
    """One item: box, text, and (dim) who ticked it and why.

    Args:
        item: The item.
        changed: The agent or evidence just changed it: marked with :data:`CHANGED_MARK` and reverse video.
    """
    status = item.status
    mark, style = STATUS_MARKS.get(status, ("[?]", ""))
    # The agent writes items (TodoWrite) and evidence quotes files: both are shown through visible().
    text = visible(item.text, multiline=False)
    line = Text.assemble(
        (mark, f"bold {style}".strip()), " ", (text, "strike dim" if status is ItemStatus.skipped else "")
    )
    if status is ItemStatus.in_progress:
        line.append("  in progress", style="yellow")
    ticked_by = item.ticked_by
    if ticked_by is not TickedBy.none:
        reason = visible(item.reason, multiline=False)
        why = f"  ({ticked_by}: {reason})" if reason else f"  ({ticked_by})"
        line.append(why, style="dim italic")
    elif item.problem and item.reason:
        # A problem that keeps the item open, e.g. the first error of an OpenAPI document that does not validate.
        line.append(f"  ⚠ {visible(item.reason, multiline=False)}", style="yellow")
    if item.added_by_agent:
        line.append("\u00a0\u00a0+agent", style="dim cyan")  # non-breaking: the tag never wraps to a line alone
    if changed:
        line.stylize("reverse", 0, len(mark) + 1 + len(text))
        line = Text.assemble((CHANGED_MARK, "bold"), line)
    return line


def _state(item: ChecklistItem) -> tuple[ItemStatus, TickedBy, str, bool]:
    return item.status, item.ticked_by, item.reason, item.problem


def checklist_counts(items: Sequence[ChecklistItem]) -> str:
    """``5 done · 1 skipped / 16``: a skipped item is not done (empty with no items)."""
    if not items:
        return ""
    done = sum(1 for item in items if item.status is ItemStatus.done)
    skipped = sum(1 for item in items if item.status is ItemStatus.skipped)
    return f"{done} done" + (f" · {skipped} skipped" if skipped else "") + f" / {len(items)}"


class ChecklistPane(OptionList):
    """Space toggles the highlighted item (pending → done → skipped → pending)."""

    DEFAULT_CSS = """
    ChecklistPane {
        border: round $primary 40%;
        border-title-color: $text-muted;
        height: 1fr;
        background: transparent;
    }
    ChecklistPane:focus {
        border: round $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("checklist.toggle", "toggle_item", "Toggle"),
        bind("checklist.next", "cursor_down", "Next item", show=False),
        bind("checklist.prev", "cursor_up", "Previous item", show=False),
        bind("checklist.back", "app.focus_prompt", "Back", show=False),
    ]

    class ItemToggled(Message):
        """The developer toggled an item."""

        def __init__(self, item_id: str) -> None:
            self.item_id = item_id
            """The checklist item's id."""
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        """An empty checklist."""
        super().__init__(id=id)
        self._counts = ""
        self._items: dict[str, ChecklistItem] = {}
        self._seen: dict[str, tuple[str, str, str, bool]] | None = None
        self.marked: set[str] = set()
        """Ids of the items the agent or evidence just changed, shown marked until :meth:`unmark`."""
        self._unmark_timer: Timer | None = None
        self.mark_seconds = MARK_SECONDS
        """How long a change stays marked (snapshot tests make it long, so the picture does not race the clock)."""

    def on_mount(self) -> None:
        """Title the pane."""
        self._update_title()

    def show(self, groups: Sequence[tuple[str, Sequence[ChecklistItem]]], *, mark_changes: bool = True) -> None:
        """Replace the items, keeping the highlight on the same item when it is still there.

        Items the agent (TodoWrite) or evidence changed since the last call are marked for :data:`MARK_SECONDS`
        and, unless the pane has focus, the first of them is scrolled into view; the highlight (the developer's
        cursor) stays where it was.

        Args:
            groups: ``(group title, items)`` pairs in order.
            mark_changes: Mark what changed (False when a whole checklist is loaded, e.g. on resume).
        """
        highlighted_id: str | None = None
        if self.highlighted is not None and self.highlighted < self.option_count:
            highlighted_id = self.get_option_at_index(self.highlighted).id
        every = [item for _, items in groups for item in items]
        changed: set[str] = set()
        if mark_changes and self._seen is not None:
            seen = self._seen
            changed = {
                item.id
                for item in every
                if seen.get(item.id) != _state(item) and item.ticked_by is not TickedBy.developer
            }
            if changed:
                self.marked |= changed
                self._restart_unmark_timer()
        self._seen = {item.id: _state(item) for item in every}
        self._items = {item.id: item for item in every}
        self.marked &= set(self._items)
        options: list[Option] = []
        for title, items in groups:
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            options.extend(Option(item_text(item, item.id in self.marked), id=item.id) for item in items)
        self.set_options(options)
        self._counts = checklist_counts(every)
        self._update_title()
        self._highlight(options, highlighted_id)
        # Scroll to what just changed, unless the developer is working in the pane: their cursor keeps its place.
        first_changed = next((i for i, option in enumerate(options) if option.id in changed), None)
        if first_changed is not None and not self.has_focus:
            self.scroll_to_option(first_changed)

    def _highlight(self, options: Sequence[Option], highlighted_id: str | None) -> None:
        if highlighted_id is not None:
            for index, option in enumerate(options):
                if option.id == highlighted_id:
                    self.highlighted = index
                    return
        self.highlighted = next((i for i, option in enumerate(options) if not option.disabled), None)

    def scroll_to_option(self, index: int) -> None:
        """Scroll so the option at ``index`` is in view, without moving the highlight.

        Args:
            index: The option's index.
        """
        if not self.is_mounted:
            return
        # OptionList keeps which line each option starts on (what ``scroll_to_highlight`` uses) only privately
        # (``_index_to_line``, ``_heights``). Guarded by tests/tui/test_tui_upstream_internals.py.
        line = self._index_to_line.get(index)
        if line is None:
            return
        height = self._heights.get(index, 1)
        self.scroll_to_region(
            Region(0, line, self.scrollable_content_region.width, height),
            force=True,
            animate=False,
            immediate=True,
        )

    def _restart_unmark_timer(self) -> None:
        if self._unmark_timer is not None:
            self._unmark_timer.stop()
        self._unmark_timer = self.set_timer(self.mark_seconds, self.unmark)

    def unmark(self) -> None:
        """Drop the marks of changed items (the timer calls this :data:`MARK_SECONDS` after the last change)."""
        self._unmark_timer = None
        marked, self.marked = self.marked, set()
        for item_id in marked:
            item = self._items.get(item_id)
            if item is not None:
                self.replace_option_prompt(item_id, item_text(item))

    def _update_title(self) -> None:
        self.border_title = f"checklist · {self._counts}" if self._counts else "checklist"

    def action_toggle_item(self) -> None:
        """Toggle the highlighted item."""
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        if option.id is not None and not option.disabled:
            self.post_message(self.ItemToggled(option.id))
