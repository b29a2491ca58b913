"""Keys named in hints and messages, read from the active keymap (the emacs keymap accepts with ``s``)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding


def key_hint(app: App[Any], binding_id: str, default: str) -> str:
    """How the first key bound to ``binding_id`` in the active keymap is shown (``s``, ``^r``, ``?``).

    Args:
        app: The running app (its keymap is the one set with ``App.set_keymap``).
        binding_id: A binding id, e.g. ``"review.toggle_split"``.
        default: The binding's default key, used when the keymap does not name it.
    """
    keymap: dict[str, str] = getattr(app, "_keymap", {})  # what ``App.set_keymap`` stored: id -> keys
    first = next((key.strip() for key in keymap.get(binding_id, default).split(",") if key.strip()), default)
    return app.get_key_display(Binding(first, ""))
