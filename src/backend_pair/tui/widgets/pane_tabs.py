"""On narrow terminals the panes take turns; this line says which one is shown and how to reach the others."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

PANES: tuple[tuple[str, str], ...] = (
    ("conversation", "Conversation"),
    ("review", "Review"),
    ("checklist", "Checklist"),
)
"""Pane name and label, in tab order."""


class PaneTabs(Widget):
    """A one-line tab strip: the active pane highlighted, with the review and checklist counts."""

    DEFAULT_CSS = """
    PaneTabs {
        height: 1;
        background: $panel;
        display: none;
    }
    """

    active: reactive[str] = reactive("conversation")
    """The pane on screen."""
    review_count: reactive[int] = reactive(0)
    """Hunks pending review."""
    checklist_done: reactive[str] = reactive("")
    """Checklist progress, e.g. ``2/9``."""

    def render(self) -> Text:
        """The tab strip."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for name, label in PANES:
            if name == "review" and self.review_count:
                label = f"{label} ({self.review_count})"
            elif name == "checklist" and self.checklist_done:
                label = f"{label} {self.checklist_done}"
            text.append(f" {label} ", style="bold reverse" if name == self.active else "dim")
            text.append(" ")
        text.append("tab: next pane", style="dim")
        return text
