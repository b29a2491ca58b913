"""The private Textual and anyio internals backend-pair relies on are still there, in the shape it uses.

Each use is commented at its spot and named here; an upgrade that changes one fails this file first, with the
name of what moved, instead of a subtle misbehaviour on screen.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from textual.app import App
from textual.binding import BindingsMap
from textual.filter import Monochrome
from textual.widget import Widget
from textual.widgets import Footer, OptionList, TextArea


def test_widget_bindings_map_can_be_copied_and_keyed() -> None:
    """tui/widgets/prompt.py reads ``Widget._bindings`` and applies the keymap to a copy."""
    area = TextArea()
    assert isinstance(area._bindings, BindingsMap)
    copy = area._bindings.copy()
    copy.apply_keymap({})
    assert isinstance(copy.key_to_bindings, dict)


def test_text_area_handles_keys_in_on_key() -> None:
    """tui/widgets/prompt.py overrides ``TextArea._on_key`` (the documented way to change what it types)."""
    assert inspect.iscoroutinefunction(TextArea._on_key)


def test_app_filters_hold_monochrome_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """tui/theme.py swaps NO_COLOR's ``Monochrome`` filter in ``App._filters``."""
    monkeypatch.setenv("NO_COLOR", "1")
    app: App[None] = App()
    assert isinstance(app._filters, list)
    assert any(isinstance(line_filter, Monochrome) for line_filter in app._filters)


def test_app_notifications_can_be_added_and_removed() -> None:
    """tui/toasts.py replaces toasts with ``App._notifications.add`` and ``App._unnotify``."""
    app: App[None] = App()
    assert callable(app._notifications.add)
    assert "refresh" in inspect.signature(app._unnotify).parameters


def test_option_list_knows_each_options_line() -> None:
    """tui/widgets/checklist_pane.py reads ``OptionList._index_to_line`` and ``_heights``."""
    options = OptionList("a", "b")
    assert isinstance(options._index_to_line, dict)
    assert isinstance(options._heights, dict)


def test_footer_keys_and_closing_flags() -> None:
    """tui/widgets/key_footer.py composes ``FooterKey``s, reads ``_bindings_ready`` and drops closed watchers."""
    from textual.widgets._footer import FooterKey

    footer = Footer()
    assert isinstance(footer._bindings_ready, bool)
    assert issubclass(FooterKey, Widget)
    assert hasattr(Widget(), "_closing") and hasattr(Widget(), "_closed")


def test_anyio_asyncio_backend_module() -> None:
    """tui/background.py imports anyio's asyncio backend in a thread before the watcher needs it."""
    assert importlib.import_module("anyio._backends._asyncio") is not None
