"""The toasts showing, one per kind: a new toast replaces the one of its kind, so toasts never pile up."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual.notifications import Notification

if TYPE_CHECKING:
    from textual.app import App


class ToastShelf:
    """The app's toasts by kind; Textual's own ``notify`` only adds one more."""

    def __init__(self, app: App[Any]) -> None:
        """Keep the toasts of ``app``; made on the thread the app runs on (``run_app`` and Pilot make it there)."""
        self._app = app
        self._ui_thread = threading.get_ident()
        self._shown: dict[str, Notification] = {}

    def show(self, key: str, notification: Notification) -> None:
        """Show ``notification``, replacing the toast of the same ``key`` (and dropping expired ones); any thread."""
        app = self._app
        if threading.get_ident() != self._ui_thread:  # notify is thread-safe in Textual: keep it so
            app.call_from_thread(self.show, key, notification)
            return
        # ``App._unnotify`` and ``App._notifications`` (private): Textual 8 cannot replace a toast (``notify`` only
        # posts a message that adds one). Guarded by tests/tui/test_tui_upstream_internals.py.
        for old_key, shown in list(self._shown.items()):
            if old_key == key or shown.has_expired:
                del self._shown[old_key]
                app._unnotify(shown, refresh=False)
        self._shown[key] = notification
        # Added now, not through a posted ``Notify``: a toast replaced before that message arrived would stay.
        app._notifications.add(notification)
        app._refresh_notifications()

    def shorten(self, seconds: float) -> None:
        """Let no toast showing stay longer than ``seconds`` from now."""
        for key, shown in list(self._shown.items()):
            if shown.time_left > seconds:
                self.show(key, Notification(shown.message, shown.title, shown.severity, seconds, markup=shown.markup))
