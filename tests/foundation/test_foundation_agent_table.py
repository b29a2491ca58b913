"""The `agents` table: cells cut by terminal width, never wider than asked, columns aligned by cells."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from backend_pair.agent_table import AgentRow, fit, render_table


def test_fit_cuts_by_cells_with_an_ellipsis() -> None:
    assert fit("Read, Grep", 20) == "Read, Grep"
    assert fit("Read, Grep, Glob", 10) == "Read, Gre…"
    assert fit("代码审查代码审查", 6) == "代码…"  # a wide character split by the cut is dropped, not half shown
    assert cell_len(fit("代码审查代码审查", 6)) <= 6
    assert fit(".claude/agents/team/rocket.md", 12, keep_end=True) == "…m/rocket.md"
    assert fit("🚀🚀🚀", 4) == "🚀…"


@settings(derandomize=True, max_examples=300, deadline=None)
@given(text=st.text(max_size=40), width=st.integers(1, 50), keep_end=st.booleans())
def test_fit_is_never_wider_than_asked(text: str, width: int, keep_end: bool) -> None:
    text = " ".join(text.split())
    shown = fit(text, width, keep_end=keep_end)
    assert cell_len(shown) <= width
    if cell_len(text) <= width:
        assert shown == text
    else:
        assert "…" in shown


def test_a_table_that_cannot_shrink_enough_keeps_the_model_whole() -> None:
    row = AgentRow("n" * 30, "claude-sonnet-4-20250514", "Read, Grep", "d" * 80, "x/" * 20 + "agent.md")
    lines = render_table([row], 40)
    assert "claude-sonnet-4-20250514" in lines[1]
    assert lines[1].endswith("agent.md")
    assert render_table([row], None)[1].endswith("x/" * 20 + "agent.md")
