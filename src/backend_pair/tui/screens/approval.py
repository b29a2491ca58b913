"""The Bash approval modal: the command and where it runs; run once, always (choosing the scope), or deny."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.permissions import LOCAL_SETTINGS, suggested_prefix
from backend_pair.tui.bindings import bind
from backend_pair.tui.key_hints import keymap_of
from backend_pair.tui.screens.help import display_keys
from backend_pair.tui.widgets.key_footer import KeyFooter
from backend_pair.untrusted import has_controls, visible

if TYPE_CHECKING:
    from textual.app import App

    from backend_pair.tui.screens.main import MainScreen


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
    ApprovalScreen #approval-command-box {
        height: auto;
        max-height: 12;
        margin: 1 0;
        background: $boost;
    }
    ApprovalScreen #approval-command {
        padding: 0 1;
        text-style: bold;
    }
    ApprovalScreen #approval-warning {
        color: $text-error;
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
    ApprovalScreen #approval-scope {
        display: none;
        height: auto;
        margin-top: 1;
    }
    ApprovalScreen #approval-scope.-open {
        display: block;
    }
    """

    AUTO_FOCUS = "#approval-command-box"
    """The command is focused: ↑/↓ and PgUp/PgDn scroll a long one (the decision keys work from there)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("approval.run_once", "decide('once')", "Run once"),
        bind("approval.always", "decide('always')", "Always"),
        bind("approval.deny", "ask_reason", "Deny"),
        bind("approval.cancel", "deny_silently", "Deny"),
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
            if has_controls(self.request.command):
                yield Static(
                    "⚠ The command holds control characters (shown as ␛, \\xNN, <U+…>): they run as written, "
                    "and a terminal would hide or reorder them. Read it closely.",
                    id="approval-warning",
                )
            # All of it, exactly as it will run, wrapped and scrollable: the agent's text cannot hide any part.
            with VerticalScroll(id="approval-command-box"):
                yield Static(Text(f"$ {visible(self.request.command)}"), id="approval-command")
            yield Static(Text.assemble(("in ", "dim"), visible(str(self.request.cwd))), id="approval-cwd")
            if self.request.description:
                yield Static(
                    Text.assemble(("why: ", "dim"), visible(self.request.description, multiline=False)),
                    id="approval-why",
                )
            yield Static(self._keys_text(), id="approval-keys")
            yield OptionList(*self._scope_options(), id="approval-scope", disabled=True)
            yield ReasonInput(
                placeholder="Why not? (optional; Enter denies, Esc denies without a reason)", disabled=True
            )
        yield KeyFooter()  # over the main screen's: the keys that work now are the modal's

    def _keys_text(self) -> Text:
        keymap = keymap_of(self.app) if self.is_attached else {}
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
            " always allow (choose the scope)   ",
            (keys["approval.deny"], "bold reverse"),
            " deny (with a reason)   ",
            (keys["approval.cancel"], "bold reverse"),
            " deny",
        )

    def on_mount(self) -> None:
        """Show the keys of the active keymap."""
        self.query_one("#approval-keys", Static).update(self._keys_text())

    def _scope_options(self) -> list[Option]:
        """What "always" can cover: this exact command or its prefix, for this session or saved for the project."""
        command = self.request.command
        prefix = suggested_prefix(command)
        prefix = visible(prefix, multiline=False) if prefix is not None else None
        options = [Option(Text.assemble("this exact command, ", ("for this session", "bold")), id="exact")]
        if prefix is not None:
            options.append(
                Option(
                    Text.assemble(
                        ("Bash(", "dim"), (prefix, "bold"), (")", "dim"), " commands, ", ("for this session", "bold")
                    ),
                    id="prefix",
                )
            )
        # A saved exact rule holding "*" would read as a wildcard: such a command is allowed for the session only.
        if "*" not in command and "\n" not in command:
            options.append(
                Option(
                    Text.assemble("this exact command, ", ("saved", "bold"), f" to {LOCAL_SETTINGS}"), id="exact-save"
                )
            )
        if prefix is not None:
            options.append(
                Option(
                    Text.assemble(
                        ("Bash(", "dim"),
                        (prefix, "bold"),
                        (")", "dim"),
                        " commands, ",
                        ("saved", "bold"),
                        f" to {LOCAL_SETTINGS}",
                    ),
                    id="prefix-save",
                )
            )
        return options

    def action_decide(self, kind: str) -> None:
        """Run once, or open the scope choice of "always"."""
        if kind != "always":
            self.dismiss(BashDecision("once"))
            return
        scope = self.query_one("#approval-scope", OptionList)
        scope.disabled = False
        scope.add_class("-open")
        scope.highlighted = 0
        scope.border_title = "always allow: ↑/↓ choose, Enter allows, Esc denies"
        scope.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Always allow, in the scope chosen."""
        event.stop()
        scope = event.option.id or "exact"
        prefix = suggested_prefix(self.request.command)
        rule = f"Bash({prefix})" if scope.startswith("prefix") and prefix is not None else ""
        self.dismiss(BashDecision("always", rule=rule, save=scope.endswith("-save")))

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


async def ask_developer(app: App[Any], main: MainScreen, request: BashRequest) -> BashDecision:
    """Show the modal and wait for the developer's decision (the top line says ``approval`` meanwhile).

    Cancelled (the turn is), it takes the modal away.

    Args:
        app: The app that shows the modal.
        main: The main screen, whose top line says what the agent waits for.
        request: The command, its working directory and the agent's reason.
    """
    future: asyncio.Future[BashDecision] = asyncio.get_running_loop().create_future()

    def decided(decision: BashDecision | None) -> None:
        if not future.done() and decision is not None:
            future.set_result(decision)

    modal = ApprovalScreen(request)
    main.show_activity("approval")
    await app.push_screen(modal, callback=decided)
    try:
        return await future
    except asyncio.CancelledError:
        if modal.is_current:
            modal.dismiss(None)
        raise
    finally:
        main.show_activity("working")
