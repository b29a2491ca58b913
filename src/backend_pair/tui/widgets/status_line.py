"""The header line: agent, model, branch, tokens (with cache hits), session cost and review counts."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from backend_pair.untrusted import visible


def compact_count(value: int) -> str:
    """A token count in at most five characters: ``987``, ``12.3k``, ``4.5M``."""
    if value < 1000:
        return str(value)
    if value < 1_000_000:
        return f"{value / 1000:.1f}k"
    return f"{value / 1_000_000:.1f}M"


class StatusLine(Widget):
    """One line at the top of the screen saying who is working, on what, at what cost, and what awaits review."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    """

    agent_name: reactive[str] = reactive("")
    """The agent definition's ``name``."""
    model: reactive[str] = reactive("")
    """The model id the session talks to."""
    branch: reactive[str] = reactive("")
    """The repository's current git branch."""
    input_tokens: reactive[int] = reactive(0)
    """Uncached input tokens of the session."""
    output_tokens: reactive[int] = reactive(0)
    """Output tokens of the session."""
    cache_read_tokens: reactive[int] = reactive(0)
    """Input tokens served from the prompt cache."""
    cache_write_tokens: reactive[int] = reactive(0)
    """Input tokens written to the prompt cache."""
    cost: reactive[float] = reactive(0.0)
    """Session cost in USD."""
    pending_hunks: reactive[int] = reactive(0)
    """Hunks awaiting review."""
    staged_hunks: reactive[int] = reactive(0)
    """Hunks accepted and staged this session."""
    conflicts: reactive[int] = reactive(0)
    """Files whose proposal conflicts with the disk."""
    context: reactive[float] = reactive(0.0)
    """Share of the model's context window the last request used (``ctx 41%``; compaction starts at 80%)."""
    activity: reactive[str] = reactive("starting")
    """``starting``, ``ready``, ``working``, ``approval`` or ``offline``."""
    working_agent: reactive[str] = reactive("")
    """The subagent running a ``Task`` now (shown as ``explorer working``); empty: the main agent."""

    def __init__(self, agent_name: str = "", model: str = "", *, id: str | None = None) -> None:
        """Create the line; the agent and model are known before the first frame, so it shows them at once.

        Args:
            agent_name: The agent definition's ``name``.
            model: The model id.
            id: The widget id.
        """
        super().__init__(id=id)
        self.set_reactive(StatusLine.agent_name, agent_name)
        self.set_reactive(StatusLine.model, model)

    def render(self) -> Text:
        """Build the line; narrow terminals get the short form (model without date, counts abbreviated)."""
        wide = self.size.width >= 100
        activity_style = {
            "working": "bold black on yellow",
            "compacting": "bold black on yellow",
            "approval": "bold black on magenta",
            "offline": "bold white on red",
        }.get(self.activity, "bold black on green")
        activity = self.activity
        if activity == "working" and self.working_agent:
            activity = f"{visible(self.working_agent, multiline=False)[:30]} working"
        if not wide:
            return self._narrow(activity_style, activity)
        inputs, outputs = compact_count(self.input_tokens), compact_count(self.output_tokens)
        cached = compact_count(self.cache_read_tokens)
        model = self.model if self.size.width >= 140 else short_model(self.model)
        model = visible(model, multiline=False)
        tokens = f"{inputs} in/{outputs} out/{cached} cached"
        review = f"{self.pending_hunks} pending/{self.staged_hunks} staged"
        separator = ("  ", "")
        parts: list[str | tuple[str, str]] = [
            (f" {activity} ", activity_style),
            " ",
            (visible(self.agent_name, multiline=False), "bold"),
            separator,
            (model, "cyan"),
            separator,
            (f"⎇ {visible(self.branch, multiline=False)}", "magenta"),
            separator,
            tokens,
            separator,
            (f"${self.cost:.4f}", "green"),
            separator,
            *self._context_part(separator),
            (review, "bold"),
        ]
        if self.conflicts:
            parts.extend([separator, (f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}", "bold red")])
        line = Text.assemble(*parts, no_wrap=True, overflow="ellipsis")
        line.truncate(self.size.width, overflow="ellipsis")
        return line

    def _narrow(self, activity_style: str, activity: str) -> Text:
        """Below 100 columns: what matters first, in words (``12.3k tok · $0.15 · 3 pending · 1 staged``); the model
        comes last, so it is what a narrow terminal cuts."""
        total = self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens
        figures = [f"{compact_count(total)} tok", f"${self.cost:.2f}"]
        if self.context > 0:
            figures.append(f"ctx {self.context:.0%}")
        figures += [f"{self.pending_hunks} pending", f"{self.staged_hunks} staged"]
        conflicts = f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} · " if self.conflicts else ""
        parts: list[str | tuple[str, str]] = [
            (f" {activity} ", activity_style),
            " ",
            (visible(self.agent_name, multiline=False), "bold"),
            " ",
            (f"⎇ {visible(self.branch, multiline=False)}", "magenta"),
            " ",
            (conflicts, "bold red"),  # before the figures: a narrow terminal never cuts it
            (" · ".join(figures), "bold"),
            "  ",
            (visible(short_model(self.model), multiline=False), "cyan"),
        ]
        line = Text.assemble(*parts, no_wrap=True, overflow="ellipsis")
        line.truncate(self.size.width, overflow="ellipsis")
        return line

    def _context_part(self, separator: tuple[str, str]) -> list[str | tuple[str, str]]:
        if self.context <= 0:
            return []
        style = "bold red" if self.context >= 0.8 else "yellow" if self.context >= 0.6 else ""
        return [(f"ctx {self.context:.0%}", style), separator]


def short_model(model: str) -> str:
    """``claude-sonnet-4-20250514`` -> ``sonnet-4``: the model without vendor prefix and date."""
    name = model.removeprefix("claude-")
    head, _, tail = name.rpartition("-")
    return head if tail.isdigit() and len(tail) == 8 and head else name
