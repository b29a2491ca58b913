"""The canonical binding ids: every user-facing key binding has one, and keymaps rebind ids."""

from __future__ import annotations

from typing import NamedTuple


class BindingSpec(NamedTuple):
    """One binding: its default keys (Textual key names, alternatives comma-separated) and what it does."""

    keys: str
    description: str


TABLE: dict[str, BindingSpec] = {
    "app.quit": BindingSpec("ctrl+q", "Quit (the session is journaled; nothing is lost)"),
    "app.help": BindingSpec("question_mark,f1", "Show every binding of the active keymap"),
    "app.focus_review": BindingSpec("ctrl+r", "Focus the review pane"),
    "app.focus_checklist": BindingSpec("ctrl+l", "Focus the checklist"),
    "app.focus_prompt": BindingSpec("ctrl+p", "Focus the prompt"),
    "app.next_pane": BindingSpec("tab", "Focus the next pane"),
    "app.prev_pane": BindingSpec("shift+tab", "Focus the previous pane"),
    "app.compact": BindingSpec(
        "ctrl+k", "Compact the conversation now (older turns become a summary the agent continues from)"
    ),
    "prompt.send": BindingSpec("enter", "Send the message"),
    "prompt.newline": BindingSpec("ctrl+j", "Insert a new line in the prompt"),
    "prompt.cancel": BindingSpec("escape", "Cancel the running turn"),
    "prompt.history_prev": BindingSpec("up", "Previous message from history"),
    "prompt.history_next": BindingSpec("down", "Next message from history"),
    "review.next_hunk": BindingSpec("right_square_bracket", "Next hunk"),
    "review.prev_hunk": BindingSpec("left_square_bracket", "Previous hunk"),
    "review.next_file": BindingSpec("right_curly_bracket", "Next file"),
    "review.prev_file": BindingSpec("left_curly_bracket", "Previous file"),
    "review.accept_hunk": BindingSpec("a", "Accept the hunk (write it and stage it)"),
    "review.reject_hunk": BindingSpec("d", "Reject the hunk"),
    "review.accept_file": BindingSpec("A", "Accept the rest of the file"),
    "review.reject_file": BindingSpec("D", "Reject the rest of the file"),
    "review.comment": BindingSpec("c", "Comment on the hunk"),
    "review.rewind": BindingSpec(
        "ctrl+z", "Rewind a file to how it was before a turn (proposed, reviewed like any change)"
    ),
    "review.edit_hunk": BindingSpec(
        "e", "Edit the hunk in $VISUAL / $EDITOR before deciding it (empty or unchanged = no change)"
    ),
    "review.edit_file": BindingSpec("E", "Edit the whole proposed file in $VISUAL / $EDITOR"),
    "review.undo": BindingSpec("u", "Undo the last decision (accept, reject, comment, edit), one at a time"),
    "review.redo": BindingSpec("U", "Redo the decision undone last"),
    "review.toggle_split": BindingSpec("s", "Toggle unified / side-by-side diff"),
    "review.toggle_wrap": BindingSpec(
        "w", "Wrap long lines (or scroll them sideways with the line numbers kept in place)"
    ),
    "review.scroll_right": BindingSpec("right", "Scroll long lines right (line numbers and +/- stay)"),
    "review.scroll_left": BindingSpec("left", "Scroll long lines left"),
    "review.line_start": BindingSpec("home", "Back to the start of long lines"),
    "review.copy": BindingSpec("y", "Copy the hunk"),
    "review.redo_conflict": BindingSpec("r", "Ask the agent to redo a conflicted proposal"),
    "review.back": BindingSpec("escape", "Back to the prompt"),
    "checklist.toggle": BindingSpec("space", "Toggle the item: pending, done, skipped"),
    "checklist.next": BindingSpec("down", "Next item"),
    "checklist.prev": BindingSpec("up", "Previous item"),
    "checklist.back": BindingSpec("escape", "Back to the prompt"),
    "conversation.expand": BindingSpec("enter", "Expand or collapse the tool call"),
    "conversation.copy": BindingSpec("y", "Copy the message"),
    "approval.run_once": BindingSpec("y", "Run the command once"),
    "approval.always": BindingSpec("a", "Always allow this command in this session"),
    "approval.deny": BindingSpec("n", "Deny (then an optional reason)"),
    "approval.cancel": BindingSpec("escape", "Deny without a reason"),
}
"""The one table of key bindings: binding id -> default keys and description, in the order help lists them.

Widgets build their ``Binding``s from it (``tui/bindings.py``); ``default.toml`` (the template users copy),
``docs/contracts.md``'s table and the help screen are tested against it or made from it; ``vim.toml`` and
``emacs.toml`` hold only what differs."""

BINDINGS: dict[str, str] = {binding_id: spec.description for binding_id, spec in TABLE.items()}
"""Binding id -> what it does, in the order the help screen lists them."""

DEFAULT_KEYS: dict[str, str] = {binding_id: spec.keys for binding_id, spec in TABLE.items()}
"""Binding id -> its default keys."""

BUILTIN_KEYMAPS: tuple[str, ...] = ("default", "vim", "emacs")
"""Keymaps shipped with backend-pair (`--keymap NAME`)."""


def scope_of(binding_id: str) -> str:
    """The part of the UI a binding belongs to: the id's prefix (`review` for `review.accept_hunk`)."""
    return binding_id.split(".", 1)[0]


def markdown_table() -> str:
    """The table as Markdown rows (``| id | keys | description |``), as ``docs/contracts.md`` carries it."""
    lines = ["| binding id | default keys | what it does |", "|---|---|---|"]
    lines.extend(f"| {binding_id} | {spec.keys} | {spec.description} |" for binding_id, spec in TABLE.items())
    return "\n".join(lines) + "\n"
