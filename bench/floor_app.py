"""The floor: a bare three-pane Textual app, the fastest a Textual screen of this shape can start.

``bench/tti.py`` launches it in tmux beside ``backend-pair`` and compares how long each takes to show its first
full screen. It imports nothing but Textual, reads nothing from disk and starts no worker: any time the product
takes beyond it is the product's own.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static

FLOOR_MARKER = "floor-ready"
"""Text in the last pane to be composed; once it is on screen the whole first screen is."""


class FloorApp(App[None]):
    """Header, conversation, review and checklist panes, a prompt and a footer: nothing else."""

    TITLE = "floor"
    CSS = """
    #conversation { width: 2fr; border: round $primary; }
    #messages { height: 1fr; }
    #side { width: 1fr; }
    #review, #checklist { height: 1fr; border: round $secondary; }
    """

    def compose(self) -> ComposeResult:
        """Lay out the three panes around a prompt."""
        yield Header()
        with Horizontal():
            with Vertical(id="conversation"):
                yield Static("Conversation", id="messages")
                yield Input(placeholder="Ask the floor", id="prompt")
            with Vertical(id="side"):
                yield Static("Review: nothing to review", id="review")
                yield Static(f"Checklist {FLOOR_MARKER}", id="checklist")
        yield Footer()


def main() -> None:
    """Run the floor app in the terminal until ctrl+q."""
    FloorApp().run()


if __name__ == "__main__":
    main()
