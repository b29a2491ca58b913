"""The review pane: files with pending changes and the diff of the selected one, reviewed hunk by hunk.

Its parts are widgets of their own: the file list, the note above the diff (``review_note``), the diff and the
comment line (``comment_input``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input

from backend_pair.tui.bindings import bind
from backend_pair.tui.key_hints import key_hint
from backend_pair.tui.widgets.comment_input import CommentInput
from backend_pair.tui.widgets.diff_view import DiffView
from backend_pair.tui.widgets.file_list import FileList, in_conflict
from backend_pair.tui.widgets.review_note import ReviewNote
from backend_pair.workspace.hunks import hunk_as_patch
from backend_pair.workspace.model import FileState

if TYPE_CHECKING:
    from backend_pair.workspace import FileProposal, Hunk

SPLIT_MIN_WIDTH = 100
"""From this many columns the diff is shown side by side unless toggled."""


class _HunkMessage(Message):
    """A decision about one hunk."""

    def __init__(self, path: str, hunk_id: str) -> None:
        self.path = path
        """Repo-relative path, or the review key of a command's change to it (``FileProposal.key``)."""
        self.hunk_id = hunk_id
        """The hunk's stable id."""
        super().__init__()


class _FileMessage(Message):
    """A decision about one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        """Repo-relative path, or the review key of a command's change to it (``FileProposal.key``)."""
        super().__init__()


class ReviewPane(Vertical, can_focus=True):
    """Keys move between hunks and decide them; the screen turns the messages into workspace calls."""

    DEFAULT_CSS = """
    ReviewPane {
        border: round $primary 40%;
        border-title-color: $text-muted;
        height: 1fr;
    }
    ReviewPane:focus, ReviewPane:focus-within {
        border: round $primary;
    }
    ReviewPane #review-note {
        display: none;
        height: auto;
        max-height: 4;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("review.next_hunk", "next_hunk", "Next"),
        bind("review.prev_hunk", "prev_hunk", "Prev"),
        bind("review.next_file", "next_file", "Next file", show=False),
        bind("review.prev_file", "prev_file", "Prev file", show=False),
        bind("review.accept_hunk", "accept_hunk", "Accept"),
        bind("review.reject_hunk", "reject_hunk", "Reject"),
        bind("review.accept_file", "accept_file", "Accept file"),
        bind("review.reject_file", "reject_file", "Reject file"),
        bind("review.comment", "comment", "Comment"),
        bind("review.edit_hunk", "edit_hunk", "Edit", show=False),
        bind("review.edit_file", "edit_file", "Edit file", show=False),
        bind("review.undo", "undo", "Undo"),
        bind("review.redo", "redo", "Redo", show=False),
        bind("review.rewind", "rewind", "Rewind", show=False),
        bind("review.toggle_split", "toggle_split", "Split", show=False),
        bind("review.toggle_wrap", "toggle_wrap", "Wrap", show=False),
        bind("review.copy", "copy", "Copy hunk", show=False),
        bind("review.redo_conflict", "redo_conflict", "Redo", show=False),
        bind("review.back", "app.focus_prompt", "Back", show=False),
        Binding("pagedown", "scroll_diff(1)", "Scroll down", show=False),
        Binding("pageup", "scroll_diff(-1)", "Scroll up", show=False),
        bind("review.scroll_right", "scroll_sideways(8)", "Scroll right", show=False),
        bind("review.scroll_left", "scroll_sideways(-8)", "Scroll left", show=False),
        bind("review.line_start", "scroll_line_start", "Line start", show=False),
    ]

    file_index: reactive[int] = reactive(0, init=False, repaint=False)
    """Index of the selected file (the file list and the diff redraw themselves; the pane's frame need not)."""
    hunk_index: reactive[int] = reactive(0, init=False, repaint=False)
    """Index of the current hunk within the selected file (only the diff's rows concerned are redrawn)."""
    split_override: reactive[bool | None] = reactive(None, init=False)
    """Side by side (True) or unified (False) as toggled; None follows the width."""
    wrap: reactive[bool] = reactive(False, init=False)
    """Long lines wrap (continuation rows marked ``↪``) instead of scrolling sideways."""

    class HunkAccepted(_HunkMessage):
        """Accept one hunk: write it to disk and stage it."""

    class HunkRejected(_HunkMessage):
        """Reject one hunk: drop it from the proposal and tell the agent."""

    class FileAccepted(_FileMessage):
        """Accept the rest of a file."""

    class FileRejected(_FileMessage):
        """Reject the rest of a file."""

    class RedoRequested(_FileMessage):
        """Ask the agent to redo a conflicted change."""

    class HunkCommented(Message):
        """A comment on a hunk, for the agent."""

        def __init__(self, path: str, hunk_id: str, text: str) -> None:
            self.path = path
            """Repo-relative path, or the review key of a command's change to it (``FileProposal.key``)."""
            self.hunk_id = hunk_id
            """The hunk's stable id."""
            self.text = text
            """The comment."""
            super().__init__()

    class UndoRequested(Message):
        """Undo the last decision of any kind."""

    class RedoDecisionRequested(Message):
        """Redo the decision undone last."""

    class EditRequested(Message):
        """Open a hunk (or the whole proposed file) in the developer's editor."""

        def __init__(self, path: str, hunk_id: str | None) -> None:
            self.path = path
            """Repo-relative path of the agent's proposal."""
            self.hunk_id = hunk_id
            """The hunk, or None for the whole proposed file."""
            super().__init__()

    class RewindRequested(Message):
        """Choose a turn and a file to propose as it was before that turn."""

        def __init__(self, path: str | None) -> None:
            self.path = path
            """The file the pane shows (offered first), if any."""
            super().__init__()

    class Copied(Message):
        """Copy this text to the clipboard."""

        def __init__(self, text: str) -> None:
            self.text = text
            """The text to copy."""
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        """An empty review pane."""
        super().__init__(id=id)
        self.proposals: list[FileProposal] = []
        """Files awaiting review, in display order."""
        self.problems: dict[str, str] = {}
        """Path -> why the proposed contract (OpenAPI, DBML) does not validate, shown above its diff."""
        self._awaiting = False
        self._queued: list[str] = []

    def compose(self) -> ComposeResult:
        """File list on top, diff below, the comment line docked at the bottom."""
        yield FileList(id="review-files")
        yield ReviewNote(id="review-note")
        yield DiffView(id="review-diff")
        yield CommentInput(placeholder="Comment on this hunk (Enter saves, Esc cancels)", id="review-comment")

    def on_mount(self) -> None:
        """Title the pane."""
        self._update_title()

    @property
    def split(self) -> bool:
        """Whether the diff shows side by side right now."""
        if self.split_override is not None:
            return self.split_override
        return self.size.width >= SPLIT_MIN_WIDTH

    @property
    def current_proposal(self) -> FileProposal | None:
        """The selected file, if any."""
        if 0 <= self.file_index < len(self.proposals):
            return self.proposals[self.file_index]
        return None

    @property
    def current_hunk(self) -> Hunk | None:
        """The current hunk of the selected file, if any."""
        proposal = self.current_proposal
        if proposal is None or not proposal.hunks:
            return None
        return proposal.hunks[min(self.hunk_index, len(proposal.hunks) - 1)]

    def update_proposals(self, proposals: Sequence[FileProposal], problems: dict[str, str] | None = None) -> None:
        """Show a new set of proposals, keeping the selection where it makes sense.

        The same file stays selected while it has hunks; when a file's last hunk was decided it drops out, and the
        file now at its index (the next one) is selected.

        Args:
            proposals: Every pending file proposal.
            problems: Path -> why its proposed contract does not validate (none when omitted).
        """
        self.problems = dict(problems or {})
        previous = self.current_proposal
        shown = [p for p in proposals if p.hunks or in_conflict(p)]
        self.proposals = shown
        file_index = self.file_index
        hunk_index = self.hunk_index
        if previous is not None:
            same = next((i for i, p in enumerate(shown) if p.key == previous.key), None)
            if same is not None:
                file_index = same
            else:
                hunk_index = 0
        file_index = min(max(file_index, 0), max(len(shown) - 1, 0))
        current = shown[file_index] if shown else None
        hunk_index = min(hunk_index, max(len(current.hunks) - 1, 0)) if current is not None else 0
        self.set_reactive(ReviewPane.file_index, file_index)
        self.set_reactive(ReviewPane.hunk_index, hunk_index)
        self._refresh_views()
        self._awaiting = False
        if self._queued:
            self.call_later(self.run_action, self._queued.pop(0))

    def select_path(self, path: str) -> None:
        """Show the agent's (or a rewind's) proposal for ``path``, if it is listed."""
        index = next((i for i, p in enumerate(self.proposals) if p.path == path and not p.origin), None)
        if index is not None:
            self.file_index = index

    def _deferred(self, action: str) -> bool:
        """Keys pressed while a decision is on its way are replayed once the proposals are fresh again."""
        if self._awaiting:
            self._queued.append(action)
            return True
        return False

    def _decide(self, message: Message) -> None:
        self._awaiting = True
        self.post_message(message)

    def _refresh_views(self) -> None:
        self.query_one(FileList).show(self.proposals, self.file_index, self.problems)
        current = self.current_proposal
        self.query_one(ReviewNote).show(current, self.problems.get(current.path) if current is not None else None)
        self.query_one(DiffView).show(self.current_proposal, self.hunk_index, self.split, self.wrap)
        self._update_title()

    def _update_title(self) -> None:
        hunks = sum(len(p.hunks) for p in self.proposals)
        self.border_title = f"review · {len(self.proposals)} files · {hunks} hunks" if self.proposals else "review"
        mode = "side by side" if self.split else "unified"
        if not self.proposals:
            self.border_subtitle = ""
            return
        toggle, copy = key_hint(self.app, "review.toggle_split", "s"), key_hint(self.app, "review.copy", "y")
        help_key = key_hint(self.app, "app.help", "question_mark,f1")
        self.border_subtitle = f"{mode} · {toggle} toggles · {copy} copies · {help_key} keys"

    def watch_file_index(self) -> None:
        """Start at the first hunk of the newly selected file."""
        self.set_reactive(ReviewPane.hunk_index, 0)
        self._refresh_views()

    def watch_hunk_index(self) -> None:
        """Move the current-hunk mark (the diff rebuilds the two hunks concerned; the file list is unchanged)."""
        self.query_one(DiffView).show(self.current_proposal, self.hunk_index, self.split, self.wrap)

    def watch_wrap(self) -> None:
        """Re-render with long lines wrapped or not."""
        self._refresh_views()

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or go back to one row per line with the text scrolling sideways."""
        self.wrap = not self.wrap

    def watch_split_override(self) -> None:
        """Re-render in the chosen mode."""
        self._refresh_views()

    def on_resize(self) -> None:
        """The automatic split depends on the width."""
        self._update_title()
        if self.split_override is None:
            self.query_one(DiffView).show(self.current_proposal, self.hunk_index, self.split, self.wrap)

    def action_next_hunk(self) -> None:
        """Go to the next hunk, then on to the next file."""
        if self._deferred("next_hunk"):
            return
        proposal = self.current_proposal
        if proposal is None:
            return
        if self.hunk_index + 1 < len(proposal.hunks):
            self.hunk_index += 1
        elif self.file_index + 1 < len(self.proposals):
            self.file_index += 1

    def action_prev_hunk(self) -> None:
        """Go to the previous hunk, then back to the previous file's last hunk."""
        if self._deferred("prev_hunk"):
            return
        if self.hunk_index > 0:
            self.hunk_index -= 1
        elif self.file_index > 0:
            self.file_index -= 1
            previous = self.current_proposal
            if previous is not None and previous.hunks:
                self.hunk_index = len(previous.hunks) - 1

    def action_next_file(self) -> None:
        """Select the next file."""
        if self._deferred("next_file"):
            return
        if self.file_index + 1 < len(self.proposals):
            self.file_index += 1

    def action_prev_file(self) -> None:
        """Select the previous file."""
        if self._deferred("prev_file"):
            return
        if self.file_index > 0:
            self.file_index -= 1

    def _decidable(self) -> tuple[FileProposal, Hunk] | None:
        proposal, hunk = self.current_proposal, self.current_hunk
        if proposal is None:
            return None
        if proposal.state is FileState.CONFLICT:
            redo, drop = key_hint(self.app, "review.redo_conflict", "r"), key_hint(self.app, "review.reject_file", "D")
            self.notify(
                f"This file is in conflict: {redo} asks the agent to redo it, {drop} drops the proposal.",
                severity="warning",
            )
            return None
        if hunk is None:
            return None
        return proposal, hunk

    def action_accept_hunk(self) -> None:
        """Accept the current hunk."""
        if self._deferred("accept_hunk"):
            return
        if (target := self._decidable()) is not None:
            self._decide(self.HunkAccepted(target[0].key, target[1].id))

    def action_reject_hunk(self) -> None:
        """Reject the current hunk."""
        if self._deferred("reject_hunk"):
            return
        if (target := self._decidable()) is not None:
            self._decide(self.HunkRejected(target[0].key, target[1].id))

    def action_accept_file(self) -> None:
        """Accept the rest of the selected file."""
        if self._deferred("accept_file"):
            return
        if (target := self._decidable()) is not None:
            self._decide(self.FileAccepted(target[0].key))

    def action_reject_file(self) -> None:
        """Reject the rest of the selected file (also drops a conflicted proposal)."""
        if self._deferred("reject_file"):
            return
        proposal = self.current_proposal
        if proposal is not None:
            self._decide(self.FileRejected(proposal.key))

    def action_undo(self) -> None:
        """Undo the last decision (accept, reject, comment, edit)."""
        if self._deferred("undo"):
            return
        self._decide(self.UndoRequested())

    def action_redo(self) -> None:
        """Redo the decision undone last."""
        if self._deferred("redo"):
            return
        self._decide(self.RedoDecisionRequested())

    def _editable(self) -> FileProposal | None:
        proposal = self.current_proposal
        if proposal is not None and proposal.origin:
            self.notify(
                "This change was made by a Bash command and is already on disk: edit the file itself.",
                severity="warning",
            )
            return None
        return proposal

    def action_edit_hunk(self) -> None:
        """Open the current hunk in the developer's editor; their text replaces it in the proposal."""
        if self._deferred("edit_hunk"):
            return
        if (target := self._decidable()) is not None and self._editable() is not None:
            self._decide(self.EditRequested(target[0].path, target[1].id))

    def action_edit_file(self) -> None:
        """Open the whole proposed file in the developer's editor."""
        if self._deferred("edit_file"):
            return
        if (target := self._decidable()) is not None and self._editable() is not None:
            self._decide(self.EditRequested(target[0].path, None))

    def show_hunk(self, path: str, hunk_id: str) -> None:
        """Put the cursor on a hunk (the one an undo or an edit brought back); ``path`` is a review key."""
        index = next((i for i, p in enumerate(self.proposals) if p.key == path), None)
        if index is None:
            return
        self.file_index = index
        hunks = [hunk.id for hunk in self.proposals[index].hunks]
        if hunk_id in hunks:
            self.hunk_index = hunks.index(hunk_id)

    def action_rewind(self) -> None:
        """Rewind a file to how it was before a turn (as a proposal to review)."""
        current = self.current_proposal
        self.post_message(self.RewindRequested(current.path if current is not None else None))

    def action_toggle_split(self) -> None:
        """Switch between unified and side by side."""
        self.split_override = not self.split

    def action_copy(self) -> None:
        """Copy the current hunk as a patch."""
        proposal, hunk = self.current_proposal, self.current_hunk
        if proposal is not None and hunk is not None:
            self.post_message(self.Copied(hunk_as_patch(proposal.path, hunk)))

    def action_redo_conflict(self) -> None:
        """Ask the agent to redo the conflicted file's change."""
        proposal = self.current_proposal
        if proposal is None or proposal.state is not FileState.CONFLICT:
            redo = key_hint(self.app, "review.redo_conflict", "r")
            self.notify(f"{redo} redoes a conflicted file; this one is not in conflict.", severity="warning")
            return
        self.post_message(self.RedoRequested(proposal.path))

    def action_scroll_diff(self, direction: int) -> None:
        """Page the diff up or down."""
        diff = self.query_one(DiffView)
        if direction > 0:
            diff.scroll_page_down(animate=False)
        else:
            diff.scroll_page_up(animate=False)

    def action_scroll_sideways(self, columns: int) -> None:
        """Scroll the diff left or right (long lines are not wrapped, so line numbers stay true)."""
        self.query_one(DiffView).scroll_relative(x=columns, animate=False)

    def action_scroll_line_start(self) -> None:
        """Back to the start of long lines."""
        self.query_one(DiffView).scroll_home_x()

    def action_comment(self) -> None:
        """Open the comment line for the current hunk."""
        if self.current_hunk is None:
            return
        comment = self.query_one(CommentInput)
        comment.value = ""
        comment.add_class("-open")
        comment.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save the comment on the current hunk."""
        event.stop()
        proposal, hunk = self.current_proposal, self.current_hunk
        text = event.value.strip()
        self._close_comment()
        if proposal is not None and hunk is not None and text:
            self.post_message(self.HunkCommented(proposal.key, hunk.id, text))

    def on_comment_input_closed(self, event: CommentInput.Closed) -> None:
        """Drop the comment."""
        event.stop()
        self._close_comment()

    def _close_comment(self) -> None:
        comment = self.query_one(CommentInput)
        comment.remove_class("-open")
        comment.value = ""
        self.focus()
