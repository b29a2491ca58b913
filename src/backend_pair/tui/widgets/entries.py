"""The entries of the conversation: the developer's message, a tool call (folded, Enter expands), a notice."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from backend_pair.untrusted import visible

NoticeKind = Literal["info", "error", "retry", "feedback", "cancelled"]
"""What a notice line is about; each kind has its own colour."""

EXPANDED_RESULT_LINES = 40
"""How many lines of a tool result an expanded tool call shows."""


def outcome_of(result: str, is_error: bool) -> str:
    """A few words saying how a tool call ended: an error's first line, a one-line result, or a line count."""
    lines = [line.strip() for line in result.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if len(first) > 70:
        first = first[:69] + "…"
    if is_error:
        return first or "failed"
    if len(lines) <= 1:
        return first or "done"
    return f"{len(result.splitlines())} lines"


class UserEntry(Static):
    """A prompt the developer sent."""

    DEFAULT_CSS = """
    UserEntry {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $primary;
        color: $text;
    }
    """

    def __init__(self, text: str) -> None:
        """Show ``text`` as the developer's message (a resumed one comes from the journal: made visible too)."""
        self.raw = visible(text)
        """The message as shown."""
        super().__init__(Text(self.raw))


def input_text(tool_input: dict[str, Any]) -> Text:
    """A tool's input as the developer reads it: one field a line, a multi-line string as its lines, indented.

    ``old_string`` / ``new_string`` / ``content`` show as code, not as one JSON line of ``\\n`` escapes. Every
    value is the model's text: shown through :func:`visible`.

    Args:
        tool_input: The input the agent gave the tool.
    """
    text = Text()
    for key, value in tool_input.items():
        name = visible(str(key), multiline=False)
        if isinstance(value, str) and "\n" in value.rstrip("\n"):
            text.append(f"  {name}:\n", style="bold")
            for value_line in visible(value).rstrip("\n").split("\n"):
                text.append("    │ ", style="dim")
                text.append(f"{value_line}\n")
            continue
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        text.append(f"  {name}: ", style="bold")
        text.append(f"{visible(shown)}\n")
    return text


class ToolEntry(Static):
    """One tool call as a single line (tool, target, outcome); expands to show the input and result."""

    DEFAULT_CSS = """
    ToolEntry {
        padding: 0 1;
        color: $text-muted;
    }
    ToolEntry.-error {
        color: $text-error;
    }
    ToolEntry.-folded {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    expanded: reactive[bool] = reactive(False)
    """Whether the input and result are shown below the line."""

    def __init__(self, call_id: str, name: str, summary: str, tool_input: dict[str, Any]) -> None:
        """A tool call that has started.

        Args:
            call_id: The API's tool_use id.
            name: The tool's name.
            summary: One line naming the tool and its target.
            tool_input: The input the agent gave the tool.
        """
        super().__init__(classes="-folded")
        self.call_id = call_id
        """The API's tool_use id."""
        self.tool_name = name
        """The tool's name."""
        self.summary = visible(summary, multiline=False)
        """One line naming the tool and its target (control characters made visible)."""
        self.tool_input = tool_input
        """The input the agent gave (shown through :func:`visible` when expanded)."""
        self.result: str | None = None
        """The result text, once finished."""
        self.is_error = False
        """Whether the call failed."""

    @property
    def raw(self) -> str:
        """The line and, when finished, the result: what copy puts on the clipboard."""
        return f"{self.summary}\n{self.result or ''}".rstrip()

    def finish(self, summary: str, result: str, is_error: bool) -> None:
        """Record how the call ended (the result is untrusted: file contents, command output)."""
        self.summary = visible(summary, multiline=False) if summary else self.summary
        self.result = visible(result)
        self.is_error = is_error
        self.set_class(is_error, "-error")
        self.refresh(layout=True)

    def watch_expanded(self, expanded: bool) -> None:
        """Re-render with or without details."""
        self.set_class(not expanded, "-folded")
        self.refresh(layout=True)

    def render(self) -> Text:
        """The compact line, plus details when expanded."""
        if self.result is None:
            mark, outcome = ("⋯", "running")
        elif self.is_error:
            mark, outcome = ("✗", outcome_of(self.result, True))
        else:
            mark, outcome = ("✓", outcome_of(self.result, False))
        arrow = "▾" if self.expanded else "▸"
        line = Text.assemble(f"{arrow} {mark} ", (self.summary, "bold"), " — ", outcome)
        if not self.expanded:
            line.no_wrap = True
            line.overflow = "ellipsis"
            return line
        result_lines = (self.result or "").splitlines()
        shown = "\n".join(result_lines[:EXPANDED_RESULT_LINES])
        if len(result_lines) > EXPANDED_RESULT_LINES:
            shown += f"\n… {len(result_lines) - EXPANDED_RESULT_LINES} more lines"
        if self.result is None:
            shown = "(running)"
        return Text.assemble(
            line, "\n", ("input:\n", "dim"), input_text(self.tool_input), ("result:\n", "dim"), shown or "(empty)"
        )


class NoticeEntry(Static):
    """An error, a retry, feedback that was sent, or a note from the app."""

    DEFAULT_CSS = """
    NoticeEntry {
        padding: 0 1;
        color: $text-muted;
    }
    NoticeEntry.-error { color: $text-error; }
    NoticeEntry.-retry { color: $text-warning; }
    NoticeEntry.-feedback { color: $text-secondary; }
    NoticeEntry.-cancelled { color: $text-warning; }
    """

    PREFIX: ClassVar[dict[str, str]] = {
        "info": "· ",
        "error": "✗ error: ",
        "retry": "↻ ",
        "feedback": "↳ feedback sent: ",
        "cancelled": "■ ",
    }

    def __init__(self, text: str, kind: NoticeKind) -> None:
        """A notice of ``kind`` (errors quote paths and API bodies: made visible)."""
        self.raw = visible(text)
        """The notice text as shown."""
        self.kind = kind
        """What the notice is about."""
        super().__init__(Text(self.PREFIX[kind] + self.raw), classes=f"-{kind}")


class EarlierEntries(Static):
    """The first line once old entries have left the DOM: says how many, and where they are."""

    DEFAULT_CSS = """
    EarlierEntries {
        padding: 0 1;
        color: $text-muted;
        text-style: italic;
    }
    """

    count: reactive[int] = reactive(0)
    """How many entries are no longer shown."""

    @property
    def raw(self) -> str:
        """The marker's line (what copy puts on the clipboard)."""
        return f"… {self.count} earlier entries are in the session journal"

    def render(self) -> Text:
        """The marker's line."""
        return Text(self.raw)
