"""The canonical binding ids: every user-facing key binding has one, and keymaps rebind ids."""

from __future__ import annotations

BINDINGS: dict[str, str] = {
    "app.quit": "Quit (the session is journaled; nothing is lost)",
    "app.help": "Show every binding of the active keymap",
    "app.focus_review": "Focus the review pane",
    "app.focus_checklist": "Focus the checklist",
    "app.focus_prompt": "Focus the prompt",
    "app.next_pane": "Focus the next pane",
    "app.prev_pane": "Focus the previous pane",
    "app.compact": "Compact the conversation now (older turns become a summary the agent continues from)",
    "prompt.send": "Send the message",
    "prompt.newline": "Insert a new line in the prompt",
    "prompt.cancel": "Cancel the running turn",
    "prompt.history_prev": "Previous message from history",
    "prompt.history_next": "Next message from history",
    "review.next_hunk": "Next hunk",
    "review.prev_hunk": "Previous hunk",
    "review.next_file": "Next file",
    "review.prev_file": "Previous file",
    "review.accept_hunk": "Accept the hunk (write it and stage it)",
    "review.reject_hunk": "Reject the hunk",
    "review.accept_file": "Accept the rest of the file",
    "review.reject_file": "Reject the rest of the file",
    "review.comment": "Comment on the hunk",
    "review.rewind": "Rewind a file to how it was before a turn (proposed, reviewed like any change)",
    "review.edit_hunk": "Edit the hunk in $VISUAL / $EDITOR before deciding it (empty or unchanged = no change)",
    "review.edit_file": "Edit the whole proposed file in $VISUAL / $EDITOR",
    "review.undo": "Undo the last decision (accept, reject, comment, edit), one at a time",
    "review.redo": "Redo the decision undone last",
    "review.toggle_split": "Toggle unified / side-by-side diff",
    "review.toggle_wrap": "Wrap long lines (or scroll them sideways with the line numbers kept in place)",
    "review.scroll_right": "Scroll long lines right (line numbers and +/- stay)",
    "review.scroll_left": "Scroll long lines left",
    "review.line_start": "Back to the start of long lines",
    "review.copy": "Copy the hunk",
    "review.redo_conflict": "Ask the agent to redo a conflicted proposal",
    "review.back": "Back to the prompt",
    "checklist.toggle": "Toggle the item: pending, done, skipped",
    "checklist.next": "Next item",
    "checklist.prev": "Previous item",
    "checklist.back": "Back to the prompt",
    "conversation.expand": "Expand or collapse the tool call",
    "conversation.copy": "Copy the message",
    "approval.run_once": "Run the command once",
    "approval.always": "Always allow this command in this session",
    "approval.deny": "Deny (then an optional reason)",
    "approval.cancel": "Deny without a reason",
}
"""Binding id -> what it does, in the order the help screen lists them."""

BUILTIN_KEYMAPS: tuple[str, ...] = ("default", "vim", "emacs")
"""Keymaps shipped with backend-pair (`--keymap NAME`)."""


def scope_of(binding_id: str) -> str:
    """The part of the UI a binding belongs to: the id's prefix (`review` for `review.accept_hunk`)."""
    return binding_id.split(".", 1)[0]
