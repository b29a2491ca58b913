"""The help screen: every binding of the active keymap and what it does, under what the session uses and costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from backend_pair.keymaps.ids import TABLE
from backend_pair.tui.widgets.status_line import compact_count
from backend_pair.untrusted import visible

if TYPE_CHECKING:
    from backend_pair.agents.port import SessionPort


def display_keys(keys: str) -> str:
    """Comma-separated Textual key names as a reader sees them: ``right_square_bracket`` -> ``]``."""
    shown: list[str] = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        *modifiers, name = key.split("+")
        shown.append("+".join([*modifiers, format_key(name)]))
    return ", ".join(shown)


def binding_rows(keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(binding id, active keys, description) for every binding id, in the table's order."""
    return [(binding_id, keymap.get(binding_id, spec.keys), spec.description) for binding_id, spec in TABLE.items()]


def context_lines(session: SessionPort | None) -> list[str]:
    """What the session read from the Claude Code ecosystem (memory files, permission rules) and what it cost."""
    lines: list[str] = []
    if session is None:
        return lines
    if session.memory is not None:
        lines.append(session.memory.describe())
    lines.append(session.permissions.summary())
    lines.extend(usage_lines(session.usage_by_agent))
    return lines


def usage_lines(by_agent: object) -> list[str]:
    """Tokens and cost per agent (the main agent and its subagents), with the total when several."""
    if not isinstance(by_agent, dict) or not by_agent:
        return []
    lines = ["tokens and cost by agent:"]
    total = 0.0
    for name, (counts, cost) in by_agent.items():
        total += cost
        cached = compact_count(counts.cache_read)
        lines.append(
            f"  {visible(str(name), multiline=False)[:40]}: {compact_count(counts.input)} in / "
            f"{compact_count(counts.output)} out / {cached} cached · ${cost:.4f}"
        )
    if len(by_agent) > 1:
        lines.append(f"  all agents: ${total:.4f}")
    return lines


class HelpScreen(ModalScreen[None]):
    """A scrollable table of binding id, keys and description; Esc, q, ? or F1 close it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=False),
        Binding("down,j", "scroll(1)", "Down", show=False),
        Binding("up,k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, rows: Sequence[tuple[str, str, str]], keymap_name: str, context: Sequence[str] = ()) -> None:
        """Show ``rows`` of (binding id, keys, description).

        Args:
            rows: One row per binding, in display order.
            keymap_name: The active keymap's name, for the title.
            context: Lines shown above the keys (the memory files and permission rules in use).
        """
        super().__init__()
        self.rows = list(rows)
        """(binding id, keys, description) triples."""
        self.keymap_name = keymap_name
        """The active keymap."""
        self.context = list(context)
        """Lines about the session shown above the keys."""

    def compose(self) -> ComposeResult:
        """The bindings table."""
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("keys", style="bold cyan", no_wrap=True)
        table.add_column("does", ratio=1)
        table.add_column("id", style="dim", no_wrap=True)
        section = ""
        for binding_id, keys, description in self.rows:
            prefix = binding_id.split(".", 1)[0]
            if prefix != section:
                section = prefix
                table.add_row(Text(section, style="bold underline"), "", "")
            table.add_row(display_keys(keys), description, binding_id)
        with VerticalScroll() as scroll:
            scroll.border_title = f"keys · {self.keymap_name} keymap · Esc closes"
            if self.context:
                yield Static(Text("\n".join(self.context), style="italic"), id="help-context")
            yield Static(table)

    async def action_dismiss(self, result: None = None) -> None:
        """Close help."""
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        """Scroll the table."""
        self.query_one(VerticalScroll).scroll_relative(y=step, animate=False)
