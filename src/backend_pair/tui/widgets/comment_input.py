"""The review pane's comment line: one line on the current hunk, for the agent."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class CommentInput(Input):
    """A one-line comment on the current hunk: Enter saves, Esc drops it."""

    DEFAULT_CSS = """
    CommentInput {
        dock: bottom;
        display: none;
    }
    CommentInput.-open {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel comment", show=False)]

    class Closed(Message):
        """The comment was dropped."""

    def action_close(self) -> None:
        """Drop the comment."""
        self.post_message(self.Closed())
