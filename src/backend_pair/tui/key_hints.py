"""Keys named in hints and messages, read from the active keymap (the emacs keymap accepts with ``s``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.binding import Binding


@runtime_checkable
class HasKeymap(Protocol):
    """An app that says which keymap it set (``BackendPairApp.keymap``)."""

    @property
    def keymap(self) -> Mapping[str, str]:
        """Binding id -> keys."""
        ...


def keymap_of(app: App[Any]) -> Mapping[str, str]:
    """The active keymap (binding id -> keys) of ``app``; empty for an app that sets none."""
    return app.keymap if isinstance(app, HasKeymap) else {}


def key_hint(app: App[Any], binding_id: str, default: str) -> str:
    """How the first key bound to ``binding_id`` in the active keymap is shown (``s``, ``^r``, ``?``).

    Args:
        app: The running app (its keymap is the one set with ``App.set_keymap``).
        binding_id: A binding id, e.g. ``"review.toggle_split"``.
        default: The binding's default key, used when the keymap does not name it.
    """
    keymap = keymap_of(app)
    first = next((key.strip() for key in keymap.get(binding_id, default).split(",") if key.strip()), default)
    return app.get_key_display(Binding(first, ""))
