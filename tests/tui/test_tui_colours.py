"""NO_COLOR drops every colour (markers and text style carry the meaning); every theme text colour is readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from textual.color import Color
from textual.geometry import Region

from backend_pair.tui.app import BackendPairApp
from backend_pair.tui.theme import BACKGROUND_VARIABLES, MIN_CONTRAST, TEXT_VARIABLES, pair_theme, theme_colours
from backend_pair.tui.widgets.conversation import ConversationPane
from backend_pair.tui.widgets.review_pane import ReviewPane
from tests.tui.stand_ins import make_app, send, settle
from tests.tui.test_tui_snapshots import PROPOSING

SOURCES = Path(__file__).resolve().parents[2] / "src/backend_pair/tui"


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(text: Color, background: Color) -> float:
    """WCAG contrast ratio of two opaque colours."""
    lighter, darker = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _resolve(value: str, background: Color) -> Color:
    """A theme value as it shows on ``background``: ``auto N%`` is Textual's contrast text, alpha is blended."""
    if value.startswith("auto"):
        alpha = float(value.split()[1].rstrip("%")) / 100 if " " in value else 1.0
        color = background.get_contrast_text(alpha)
    else:
        color = Color.parse(value)
    return background.blend(color.with_alpha(1.0), color.a) if color.a < 1 else color


def test_every_text_colour_of_the_theme_reads_on_every_background() -> None:
    variables = theme_colours(pair_theme())
    failing = []
    for background_name in BACKGROUND_VARIABLES:
        background = Color.parse(variables[background_name])
        for text_name in TEXT_VARIABLES:
            ratio = contrast(_resolve(variables[text_name], background), background)
            if ratio < MIN_CONTRAST:
                failing.append(f"${text_name} on ${background_name}: {ratio:.2f}")
    assert failing == []


def test_the_app_writes_text_only_in_the_checked_colours() -> None:
    """``color: $error`` (3.4:1) or ``$secondary`` (1.9:1) would pass unseen: text uses the checked variables."""
    used = set()
    for path in [*SOURCES.rglob("*.py"), *SOURCES.rglob("*.tcss")]:
        for match in re.finditer(r"(?<![-\w])color:\s*\$([\w-]+)", path.read_text()):
            used.add((match.group(1), path.name))
    unchecked = sorted(f"${name} in {where}" for name, where in used if name not in TEXT_VARIABLES)
    assert used and unchecked == []


def _plain(color: RichColor | None) -> bool:
    return color is None or color.is_default


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.usefixtures("no_color")
async def test_no_color_shows_no_colour_and_keeps_markers_and_text_styles(service_repo: Path) -> None:
    app, _ = make_app(service_repo, [PROPOSING])
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app, BackendPairApp)
        assert app.no_color and app.has_class("-no-color")
        await settle(pilot)
        await send(pilot, "propose")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        coloured, texts, styles = [], [], set()
        for widget in app.screen.query("*"):
            if not widget.display or not widget.region:
                continue
            width, height = widget.region.size
            for strip in widget.render_lines(Region(0, 0, width, height)):
                for segment in strip:
                    style = segment.style
                    texts.append(segment.text)
                    if style is None:
                        continue
                    if not (_plain(style.color) and _plain(style.bgcolor)):
                        coloured.append((type(widget).__name__, segment.text, str(style)))
                    styles |= {name for name in ("bold", "reverse", "underline") if getattr(style, name)}
        assert coloured == []
        shown = "".join(texts)
        assert " + " in shown and " - " in shown, "added and removed lines keep their markers"
        assert {"bold", "reverse"} <= styles
        review = app.main.query_one(ReviewPane)
        assert app.focused is review and review.styles.border_top[0] == "heavy", "focus shows without colour"
        conversation = app.main.query_one(ConversationPane)
        conversation.focus()
        await pilot.press("up")
        selected = conversation.children[conversation.selected]
        assert selected.styles.text_style.reverse, "the selected entry shows without colour"
