"""The live checklist: groups of items, each with its status and who ticked it and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.agents.checklist import ChecklistItem

STATUS_MARKS: dict[str, tuple[str, str]] = {
    "pending": ("[ ]", ""),
    "in_progress": ("[~]", "yellow"),
    "done": ("[x]", "green"),
    "skipped": ("[-]", "dim"),
}
"""Box and colour for each item status."""


def _value(enum_or_str: object) -> str:
    return str(getattr(enum_or_str, "value", enum_or_str))


def item_text(item: ChecklistItem) -> Text:
    """One item: box, text, and (dim) who ticked it and why."""
    status = _value(item.status)
    mark, style = STATUS_MARKS.get(status, ("[?]", ""))
    # The agent writes items (TodoWrite) and evidence quotes files: both are shown through visible().
    text = visible(item.text, multiline=False)
    line = Text.assemble((mark, f"bold {style}".strip()), " ", (text, "strike dim" if status == "skipped" else ""))
    if status == "in_progress":
        line.append("  in progress", style="yellow")
    ticked_by = _value(item.ticked_by)
    if ticked_by not in ("none", ""):
        reason = visible(item.reason, multiline=False)
        why = f"  ({ticked_by}: {reason})" if reason else f"  ({ticked_by})"
        line.append(why, style="dim italic")
    elif item.problem and item.reason:
        # A problem that keeps the item open, e.g. the first error of an OpenAPI document that does not validate.
        line.append(f"  ⚠ {visible(item.reason, multiline=False)}", style="yellow")
    if item.added_by_agent:
        line.append("\u00a0\u00a0+agent", style="dim cyan")  # non-breaking: the tag never wraps to a line alone
    return line


def checklist_counts(items: Sequence[ChecklistItem]) -> str:
    """``5 done · 1 skipped / 16``: a skipped item is not done (empty with no items)."""
    if not items:
        return ""
    done = sum(1 for item in items if _value(item.status) == "done")
    skipped = sum(1 for item in items if _value(item.status) == "skipped")
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
        Binding("space", "toggle_item", "Toggle", id="checklist.toggle"),
        Binding("down", "cursor_down", "Next item", id="checklist.next", show=False),
        Binding("up", "cursor_up", "Previous item", id="checklist.prev", show=False),
        Binding("escape", "app.focus_prompt", "Back", id="checklist.back", show=False),
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

    def on_mount(self) -> None:
        """Title the pane."""
        self._update_title()

    def show(self, groups: Sequence[tuple[str, Sequence[ChecklistItem]]]) -> None:
        """Replace the items, keeping the highlight on the same item when it is still there.

        Args:
            groups: ``(group title, items)`` pairs in order.
        """
        highlighted_id: str | None = None
        if self.highlighted is not None and self.highlighted < self.option_count:
            highlighted_id = self.get_option_at_index(self.highlighted).id
        options: list[Option] = []
        for title, items in groups:
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            options.extend(Option(item_text(item), id=item.id) for item in items)
        self.set_options(options)
        self._counts = checklist_counts([item for _, items in groups for item in items])
        self._update_title()
        if highlighted_id is not None:
            for index, option in enumerate(options):
                if option.id == highlighted_id:
                    self.highlighted = index
                    return
        first = next((i for i, option in enumerate(options) if not option.disabled), None)
        self.highlighted = first

    def _update_title(self) -> None:
        self.border_title = f"checklist · {self._counts}" if self._counts else "checklist"

    def action_toggle_item(self) -> None:
        """Toggle the highlighted item."""
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        if option.id is not None and not option.disabled:
            self.post_message(self.ItemToggled(option.id))
