"""The review pane's steps, run for the app: decisions (accept, reject, comment), editing in ``$EDITOR`` (``e``,
``E``), undo and redo, and rewinding a file to before a turn.

Each runs on the workspace in a thread, is journaled, then the panes show the proposals as they stand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from backend_pair.errors import BackendPairError

if TYPE_CHECKING:
    from backend_pair.tui.app_port import ReviewHost
    from backend_pair.workspace import Workspace
    from backend_pair.workspace.checkpoints import Checkpoint
    from backend_pair.workspace.decisions import ReviewStep


async def decide(
    app: ReviewHost,
    decision: dict[str, str],
    operation: Callable[[Workspace], object],
    *,
    accepted: bool = False,
    said: str = "",
) -> None:
    """Run a review decision on the workspace in a thread, journal it, then refresh the panes.

    Args:
        app: The app.
        decision: What the journal records (``op``, ``path`` and, as they apply, ``hunk_id`` and ``comment``).
        operation: The workspace call.
        accepted: It wrote and staged hunks (evidence may tick checklist items).
        said: A line to show once it is done.
    """
    workspace = app.workspace
    if workspace is None:
        return
    try:
        await asyncio.to_thread(operation, workspace)
    except BackendPairError as err:
        app.notify(str(err), severity="error", timeout=8, kind="review")
        await app.refresh_review()
        return
    if said:
        app.notify(said, kind="review")
    await _journal(app, decision)
    if accepted:
        await app.apply_evidence()
    await app.refresh_review()


def run_editor(app: ReviewHost, text: str, suffix: str) -> str:
    """Give the terminal to the developer's editor on ``text`` (the app suspended), and return what they saved.

    Without a terminal to give (a headless test driver) the editor runs as it is.

    Raises:
        EditorFailed: Not found, failed, or nothing readable came back.
    """
    from backend_pair.workspace.editor import EditorFailed, edit_text

    failure: EditorFailed | None = None
    edited = ""
    try:
        with app.suspend():
            # Any error must stay inside: leaving the block by an exception would not resume the screen.
            try:
                edited = edit_text(text, suffix)
            except EditorFailed as err:
                failure = err
    except SuspendNotSupported:
        edited = edit_text(text, suffix)
    if failure is not None:
        raise failure
    return edited


async def edit_proposal(app: ReviewHost, path: str, hunk_id: str | None) -> None:
    """Open a hunk (or, for None, the whole proposed file) in the editor; the developer's text replaces it.

    A missing or failing editor, or a hunk decided meanwhile, is one line; nothing changes then.
    """
    from backend_pair.workspace.editor import editor_suffix

    workspace = app.workspace
    if workspace is None:
        return
    try:
        buffer = await asyncio.to_thread(workspace.edit_buffer, path, hunk_id)
        edited = run_editor(app, buffer, editor_suffix(path))
        if hunk_id is None:
            step = await asyncio.to_thread(workspace.edit_file, path, edited)
        else:
            step = await asyncio.to_thread(workspace.edit_hunk, path, hunk_id, edited)
    except BackendPairError as err:
        app.notify(str(err), severity="error", timeout=8)
        await app.refresh_review()
        return
    if step is None:
        app.notify("Nothing changed (the file came back empty or as it was).")
        await app.refresh_review()
        return
    await _journal(app, {"op": "edit_file" if hunk_id is None else "edit_hunk", "path": path, "hunk_id": hunk_id})
    await app.refresh_review()
    if step.hunk_id:
        app.main.show_hunk(step.path, step.hunk_id)
        app.notify("Your edit is in the proposal (✎ edited by you): accept or reject it like any hunk; u undoes it.")
    else:
        app.notify("Your edit leaves nothing to review there: the file already holds that text (u undoes it).")


async def undo_decision(app: ReviewHost, *, redo: bool) -> None:
    """Undo the last decision (or redo the one undone last) and put the cursor on the hunk it concerns."""
    workspace = app.workspace
    if workspace is None:
        return
    try:
        step: ReviewStep = await asyncio.to_thread(workspace.redo if redo else workspace.undo)
    except BackendPairError as err:
        app.notify(str(err), severity="error", timeout=8)
        await app.refresh_review()
        return
    app.notify(step.label[:1].upper() + step.label[1:])
    await _journal(app, {"op": "redo" if redo else "undo", "label": step.label})
    await app.apply_evidence()
    await app.refresh_review()
    if step.path:
        app.main.show_hunk(step.path, step.hunk_id)


async def _journal(app: ReviewHost, decision: dict[str, Any]) -> None:
    """Journal the step with the review state after it (``--resume`` brings the stack back)."""
    if app.session is not None:
        await asyncio.to_thread(app.session.record_review, decision)


async def open_rewind(app: ReviewHost, preferred: str | None) -> None:
    """Pick a turn and a file; propose the file as it was before that turn (reviewed like any proposal)."""
    from backend_pair.tui.screens.rewind import RewindScreen

    workspace = app.workspace
    if workspace is None:
        return
    checkpoints = await asyncio.to_thread(workspace.checkpoints)
    if not checkpoints:
        app.notify("No checkpoint yet: one is taken as each of your turns starts.", severity="warning")
        return

    async def load_files(checkpoint: Checkpoint) -> list[str]:
        return await asyncio.to_thread(workspace.changed_since, checkpoint)

    async def chosen(choice: tuple[Checkpoint, str] | None) -> None:
        if choice is None:
            return
        checkpoint, path = choice
        try:
            proposal = await asyncio.to_thread(workspace.propose_rewind, path, checkpoint)
        except BackendPairError as err:
            app.notify(str(err), severity="error", timeout=8)
            return
        await app.refresh_review()
        if not proposal.hunks:
            app.notify(f"{path} is already as it was before “{checkpoint.label}”.")
            return
        app.main.select_review_file(path)
        app.notify(
            f"{path} as it was before “{checkpoint.label}” is proposed: accept the hunks you want back "
            "(u undoes an accept)."
        )
        await app.snapshot_journal()

    app.push_screen(RewindScreen(checkpoints, load_files, preferred), chosen)
