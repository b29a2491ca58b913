"""The rewind modal: pick a turn, then a file changed since; its content from before that turn becomes a proposal."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend_pair.workspace.checkpoints import Checkpoint

LoadFiles = Callable[[Checkpoint], Awaitable[list[str]]]
"""Lists the files that differ between a checkpoint and the working tree now."""


def checkpoint_label(checkpoint: Checkpoint) -> Text:
    """``before “add a cancel endpoint” · 14:02:11``."""
    when = time.strftime("%H:%M:%S", time.localtime(checkpoint.at))
    return Text.assemble("before ", (f"“{checkpoint.label}”", "bold"), (f"  · {when}", "dim"))


class RewindScreen(ModalScreen[tuple[Checkpoint, str] | None]):
    """Dismisses with the chosen checkpoint and file, or None (Esc)."""

    DEFAULT_CSS = """
    RewindScreen {
        align: center middle;
        background: $background 60%;
    }
    RewindScreen > Vertical {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    RewindScreen OptionList {
        height: auto;
        max-height: 16;
    }
    RewindScreen #rewind-keys {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", show=False)]

    def __init__(self, checkpoints: Sequence[Checkpoint], load_files: LoadFiles, preferred: str | None = None) -> None:
        """Offer ``checkpoints`` (newest first); ``load_files`` lists a checkpoint's changed files.

        Args:
            checkpoints: The session's checkpoints, newest first.
            load_files: Lists the files changed since a checkpoint.
            preferred: The file the review pane shows (listed first when it changed).
        """
        super().__init__()
        self._checkpoints = list(checkpoints)
        self._load_files = load_files
        self._preferred = preferred
        self._chosen: Checkpoint | None = None
        self._files: list[str] = []

    def compose(self) -> ComposeResult:
        """A title, the list, and the keys."""
        with Vertical():
            yield Static(Text("Rewind a file to how it was before a turn", style="bold"), id="rewind-title")
            yield OptionList(*[Option(checkpoint_label(c)) for c in self._checkpoints], id="rewind-list")
            yield Static(
                "Enter chooses · Esc goes back. The old content is proposed, not written: review its hunks, and "
                "your edits since stay unless you accept hunks that replace them.",
                id="rewind-keys",
            )

    def on_mount(self) -> None:
        """Start on the newest checkpoint."""
        options = self.query_one("#rewind-list", OptionList)
        options.highlighted = 0 if self._checkpoints else None
        options.focus()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A checkpoint, then a file."""
        event.stop()
        options = self.query_one("#rewind-list", OptionList)
        if self._chosen is None:
            self._chosen = self._checkpoints[event.option_index]
            files = await self._load_files(self._chosen)
            if self._preferred in files:
                files.remove(self._preferred)
                files.insert(0, self._preferred)
            self._files = files
            title = self.query_one("#rewind-title", Static)
            if not files:
                title.update(Text.assemble("No file changed since ", checkpoint_label(self._chosen)))
                options.clear_options()
                return
            title.update(Text.assemble("Files changed since ", checkpoint_label(self._chosen), ": which one?"))
            options.clear_options()
            options.add_options([Option(Text(path)) for path in files])
            options.highlighted = 0
            return
        self.dismiss((self._chosen, self._files[event.option_index]))

    def action_back(self) -> None:
        """From the files back to the turns; from the turns, close."""
        if self._chosen is None:
            self.dismiss(None)
            return
        self._chosen = None
        self._files = []
        self.query_one("#rewind-title", Static).update(Text("Rewind a file to how it was before a turn", "bold"))
        options = self.query_one("#rewind-list", OptionList)
        options.clear_options()
        options.add_options([Option(checkpoint_label(c)) for c in self._checkpoints])
        options.highlighted = 0
