"""The app's colours: Textual's dark theme with every text colour readable (contrast >= 4.5:1), and NO_COLOR."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App
from textual.filter import Monochrome, NoColor
from textual.theme import BUILTIN_THEMES, Theme

THEME_NAME = "backend-pair"
"""The theme the app starts with."""

TEXT_VARIABLES = (
    "foreground",
    "foreground-muted",
    "text",
    "text-muted",
    "text-primary",
    "text-secondary",
    "text-accent",
    "text-warning",
    "text-error",
    "text-success",
    "footer-foreground",
    "footer-key-foreground",
    "footer-description-foreground",
)
"""Theme variables the app writes text in (widgets use these, never ``$error`` or ``$secondary`` as a text colour)."""

BACKGROUND_VARIABLES = ("background", "surface", "panel", "footer-background")
"""Theme variables text is written on."""

MIN_CONTRAST = 4.5
"""WCAG AA for normal text."""


def pair_theme() -> Theme:
    """``textual-dark`` with ``text-secondary`` lightened: Textual's is 3.4:1 on ``$panel``, now above 5:1."""
    base = BUILTIN_THEMES["textual-dark"]
    return replace(base, name=THEME_NAME, variables={**base.variables, "text-secondary": "#82AACB"})


def theme_colours(theme: Theme) -> dict[str, str]:
    """Every variable of ``theme`` as the app resolves it (``App.get_css_variables``: generated, then overrides)."""
    return {**theme.to_color_system().generate(), **theme.variables}


def use_pair_colours(app: App[Any]) -> None:
    """Register and select the theme; under ``NO_COLOR`` drop every colour, not only the hues.

    Textual's answer to ``NO_COLOR`` is grey levels (its ``Monochrome`` filter): still colours. This swaps in its
    ``NoColor`` filter (the terminal's default colours only) and marks the app ``-no-color``, where ``main.tcss``
    lets bold, underline and reverse carry what colour carried (the focused pane, the selected entry).

    Args:
        app: The app, right after ``App.__init__`` (which reads and removes ``NO_COLOR`` from the environment).
    """
    app.register_theme(pair_theme())
    app.theme = THEME_NAME
    if app.no_color:
        # ``App._filters`` (private): Textual 8 has no public way to choose the NO_COLOR filter. Guarded by
        # tests/tui/test_tui_upstream_internals.py.
        filters = app._filters  # Textual keeps its output filters here; NO_COLOR put Monochrome in
        app._filters = [NoColor() if isinstance(line_filter, Monochrome) else line_filter for line_filter in filters]
        app.add_class("-no-color")
