"""A subagent's run (a ``Task`` call) as one conversation entry: its tool lines live, one line once it is done."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from backend_pair.agents.events import (
    AgentError,
    AgentEvent,
    Retrying,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from backend_pair.tui.widgets.entries import ToolEntry, outcome_of
from backend_pair.tui.widgets.status_line import short_model
from backend_pair.untrusted import visible

ANSWER_LINES = 40
"""Lines of the subagent's answer an expanded entry shows."""

LIVE_TEXT_LINES = 3
"""Lines of the answer being streamed that a running entry shows."""

MAX_TEXT_CHARS = 20_000
"""Streamed answer text kept per entry (the final answer arrives whole as the Task's result)."""


class NestedCall:
    """One tool call of the subagent, as its line in the entry."""

    def __init__(self, summary: str) -> None:
        """A call that started (``summary`` is untrusted: made visible)."""
        self.summary = visible(summary, multiline=False)
        """The call's line."""
        self.result: str | None = None
        """Its result, once finished."""
        self.is_error = False
        """Whether it failed."""

    def line(self) -> Text:
        """``  ✓ Grep def hello — 2 lines``."""
        if self.result is None:
            mark, outcome = "⋯", "running"
        else:
            mark, outcome = ("✗" if self.is_error else "✓"), outcome_of(self.result, self.is_error)
        return Text.assemble(
            f"    {mark} ", (self.summary, "bold"), " — ", outcome, style="red" if self.is_error else ""
        )


class SubagentEntry(ToolEntry):
    """A ``Task`` call: the subagent's name and task, its tool calls and its answer.

    Expanded while it runs (its tool lines appear as they happen); folded to one line when it ends; Enter
    (``conversation.expand``) unfolds it again.
    """

    DEFAULT_CSS = """
    SubagentEntry {
        padding: 0 1;
        color: $text;
        border-left: outer $secondary;
    }
    SubagentEntry.-error {
        color: $text-error;
    }
    """

    def __init__(self, call_id: str, name: str, summary: str, tool_input: dict[str, Any]) -> None:
        """A Task call that has started (the subagent is named once its nested session starts)."""
        super().__init__(call_id, name, summary, tool_input)
        raw_agent = tool_input.get("subagent_type", "")
        self.agent = visible(str(raw_agent), multiline=False) if raw_agent else ""
        """The subagent's name (as asked, then as resolved)."""
        self.model = ""
        """The model it runs on."""
        raw_description = tool_input.get("description", "")
        self.description = visible(str(raw_description), multiline=False) if raw_description else ""
        """The caller's short description of the task."""
        self.calls: dict[str, NestedCall] = {}
        """The subagent's tool calls by id, in order."""
        self.text = ""
        """The subagent's streamed text (the final answer replaces it when the Task ends)."""
        self.notes: list[str] = []
        """Faults and retries the nested session reported, as shown (``✗ ...``, ``↻ ...``)."""
        self.set_reactive(ToolEntry.expanded, True)
        self.set_class(False, "-folded")

    def started(self, agent: str, model: str, description: str) -> None:
        """The nested session started: which agent, on which model."""
        self.agent = visible(agent, multiline=False)
        self.model = visible(model, multiline=False)
        if description:
            self.description = visible(description, multiline=False)
        self.refresh(layout=True)

    def nested(self, event: AgentEvent) -> None:
        """Take one event of the nested session."""
        if isinstance(event, TextDelta):
            self.text = (self.text + event.text)[-MAX_TEXT_CHARS:]
        elif isinstance(event, ToolCallStarted):
            self.calls[event.call_id] = NestedCall(event.summary)
        elif isinstance(event, ToolCallFinished):
            call = self.calls.setdefault(event.call_id, NestedCall(event.summary))
            call.result = visible(event.result)
            call.is_error = event.is_error
        elif isinstance(event, AgentError):
            self.notes.append(f"✗ {visible(event.message, multiline=False)}")
        elif isinstance(event, Retrying):
            self.notes.append(
                f"↻ retry {event.attempt} in {event.delay:.1f}s: {visible(event.reason, multiline=False)}"
            )
        else:
            return
        self.refresh(layout=True)

    def finish(self, summary: str, result: str, is_error: bool) -> None:
        """The Task ended: keep its answer (or error) and fold to one line."""
        super().finish(summary, result, is_error)
        for call in self.calls.values():
            if call.result is None:
                call.result, call.is_error = "cancelled", True
        self.expanded = False

    @property
    def raw(self) -> str:
        """The entry's text for copy: header, tool lines and answer."""
        return self.render().plain

    def render(self) -> Text:
        """One line when folded; the tool lines and the answer when expanded."""
        if self.result is None:
            mark, outcome = "⋯", "working"
        elif self.is_error:
            mark, outcome = "✗", outcome_of(self.result, True)
        else:
            mark, outcome = "✓", f"answered ({len(self.result.splitlines())} lines)"
        calls = len(self.calls)
        arrow = "▾" if self.expanded else "▸"
        who = self.agent or "subagent"
        header = Text.assemble(
            f"{arrow} {mark} ",
            ("⤷ ", "dim"),
            (who, "bold magenta"),
            f" — {self.description}" if self.description else "",
            f" — {outcome} · {calls} tool call{'s' if calls != 1 else ''}",
            (f" · {short_model(self.model)}" if self.model else "", "dim"),
        )
        if not self.expanded:
            header.no_wrap = True
            header.overflow = "ellipsis"
            return header
        parts: list[Text] = [header, *(call.line() for call in self.calls.values())]
        parts += [Text(f"    {note}", style="red" if note.startswith("✗") else "yellow") for note in self.notes]
        answer = self.result if self.result is not None else self.text
        lines = answer.strip().splitlines()
        if self.result is None:
            lines = [line for line in lines if line.strip()][-LIVE_TEXT_LINES:]
        elif len(lines) > ANSWER_LINES:
            lines = [*lines[:ANSWER_LINES], f"… {len(lines) - ANSWER_LINES} more lines"]
        parts += [Text(f"    {visible(line, multiline=False)}", style="italic") for line in lines]
        return Text("\n").join(parts)


def fill_from_history(entry: SubagentEntry, run: dict[str, Any], summarize: Any) -> None:
    """Restore a journaled nested run into ``entry`` (its tool lines), for ``--resume``.

    Args:
        entry: The Task's entry.
        run: The journal's ``subagent`` record (``agent``, ``model``, ``description``, ``messages``); untrusted.
        summarize: Makes a tool call's one-line summary from its name and input.
    """
    entry.started(str(run.get("agent", "")), str(run.get("model", "")), str(run.get("description", "")))
    messages = run.get("messages")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use":
                raw_input = block.get("input")
                data: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
                name = str(block.get("name", ""))
                entry.nested(ToolCallStarted(str(block.get("id", "")), name, summarize(name, data), data))
            elif block.get("type") == "tool_result":
                call_id = str(block.get("tool_use_id", ""))
                result = block.get("content", "")
                if isinstance(result, list):
                    result = "\n".join(str(part.get("text", "")) for part in result if isinstance(part, dict))
                call = entry.calls.get(call_id)
                summary = call.summary if call is not None else ""
                is_error = bool(block.get("is_error", False))
                entry.nested(ToolCallFinished(call_id, "", summary, str(result), is_error))
