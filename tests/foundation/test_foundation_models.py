"""Model aliases, the session default, prices and token cost."""

from __future__ import annotations

import typing

import anthropic.types
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_pair.agents.models import (
    DEFAULT_MODEL,
    MODEL_ALIASES,
    MODEL_PRICES,
    ModelPrice,
    TokenCounts,
    cost_usd,
    price_for,
    resolve_model,
)


def sdk_model_ids() -> set[str]:
    literal = typing.get_args(anthropic.types.Model)[0]
    return set(typing.get_args(literal))


def test_aliases_and_default_are_ids_the_sdk_lists() -> None:
    ids = sdk_model_ids()
    assert MODEL_ALIASES == {"sonnet": "claude-sonnet-5-5", "opus": "claude-opus-5-5", "haiku": "claude-haiku-5-5"}
    assert set(MODEL_ALIASES.values()) <= ids
    assert DEFAULT_MODEL in ids


@pytest.mark.parametrize(
    ("model", "override", "expected"),
    [
        ("sonnet", None, "claude-sonnet-5-5"),
        ("Opus", None, "claude-opus-5-5"),
        ("haiku", None, "claude-haiku-5-5"),
        ("inherit", None, DEFAULT_MODEL),
        ("", None, DEFAULT_MODEL),
        ("claude-sonnet-4-20250514", None, "claude-sonnet-4-20250514"),
        ("claude-sonnet-4-20250514", "opus", "claude-opus-5-5"),
        ("haiku", "my-local-model", "my-local-model"),
        ("inherit", "claude-opus-4-8", "claude-opus-4-8"),
        ("opus", "", "claude-opus-5-5"),
    ],
)
def test_resolve_model(model: str, override: str | None, expected: str) -> None:
    assert resolve_model(model, override) == expected


def test_prices_by_family_with_cache_multipliers() -> None:
    assert price_for("claude-sonnet-5-5") == ModelPrice(3.0, 15.0, 3.75, 0.3)
    assert price_for("claude-opus-5-5") == ModelPrice(5.0, 25.0, 6.25, 0.5)
    assert price_for("claude-haiku-4-5-20251001") == ModelPrice(1.0, 5.0, 1.25, 0.1)
    assert price_for("claude-opus-4-1-20250805").input == 15.0
    for _, price in MODEL_PRICES:
        assert price.cache_write == pytest.approx(price.input * 1.25)
        assert price.cache_read == pytest.approx(price.input * 0.1)


def test_unknown_model_is_charged_at_the_sonnet_price() -> None:
    assert price_for("qwen-local") == price_for("claude-sonnet-5-5")


def test_cost_of_a_known_count() -> None:
    tokens = TokenCounts(input=1_000_000, output=100_000, cache_read=2_000_000, cache_creation=400_000)
    # 3.00 input + 1.50 output + 0.60 cache read + 1.50 cache write
    assert cost_usd("claude-sonnet-5-5", tokens) == pytest.approx(6.60)


COUNTS = st.builds(
    TokenCounts,
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
)


@settings(derandomize=True, deadline=None)
@given(a=COUNTS, b=COUNTS, model=st.sampled_from(["claude-opus-5-5", "claude-haiku-5-5", "unknown"]))
def test_cost_is_additive_over_counts(a: TokenCounts, b: TokenCounts, model: str) -> None:
    assert cost_usd(model, a + b) == pytest.approx(cost_usd(model, a) + cost_usd(model, b))
    assert (a + b).total == a.total + b.total
    assert a + TokenCounts() == a
