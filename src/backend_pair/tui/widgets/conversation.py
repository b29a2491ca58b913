"""The conversation: the developer's prompts, the agent's streamed Markdown, one line per tool call, notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from backend_pair.tui.bindings import bind
from backend_pair.tui.widgets.agent_entry import AgentEntry
from backend_pair.tui.widgets.entries import (
    EarlierEntries,
    NoticeEntry,
    NoticeKind,
    ToolEntry,
    UserEntry,
    outcome_of,
)
from backend_pair.tui.widgets.subagent_entry import SubagentEntry, fill_from_history

if TYPE_CHECKING:
    from backend_pair.agents.events import AgentEvent

__all__ = ["AgentEntry", "ConversationPane", "EarlierEntries", "NoticeEntry", "ToolEntry", "UserEntry", "outcome_of"]

MAX_LIVE_ENTRIES = 200
"""Entries kept mounted; older ones leave the DOM (the session journal keeps everything)."""

PRUNE_SLACK = 20
"""Entries allowed above the cap before pruning, so pruning happens in batches rather than on every mount."""


class ConversationPane(VerticalScroll, can_focus=True):
    """The scrolling conversation; when focused, up/down select an entry, Enter expands it, y copies it."""

    DEFAULT_CSS = """
    ConversationPane {
        border: round $primary 40%;
        border-title-color: $text-muted;
        padding: 0 0;
    }
    ConversationPane:focus {
        border: round $primary;
    }
    ConversationPane > .-selected {
        background: $boost;
        text-style: none;
    }
    ConversationPane:focus > .-selected {
        background: $primary 25%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("conversation.expand", "expand", "Expand"),
        bind("conversation.copy", "copy", "Copy"),
        Binding("up", "select(-1)", "Previous", show=False),
        Binding("down", "select(1)", "Next", show=False),
    ]

    selected: reactive[int] = reactive(-1, init=False)
    """Index of the selected entry among the pane's children (-1: none, follow the end)."""

    class Copied(Message):
        """The developer asked to copy an entry's text."""

        def __init__(self, text: str) -> None:
            self.text = text
            """The text to copy."""
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        """An empty conversation."""
        super().__init__(id=id)
        self._answer: AgentEntry | None = None
        self._tools: dict[str, ToolEntry] = {}
        self._earlier: EarlierEntries | None = None

    def on_mount(self) -> None:
        """Keep the newest line in view as the answer streams."""
        self.border_title = "conversation"
        self.anchor()

    @property
    def entries(self) -> list[Widget]:
        """The entries, oldest first (the marker of earlier entries, when there is one, comes first)."""
        return list(self.children)

    @property
    def earlier_count(self) -> int:
        """How many entries have left the DOM (the journal keeps them)."""
        return self._earlier.count if self._earlier is not None else 0

    async def _add(self, *entries: Widget) -> None:
        """Mount entries at the end, then keep the live ones under the cap."""
        await self.mount_all(entries)
        await self._prune()

    async def _prune(self) -> None:
        """Remove the oldest entries beyond ``MAX_LIVE_ENTRIES`` and count them in the marker at the top."""
        live = [child for child in self.children if child is not self._earlier]
        if len(live) <= MAX_LIVE_ENTRIES + PRUNE_SLACK:
            return
        old = live[: len(live) - MAX_LIVE_ENTRIES]
        children = self.children
        selected = children[self.selected] if 0 <= self.selected < len(children) else None
        for entry in old:
            if isinstance(entry, ToolEntry):
                self._tools.pop(entry.call_id, None)
        await self.remove_children(old)
        if self._earlier is None:
            self._earlier = EarlierEntries()
            await self.mount(self._earlier, before=0)
        self._earlier.count += len(old)
        if selected is not None:
            # Keep the same entry selected (its index moved); a pruned one leaves the selection at the top.
            remaining = list(self.children)
            new_index = remaining.index(selected) if selected in remaining else 0
            self.set_reactive(ConversationPane.selected, new_index)
            self._mark_selected(new_index)

    async def add_user(self, text: str) -> None:
        """Show a prompt the developer sent."""
        await self.end_answer()
        await self._add(UserEntry(text))

    async def append_text(self, text: str) -> None:
        """Append streamed answer text, starting a new answer block after a tool call or notice."""
        if self._answer is None:
            self._answer = AgentEntry()
            await self._add(self._answer)
        self._answer.append(text)

    async def end_answer(self) -> None:
        """Finish the answer block being streamed (show all of its text now)."""
        answer, self._answer = self._answer, None
        if answer is not None:
            answer.render_now()

    async def tool_started(self, call_id: str, name: str, summary: str, tool_input: dict[str, Any]) -> None:
        """Show a tool call as a running line."""
        await self.end_answer()
        entry = _tool_entry(call_id, name, summary, tool_input)
        self._tools[call_id] = entry
        await self._add(entry)

    def _subagent(self, call_id: str) -> SubagentEntry | None:

        entry = self._tools.get(call_id)
        return entry if isinstance(entry, SubagentEntry) else None

    def subagent_started(self, call_id: str, agent: str, model: str, description: str) -> None:
        """A Task's nested session started: name the agent on its entry."""
        entry = self._subagent(call_id)
        if entry is not None:
            entry.started(agent, model, description)

    def subagent_event(self, call_id: str, event: AgentEvent) -> None:
        """Show what a subagent did (its text, its tool calls) inside its Task's entry."""
        entry = self._subagent(call_id)
        if entry is not None:
            entry.nested(event)

    async def tool_finished(self, call_id: str, name: str, summary: str, result: str, is_error: bool) -> None:
        """Mark a tool call's outcome (adding its line if its start was never seen)."""
        entry = self._tools.get(call_id)
        if entry is None:
            await self.tool_started(call_id, name, summary, {})
            entry = self._tools[call_id]
        entry.finish(summary, result, is_error)

    def cancel_running_tools(self) -> None:
        """A cancelled turn's calls that never finished read "cancelled", not "running"."""
        for entry in self._tools.values():
            if entry.result is None:
                entry.finish("", "cancelled", True)

    async def add_notice(self, text: str, kind: NoticeKind = "info") -> None:
        """Show an error, a retry, feedback that was sent, or a note."""
        await self.end_answer()
        await self._add(NoticeEntry(text, kind))

    async def replay(
        self,
        messages: list[dict[str, Any]],
        summarize: Callable[[str, object], str],
        subagent_runs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Show a resumed conversation from its API history (plain dicts), without streaming.

        Args:
            messages: The Messages API history.
            summarize: Makes a tool call's one-line summary from its name and input.
            subagent_runs: Journaled nested runs by ``Task`` call id (their tool lines are shown again).
        """

        runs = subagent_runs or {}
        await self.end_answer()
        entries: list[Widget] = []
        tools: dict[str, ToolEntry] = {}
        for message in messages:
            content = message.get("content")
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
            for block in blocks:
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "text" and str(block.get("text", "")).strip():
                    text = str(block["text"])
                    if message.get("role") == "user":
                        entries.append(UserEntry(text))
                    else:
                        answer = AgentEntry(text)
                        entries.append(answer)
                elif kind == "tool_use":
                    name = str(block.get("name", ""))
                    raw_input = block.get("input")
                    tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
                    entry = _tool_entry(str(block.get("id", "")), name, summarize(name, tool_input), tool_input)
                    if isinstance(entry, SubagentEntry) and entry.call_id in runs:
                        fill_from_history(entry, runs[entry.call_id], summarize)
                    tools[entry.call_id] = entry
                    entries.append(entry)
                elif kind == "tool_result" and (tool := tools.get(str(block.get("tool_use_id", "")))) is not None:
                    result = block.get("content", "")
                    if isinstance(result, list):
                        result = "\n".join(str(part.get("text", "")) for part in result if isinstance(part, dict))
                    tool.finish("", str(result), bool(block.get("is_error", False)))
        self._tools.update(tools)
        if entries:
            await self._add(*entries)

    def action_select(self, step: int) -> None:
        """Move the selection up or down."""
        count = len(self.children)
        if not count:
            return
        current = self.selected if 0 <= self.selected < count else count
        self.selected = min(max(current + step, 0), count - 1)

    def watch_selected(self, selected: int) -> None:
        """Mark the selected entry and bring it into view."""
        self._mark_selected(selected)
        if 0 <= selected < len(self.children) - 1:
            self.release_anchor()
            self.scroll_to_widget(self.children[selected], animate=False)
        elif selected == len(self.children) - 1:
            self.anchor()  # back at the newest entry: follow the stream again

    def _mark_selected(self, selected: int) -> None:
        for index, child in enumerate(self.children):
            child.set_class(index == selected, "-selected")

    def _selected_entry(self) -> Widget | None:
        children = self.children
        if 0 <= self.selected < len(children):
            return children[self.selected]
        return children[-1] if children else None

    def action_expand(self) -> None:
        """Expand or fold the selected tool call; show all of a selected answer that is collapsed."""
        entry = self._selected_entry()
        if isinstance(entry, ToolEntry):
            entry.expanded = not entry.expanded
            if entry.expanded:
                # Its top in view: the input and as much of the result as fits; PgDn scrolls through the rest.
                self.release_anchor()
                self.call_after_refresh(self.scroll_to_widget, entry, animate=False, top=True)
        elif isinstance(entry, AgentEntry):
            entry.show_all()

    def action_copy(self) -> None:
        """Copy the selected entry (the last one when none is selected)."""
        entry = self._selected_entry()
        text = getattr(entry, "raw", "") if entry is not None else ""
        if text:
            self.post_message(self.Copied(str(text)))


def _tool_entry(call_id: str, name: str, summary: str, tool_input: dict[str, Any]) -> ToolEntry:
    """The entry for a tool call: a ``Task`` gets a subagent entry (its nested calls show inside)."""
    if name == "Task":
        return SubagentEntry(call_id, name, summary, tool_input)
    return ToolEntry(call_id, name, summary, tool_input)
