"""The main screen: status line, conversation, review and checklist panes, prompt; it routes every message."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widget import Widget

from backend_pair.tui.adapter import (
    AgentChecklistChanged,
    AgentCompacted,
    AgentFailed,
    AgentFeedbackSent,
    AgentModelSwitched,
    AgentProposalsChanged,
    AgentRetrying,
    AgentSubagentEvent,
    AgentSubagentStarted,
    AgentText,
    AgentToolFinished,
    AgentToolStarted,
    AgentTurnEnded,
    AgentUsage,
    TurnCancelled,
)
from backend_pair.tui.bindings import bind
from backend_pair.tui.widgets.checklist_pane import ChecklistPane
from backend_pair.tui.widgets.conversation import ConversationPane
from backend_pair.tui.widgets.key_footer import KeyFooter
from backend_pair.tui.widgets.pane_tabs import PaneTabs
from backend_pair.tui.widgets.prompt import PromptInput
from backend_pair.tui.widgets.review_pane import ReviewPane
from backend_pair.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from backend_pair.agents.checklist import ChecklistItem
    from backend_pair.agents.models import TokenCounts
    from backend_pair.tui.app_port import PairApp
    from backend_pair.tui.widgets.entries import NoticeKind
    from backend_pair.workspace import FileProposal, ReviewCounts

PANE_ORDER: tuple[str, ...] = ("prompt", "conversation", "review", "checklist")
"""The order tab cycles focus in."""

WIDE_COLUMNS = 100
"""From this width on, the panes sit side by side (``-wide``); below it they take turns (``-narrow``)."""


class MainScreen(Screen[None]):
    """Everything the developer works with, on one screen; narrow terminals show one pane at a time."""

    # Layout: main.tcss beside this file, loaded by the app (this is its default screen: see
    # ``BackendPairApp.get_default_screen``).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_COLUMNS, "-wide")]  # noqa: RUF012
    AUTO_FOCUS = "#prompt"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: resolved as the key arrives, so keys typed right after it (one burst over SSH) reach the new pane.
        bind("app.focus_review", "focus_pane('review')", "Review", priority=True),
        bind("app.focus_checklist", "focus_pane('checklist')", "Checklist", priority=True),
        bind("app.focus_prompt", "focus_pane('prompt')", "Prompt", show=False, priority=True),
        bind("app.next_pane", "cycle_pane(1)", "Next pane", show=False),
        bind("app.prev_pane", "cycle_pane(-1)", "Previous pane", show=False),
        bind("app.compact", "compact", "Compact", show=False, priority=True),
    ]

    def __init__(self) -> None:
        """Create the screen with the classes of its first frame already set.

        Each class change on the screen restyles every widget on it; setting them here, rather than on mount
        (the shown pane) and on the first resize (the breakpoint), styles the first frame once.
        """
        super().__init__(classes="-show-conversation")
        self.add_class("-wide" if self.app.size.width >= WIDE_COLUMNS else "-narrow", update=False)
        self._subagents_working: dict[str, str] = {}
        """The subagents running a ``Task`` now, by call id (several run side by side), for the top line."""

    @property
    def pair_app(self) -> PairApp:
        """The app, with its services."""
        return cast("PairApp", self.app)

    def compose(self) -> ComposeResult:
        """Status line, tab strip (narrow only), panes, prompt, footer."""
        config = self.pair_app.config
        yield StatusLine(config.definition.name, config.model, id="status")
        yield PaneTabs(id="tabs")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield ConversationPane(id="conversation")
                yield ChecklistPane(id="checklist")
            yield ReviewPane(id="review")
        yield PromptInput(id="prompt")
        yield KeyFooter()

    # What the app shows (the screen owns its widgets; the app hands it the state)

    async def say(self, text: str, kind: NoticeKind = "info") -> None:
        """One line in the conversation: a note, an error, a retry."""
        await self.query_one(ConversationPane).add_notice(text, kind)

    async def show_user(self, text: str) -> None:
        """The developer's message, as sent, in the conversation."""
        await self.query_one(ConversationPane).add_user(text)

    async def show_resumed(
        self,
        messages: list[dict[str, Any]],
        summarize: Callable[[str, object], str],
        subagent_runs: dict[str, dict[str, Any]] | None,
        typed: list[str],
    ) -> None:
        """A resumed session: its conversation replayed, and what the developer typed back in the prompt's history.

        Args:
            messages: The Messages API history.
            summarize: Makes a tool call's one-line summary from its name and input.
            subagent_runs: Journaled nested runs by ``Task`` call id.
            typed: The developer's messages, oldest first (they go before this run's history).
        """
        conversation = self.query_one(ConversationPane)
        await conversation.replay(messages, summarize, subagent_runs)
        await conversation.add_notice("session resumed from the journal", "info")
        prompt = self.query_one(PromptInput)
        prompt.sent = [*typed, *prompt.sent]

    @property
    def shows_history(self) -> bool:
        """The conversation has entries already (a resumed session's, a message sent)."""
        return bool(self.query_one(ConversationPane).entries)

    def show_activity(self, activity: str) -> None:
        """What the agent is doing, in the top line (``ready``, ``working``, ``offline``)."""
        with suppress(NoMatches):  # a turn cut short by quitting ends after the screen let go of its widgets
            self.query_one(StatusLine).activity = activity

    def show_turn_running(self, running: bool) -> None:
        """Whether a turn runs, in the prompt (Esc cancels it then)."""
        with suppress(NoMatches):  # as in show_activity: the turn may end after the screen closed
            self.query_one(PromptInput).busy = running

    def show_branch(self, branch: str) -> None:
        """The repository's branch, in the top line."""
        self.query_one(StatusLine).branch = branch

    def show_review(self, proposals: Sequence[FileProposal], problems: Mapping[str, str], counts: ReviewCounts) -> None:
        """The proposals in the review pane, their counts in the top line and on the review tab."""
        self.query_one(ReviewPane).update_proposals(list(proposals), dict(problems))
        status = self.query_one(StatusLine)
        status.pending_hunks = counts.pending_hunks
        status.staged_hunks = counts.staged_hunks
        status.conflicts = counts.conflicts
        self.query_one(PaneTabs).review_count = counts.pending_hunks

    def select_review_file(self, path: str) -> None:
        """Show the agent's (or a rewind's) proposal for ``path`` in the review pane, if it is listed."""
        self.query_one(ReviewPane).select_path(path)

    def show_hunk(self, path: str, hunk_id: str) -> None:
        """The review pane's cursor on a hunk (one an undo or an edit brought back; ``path`` is a review key)."""
        self.query_one(ReviewPane).show_hunk(path, hunk_id)

    def show_checklist(
        self,
        groups: list[tuple[str, list[ChecklistItem]]],
        items: Sequence[ChecklistItem],
        *,
        mark_changes: bool,
    ) -> None:
        """The checklist pane, and how much of it is done on its tab."""
        from backend_pair.agents.checklist import ItemStatus

        self.query_one(ChecklistPane).show(groups, mark_changes=mark_changes)
        done = sum(1 for item in items if item.status is ItemStatus.done)
        self.query_one(PaneTabs).checklist_done = f"{done}/{len(items)}" if items else ""

    def show_usage(self, usage: TokenCounts, cost: float) -> None:
        """Tokens and cost so far, in the top line (a resumed session's)."""
        status = self.query_one(StatusLine)
        status.input_tokens = usage.input
        status.output_tokens = usage.output
        status.cache_read_tokens = usage.cache_read
        status.cache_write_tokens = usage.cache_creation
        status.cost = cost

    # Panes and focus

    def pane_widget(self, name: str) -> Widget:
        """The widget that takes focus for a pane name."""
        return self.query_one(f"#{name}")

    def _show_pane(self, name: str) -> None:
        for pane in ("conversation", "review", "checklist"):
            self.set_class(pane == name, f"-show-{pane}")
        self.query_one(PaneTabs).active = name
        if name == "review":
            self.pair_app.keep_toasts_off_review()

    def action_focus_pane(self, name: str) -> None:
        """Focus a pane (showing it on a narrow screen)."""
        if name != "prompt":
            self._show_pane(name)
        # Focus now, not after a refresh (``Widget.focus`` defers): keys typed right after ctrl+r belong to the pane.
        self.set_focus(self.pane_widget(name))

    def action_cycle_pane(self, step: int) -> None:
        """Focus the next or previous pane."""
        current = self.focused_pane() or "prompt"
        index = (PANE_ORDER.index(current) + step) % len(PANE_ORDER)
        self.action_focus_pane(PANE_ORDER[index])

    def focused_pane(self) -> str | None:
        """The pane holding focus, if any."""
        node = self.focused
        while node is not None:
            if node.id in PANE_ORDER:
                return node.id
            node = node.parent if isinstance(node.parent, Widget) else None
        return None

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """On narrow screens, show the pane that got focus (the prompt shows the conversation)."""
        pane = self.focused_pane()
        if pane in ("conversation", "review", "checklist"):
            self._show_pane(pane)

    # Prompt

    async def action_compact(self) -> None:
        """Compact the conversation now."""
        await self.pair_app.compact_now()

    async def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        """Send the prompt to the agent (a narrow screen shows the conversation to watch the answer)."""
        self._show_pane("conversation")
        await self.pair_app.send_prompt(event.text)

    def on_prompt_input_cancel_requested(self, event: PromptInput.CancelRequested) -> None:
        """Cancel the running turn."""
        self.pair_app.cancel_turn()

    # Agent events, in stream order

    async def on_agent_text(self, message: AgentText) -> None:
        """Stream answer text."""
        await self.query_one(ConversationPane).append_text(message.event.text)

    async def on_agent_tool_started(self, message: AgentToolStarted) -> None:
        """Show a running tool call."""
        event = message.event
        await self.query_one(ConversationPane).tool_started(event.call_id, event.name, event.summary, event.input)

    async def on_agent_tool_finished(self, message: AgentToolFinished) -> None:
        """Show a tool call's outcome."""
        event = message.event
        await self.query_one(ConversationPane).tool_finished(
            event.call_id, event.name, event.summary, event.result, event.is_error
        )
        if event.name == "Task":
            self._show_working(event.call_id, None)

    def on_agent_subagent_started(self, message: AgentSubagentStarted) -> None:
        """Name the subagent on its Task's entry and in the status line."""
        event = message.event
        self.query_one(ConversationPane).subagent_started(event.call_id, event.agent, event.model, event.description)
        self._show_working(event.call_id, event.agent)

    def _show_working(self, call_id: str, agent: str | None) -> None:
        """A subagent started (``agent``) or ended (None); the top line names those working, main agent: none."""
        if agent is None:
            self._subagents_working.pop(call_id, None)
        else:
            self._subagents_working[call_id] = agent
        self.query_one(StatusLine).working_agent = ", ".join(self._subagents_working.values())

    def on_agent_subagent_event(self, message: AgentSubagentEvent) -> None:
        """Show a subagent's text and tool calls inside its Task's entry."""
        self.query_one(ConversationPane).subagent_event(message.event.call_id, message.event.event)

    async def on_agent_proposals_changed(self, message: AgentProposalsChanged) -> None:
        """Refresh the review pane."""
        await self.pair_app.refresh_review()

    def on_agent_checklist_changed(self, message: AgentChecklistChanged) -> None:
        """Refresh the checklist."""
        self.pair_app.refresh_checklist()

    def on_agent_usage(self, message: AgentUsage) -> None:
        """Update tokens and cost."""
        status = self.query_one(StatusLine)
        session = message.event.session
        status.input_tokens = session.input
        status.output_tokens = session.output
        status.cache_read_tokens = session.cache_read
        status.cache_write_tokens = session.cache_creation
        status.cost = message.event.session_cost
        status.context = message.event.context

    async def on_agent_compacted(self, message: AgentCompacted) -> None:
        """Mark where the agent's view of the conversation was compacted (everything above stays on screen)."""
        event = message.event
        why = "the context was nearly full" if event.automatic else "you asked"
        sees = (
            "the API's summary of the earlier turns"
            if event.by_api
            else "a summary of the earlier turns and the last ones verbatim"
        )
        await self.query_one(ConversationPane).add_notice(
            f"── compacted ({why}): the agent now sees {sees}; "
            f"{event.messages_before} messages became {event.messages_after} ──",
            "info",
        )

    async def on_agent_model_switched(self, message: AgentModelSwitched) -> None:
        """Say which model is used now, in the conversation and the top line."""
        event = message.event
        self.query_one(StatusLine).model = event.new
        await self.query_one(ConversationPane).add_notice(
            f"{event.old} is not served by this endpoint; using {event.new} for the rest of the session", "retry"
        )

    async def on_agent_retrying(self, message: AgentRetrying) -> None:
        """Say that a request is retried."""
        event = message.event
        await self.query_one(ConversationPane).add_notice(
            f"retry {event.attempt} in {event.delay:.1f}s: {event.reason}", "retry"
        )

    async def on_agent_failed(self, message: AgentFailed) -> None:
        """Show an error."""
        await self.query_one(ConversationPane).add_notice(message.event.message, "error")

    async def on_agent_feedback_sent(self, message: AgentFeedbackSent) -> None:
        """Show the review feedback that went with the prompt."""
        await self.query_one(ConversationPane).add_notice(message.event.text, "feedback")

    async def on_agent_turn_ended(self, message: AgentTurnEnded) -> None:
        """Finish the answer; say so when it was cut off."""
        conversation = self.query_one(ConversationPane)
        await conversation.end_answer()
        self._subagents_working.clear()
        self.query_one(StatusLine).working_agent = ""
        if message.event.interrupted and message.event.stop_reason is None:
            await conversation.add_notice("the turn ended early (interrupted); you can ask again", "cancelled")

    async def on_turn_cancelled(self, message: TurnCancelled) -> None:
        """Finish the answer and say the turn was cancelled."""
        conversation = self.query_one(ConversationPane)
        await conversation.end_answer()
        self._subagents_working.clear()
        self.query_one(StatusLine).working_agent = ""
        conversation.cancel_running_tools()
        await conversation.add_notice("turn cancelled", "cancelled")

    # Review

    async def on_review_pane_hunk_accepted(self, event: ReviewPane.HunkAccepted) -> None:
        """Accept a hunk."""
        await self.pair_app.accept_hunk(event.path, event.hunk_id)

    async def on_review_pane_hunk_rejected(self, event: ReviewPane.HunkRejected) -> None:
        """Reject a hunk."""
        await self.pair_app.reject_hunk(event.path, event.hunk_id)

    async def on_review_pane_file_accepted(self, event: ReviewPane.FileAccepted) -> None:
        """Accept the rest of a file."""
        await self.pair_app.accept_file(event.path)

    async def on_review_pane_file_rejected(self, event: ReviewPane.FileRejected) -> None:
        """Reject the rest of a file."""
        await self.pair_app.reject_file(event.path)

    async def on_review_pane_hunk_commented(self, event: ReviewPane.HunkCommented) -> None:
        """Save a comment."""
        await self.pair_app.comment_hunk(event.path, event.hunk_id, event.text)

    async def on_review_pane_rewind_requested(self, event: ReviewPane.RewindRequested) -> None:
        """Open the rewind modal."""
        await self.pair_app.open_rewind(event.path)

    async def on_review_pane_undo_requested(self, event: ReviewPane.UndoRequested) -> None:
        """Undo the last decision."""
        await self.pair_app.undo_decision(redo=False)

    async def on_review_pane_redo_decision_requested(self, event: ReviewPane.RedoDecisionRequested) -> None:
        """Redo the decision undone last."""
        await self.pair_app.undo_decision(redo=True)

    async def on_review_pane_edit_requested(self, event: ReviewPane.EditRequested) -> None:
        """Edit a hunk or the whole proposed file in the developer's editor."""
        await self.pair_app.edit_proposal(event.path, event.hunk_id)

    async def on_review_pane_redo_requested(self, event: ReviewPane.RedoRequested) -> None:
        """Ask the agent to redo a conflicted change."""
        await self.pair_app.redo_conflict(event.path)

    def on_review_pane_copied(self, event: ReviewPane.Copied) -> None:
        """Copy the hunk with OSC 52."""
        self.pair_app.copy_text(event.text, "hunk")

    def on_conversation_pane_copied(self, event: ConversationPane.Copied) -> None:
        """Copy a message with OSC 52."""
        self.pair_app.copy_text(event.text, "message")

    # Checklist

    async def on_checklist_pane_item_toggled(self, event: ChecklistPane.ItemToggled) -> None:
        """Toggle an item as the developer."""
        await self.pair_app.toggle_checklist_item(event.item_id)
