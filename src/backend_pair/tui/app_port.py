"""What the screens ask of the app, as Protocols: the screens never import the app (no import cycle).

The app (``tui/app.py``) owns the workspace and the session; the main screen owns its widgets and hands every
decision to the app through :class:`PairApp`; the review steps (``tui/review_steps.py``: decisions, the editor,
undo, rewind) use :class:`ReviewHost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from contextlib import AbstractContextManager

    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from backend_pair.agents.port import SessionPort
    from backend_pair.tui.config import AppConfig
    from backend_pair.tui.screens.main import MainScreen
    from backend_pair.workspace import Workspace


class PairApp(Protocol):
    """The app as the main screen uses it."""

    config: AppConfig

    async def send_prompt(self, text: str) -> None:
        """Show the prompt and start a turn for it."""
        ...

    async def compact_now(self) -> None:
        """Compact the conversation now."""
        ...

    def cancel_turn(self) -> None:
        """Cancel the running turn."""
        ...

    async def accept_hunk(self, path: str, hunk_id: str) -> None:
        """Write and stage one hunk."""
        ...

    async def reject_hunk(self, path: str, hunk_id: str) -> None:
        """Drop one hunk from the proposal."""
        ...

    async def accept_file(self, path: str) -> None:
        """Write and stage every pending hunk of a file."""
        ...

    async def reject_file(self, path: str, reason: str = "") -> None:
        """Drop a file's whole proposal."""
        ...

    async def comment_hunk(self, path: str, hunk_id: str, text: str) -> None:
        """Attach a comment to a hunk."""
        ...

    async def edit_proposal(self, path: str, hunk_id: str | None) -> None:
        """Edit a hunk (or, with None, the whole proposed file) in the developer's editor."""
        ...

    async def undo_decision(self, *, redo: bool) -> None:
        """Undo (or redo) the last review decision."""
        ...

    async def redo_conflict(self, path: str) -> None:
        """Drop a conflicted proposal and ask the agent to redo it."""
        ...

    async def open_rewind(self, preferred: str | None) -> None:
        """Pick a turn and a file to rewind."""
        ...

    async def refresh_review(self) -> None:
        """Show the proposals as they stand."""
        ...

    def refresh_checklist(self, *, mark_changes: bool = True) -> None:
        """Show the checklist as it stands."""
        ...

    async def toggle_checklist_item(self, item_id: str) -> None:
        """Tick or untick a checklist item (the developer's own decision)."""
        ...

    def keep_toasts_off_review(self) -> None:
        """Shorten toasts that would cover the review pane."""
        ...

    def copy_text(self, text: str, what: str) -> None:
        """Copy ``text`` to the clipboard and say so."""
        ...


class Notifies(Protocol):
    """Something that shows toasts as ``BackendPairApp.notify`` does (one per ``kind``, replaced)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
        kind: str | None = None,
    ) -> None:
        """Show a toast."""
        ...


class ReviewHost(Notifies, Protocol):
    """The app as the review steps use it."""

    workspace: Workspace | None
    session: SessionPort | None

    @property
    def main(self) -> MainScreen:
        """The main screen."""
        ...

    def suspend(self) -> AbstractContextManager[Any]:
        """Give the terminal to another program until the block ends."""
        ...

    async def refresh_review(self) -> None:
        """Show the proposals as they stand."""
        ...

    async def apply_evidence(self) -> None:
        """Tick checklist items the accepted files prove."""
        ...

    async def snapshot_journal(self) -> None:
        """Journal proposals and checklist as they stand."""
        ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Awaitable[None]]) -> object:
        """Show a modal; ``callback`` gets what it dismisses with."""
        ...
