"""The multi-line prompt: Enter sends, ctrl+j adds a newline, Esc cancels the running turn, up/down recall history."""

from __future__ import annotations

from contextlib import suppress
from typing import ClassVar

from textual import events
from textual.binding import BindingsMap, BindingType
from textual.dom import NoScreen
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import TextArea

from backend_pair.tui.bindings import bind
from backend_pair.tui.key_hints import keymap_of


class PromptInput(TextArea):
    """Where the developer writes to the agent."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: round $primary 50%;
        padding: 0 1;
    }
    PromptInput:focus {
        border: round $primary;
    }
    PromptInput.-busy {
        border: round $warning;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("prompt.send", "send", "Send", priority=True),
        bind("prompt.newline", "newline", "Newline", priority=True),
        bind("prompt.cancel", "cancel_turn", "Cancel turn"),
        bind("prompt.history_prev", "history_prev", "History back", show=False),
        bind("prompt.history_next", "history_next", "History forward", show=False),
    ]

    busy: reactive[bool] = reactive(False, init=False)
    """True while an agent turn runs (Esc then cancels it). Not watched on mount: idle is how the prompt starts,
    and a bindings refresh then would only make the footer compose its keys again."""

    class Submitted(Message):
        """The developer sent a prompt."""

        def __init__(self, text: str) -> None:
            self.text = text
            """What was written, stripped of surrounding blank lines."""
            super().__init__()

    class CancelRequested(Message):
        """The developer asked to stop the running turn."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create an empty prompt.

        Args:
            id: The widget id.
        """
        super().__init__("", id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
        self.sent: list[str] = []
        """Prompts sent, oldest first."""
        self._history_index: int | None = None
        self._draft = ""
        self._meta_prefix = False

    def on_mount(self) -> None:
        """Set the placeholder and border hint."""
        self.placeholder = "Ask the agent…  (Enter sends · ctrl+j newline · ↑ history)"
        self.border_title = "prompt"

    async def _on_key(self, event: events.Key) -> None:  # Textual's documented way to change what a TextArea types
        """Type printable keys, except chords with alt (M-p is a command, not a ``p``), and read Esc as meta.

        A terminal sends M-p as Esc then ``p``; Textual reports that as ``alt+p`` but with ``p`` as its character,
        which the text area would type. Such a chord is left to the bindings. Esc pressed on its own with no turn
        to cancel, then a letter, is the same chord (emacs reads Esc as the meta prefix) when the prompt binds it.
        """
        if self._meta_prefix:
            self._meta_prefix = False
            if len(event.key) == 1 and await self._run_binding(f"alt+{event.key}"):
                event.stop()
                event.prevent_default()
                return
        if event.key == "escape" and not self.busy:
            self._meta_prefix = any(key.startswith("alt+") for key in self._keyed_bindings().key_to_bindings)
        if event.key.startswith(("alt+", "meta+")) or "+alt+" in event.key:
            # Not typed: the text area's own handler is skipped, and the event bubbles on to the bindings.
            event.prevent_default()
            return
        await super()._on_key(event)

    def _keyed_bindings(self) -> BindingsMap:
        """This prompt's bindings with the app's keymap applied (as Textual applies it when a key arrives)."""
        # ``Widget._bindings`` (private): Textual 8 has no public map of a widget's own bindings. Guarded by
        # tests/tui/test_tui_upstream_internals.py.
        bindings = self._bindings.copy()
        bindings.apply_keymap(dict(keymap_of(self.app)))
        return bindings

    async def _run_binding(self, key: str) -> bool:
        """Run this prompt's binding for ``key``, if it has one; True when it did."""
        for binding in self._keyed_bindings().key_to_bindings.get(key, []):
            if self.check_action(binding.action, ()) is not False:
                await self.run_action(binding.action)
                return True
        return False

    def watch_busy(self, busy: bool) -> None:
        """Show whether Esc would cancel a turn (the footer offers it only then)."""
        self.set_class(busy, "-busy")
        self.border_subtitle = "working · Esc cancels" if busy else ""
        with suppress(NoScreen):  # the app is closing under a running turn: there is no footer left to tell
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel is only offered while a turn runs."""
        if action == "cancel_turn" and not self.busy:
            return False
        return super().check_action(action, parameters)

    def action_send(self) -> None:
        """Send the text once the keys typed before Enter are in.

        Enter is a priority binding (so the text area does not insert a line break); priority bindings run when the
        app receives the key, possibly before this widget has handled the characters typed just before it. Queueing
        behind them keeps the order a fast typist (or a paste of text plus Enter) expects.
        """
        self.call_later(self._send)

    def _send(self) -> None:
        text = self.text.strip("\n")
        if not text.strip():
            return
        if self.busy:
            self.notify("The agent is still working: Esc cancels the turn; your text stays here.", severity="warning")
            return
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._history_index = None
        self._draft = ""
        self.clear()
        self.post_message(self.Submitted(text))

    def action_newline(self) -> None:
        """Insert a line break at the cursor (after the keys typed before it, see :meth:`action_send`)."""
        self.call_later(self.insert, "\n")

    def action_cancel_turn(self) -> None:
        """Ask for the running turn to stop."""
        self.post_message(self.CancelRequested())

    def action_history_prev(self) -> None:
        """On the first line, recall the previous prompt; elsewhere move the cursor up."""
        if self.cursor_location[0] > 0 or not self.sent:
            self.action_cursor_up()
            return
        if self._history_index is None:
            self._draft = self.text
            self._history_index = len(self.sent)
        self._history_index = max(self._history_index - 1, 0)
        self._show(self.sent[self._history_index])

    def action_history_next(self) -> None:
        """On the last line, recall the next prompt (or the draft); elsewhere move the cursor down."""
        if self.cursor_location[0] < self.document.line_count - 1 or self._history_index is None:
            self.action_cursor_down()
            return
        self._history_index += 1
        if self._history_index >= len(self.sent):
            self._history_index = None
            self._show(self._draft)
        else:
            self._show(self.sent[self._history_index])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
