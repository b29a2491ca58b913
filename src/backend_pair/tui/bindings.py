"""Widgets' key bindings, made from the one table in ``keymaps/ids.py`` (default keys and id come from there)."""

from __future__ import annotations

from textual.binding import Binding

from backend_pair.keymaps.ids import DEFAULT_KEYS


def bind(binding_id: str, action: str, label: str, *, show: bool = True, priority: bool = False) -> Binding:
    """The ``Binding`` for ``binding_id``: its default keys from the table, rebound by the active keymap at run time.

    Args:
        binding_id: An id of ``keymaps.ids.TABLE`` (a ``KeyError`` for any other: every user-facing key has one).
        action: The Textual action it runs.
        label: The short label the footer shows.
        show: Whether the footer may show it.
        priority: Whether it works while a text input has focus.
    """
    return Binding(DEFAULT_KEYS[binding_id], action, label, show=show, priority=priority, id=binding_id)
