"""The Bash approval modal: the command and where it runs; run once, always, or deny with a reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.tui.widgets.help import display_keys


class ReasonInput(Input):
    """Why the command is denied (optional): Enter denies with it, Esc denies without."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "screen.deny_silently", "Deny", show=False)]


class ApprovalScreen(ModalScreen[BashDecision]):
    """Asks whether the agent may run a command; dismisses with the developer's :class:`BashDecision`."""

    DEFAULT_CSS = """
    ApprovalScreen {
        align: center middle;
        background: $background 60%;
    }
    ApprovalScreen > Vertical {
        width: 90%;
        max-width: 100;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ApprovalScreen #approval-command {
        background: $boost;
        padding: 0 1;
        margin: 1 0;
        text-style: bold;
    }
    ApprovalScreen #approval-keys {
        color: $text-muted;
    }
    ApprovalScreen ReasonInput {
        display: none;
    }
    ApprovalScreen ReasonInput.-open {
        display: block;
    }
    """

    AUTO_FOCUS = None

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "decide('once')", "Run once", id="approval.run_once"),
        Binding("a", "decide('always')", "Always", id="approval.always"),
        Binding("n", "ask_reason", "Deny", id="approval.deny"),
        Binding("escape", "deny_silently", "Deny", id="approval.cancel"),
    ]

    def __init__(self, request: BashRequest) -> None:
        """Ask about ``request``."""
        super().__init__()
        self.request = request
        """The command the agent wants to run."""

    def compose(self) -> ComposeResult:
        """Title, command, working directory, the agent's reason, the keys, and the (hidden) reason line."""
        with Vertical():
            yield Static(Text("The agent wants to run a command", style="bold"))
            yield Static(Text(f"$ {self.request.command}"), id="approval-command")
            yield Static(Text.assemble(("in ", "dim"), str(self.request.cwd)), id="approval-cwd")
            if self.request.description:
                yield Static(Text.assemble(("why: ", "dim"), self.request.description), id="approval-why")
            yield Static(self._keys_text(), id="approval-keys")
            yield ReasonInput(
                placeholder="Why not? (optional; Enter denies, Esc denies without a reason)", disabled=True
            )

    def _keys_text(self) -> Text:
        keymap = self.app._keymap if self.is_attached else {}
        keys = {
            binding_id: display_keys(keymap.get(binding_id, default).split(",")[0])
            for binding_id, default in (
                ("approval.run_once", "y"),
                ("approval.always", "a"),
                ("approval.deny", "n"),
                ("approval.cancel", "escape"),
            )
        }
        return Text.assemble(
            (keys["approval.run_once"], "bold reverse"),
            " run once   ",
            (keys["approval.always"], "bold reverse"),
            " always allow this command   ",
            (keys["approval.deny"], "bold reverse"),
            " deny (with a reason)   ",
            (keys["approval.cancel"], "bold reverse"),
            " deny",
        )

    def on_mount(self) -> None:
        """Show the keys of the active keymap."""
        self.query_one("#approval-keys", Static).update(self._keys_text())

    def action_decide(self, kind: str) -> None:
        """Run once or always allow."""
        if kind == "always":
            self.dismiss(BashDecision("always"))
        else:
            self.dismiss(BashDecision("once"))

    def action_ask_reason(self) -> None:
        """Open the reason line."""
        reason = self.query_one(ReasonInput)
        reason.disabled = False
        reason.add_class("-open")
        reason.focus()

    def action_deny_silently(self) -> None:
        """Deny without a reason."""
        self.dismiss(BashDecision("deny"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Deny with the reason given."""
        event.stop()
        self.dismiss(BashDecision("deny", event.value.strip()))
