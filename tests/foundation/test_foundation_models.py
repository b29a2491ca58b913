"""Model aliases, the session default, prices and token cost."""

from __future__ import annotations

import re
import typing

import anthropic.types
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_pair.agents.models import (
    DEFAULT_MODEL,
    LONG_CONTEXT_BETA,
    MODEL_ALIASES,
    MODEL_PRICES,
    SDK_MODEL_IDS,
    ModelPrice,
    TokenCounts,
    api_request,
    context_window,
    cost_usd,
    current_for,
    model_notes,
    price_for,
    resolve_model,
)


def sdk_model_ids() -> set[str]:
    literal = typing.get_args(anthropic.types.Model)[0]
    return set(typing.get_args(literal))


def test_aliases_and_default_are_ids_the_sdk_lists() -> None:
    ids = sdk_model_ids()
    assert MODEL_ALIASES["sonnet"] == "claude-sonnet-5-5"
    assert MODEL_ALIASES["opus"] == "claude-opus-5-5"
    assert MODEL_ALIASES["haiku"] == "claude-haiku-5-5"
    assert MODEL_ALIASES["fable"] == "claude-fable-5-2"
    assert set(MODEL_ALIASES.values()) <= ids
    assert DEFAULT_MODEL in ids


def test_the_model_table_is_the_sdks_list() -> None:
    assert sdk_model_ids() == SDK_MODEL_IDS, "anthropic.types.Model changed: update SDK_MODEL_IDS (and the aliases)"


def _version(model_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", model_id)) or (-1,)


def test_every_sdk_family_has_an_alias_to_its_newest_id() -> None:
    families: dict[str, list[str]] = {}
    for model_id in sdk_model_ids():
        families.setdefault(model_id.split("-")[1], []).append(model_id)
    assert set(families) == set(MODEL_ALIASES)
    for family, ids in families.items():
        newest = max(ids, key=lambda model_id: (_version(model_id)[:2], -len(model_id)))
        assert MODEL_ALIASES[family] == newest, family


def test_the_long_context_beta_is_one_the_sdk_knows() -> None:
    betas = typing.get_args(typing.get_args(anthropic.types.AnthropicBetaParam)[1])
    assert LONG_CONTEXT_BETA in betas
    assert api_request("claude-sonnet-5-5[1m]") == ("claude-sonnet-5-5", {"anthropic-beta": LONG_CONTEXT_BETA})
    assert api_request("claude-sonnet-5-5") == ("claude-sonnet-5-5", {})
    assert context_window(resolve_model("sonnet[1m]", None)) == 1_000_000


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("sonnet", []),
        ("claude-opus-4-8", []),
        ("inherit", []),
        ("sonnet[1m]", []),
        ("opusplan", [("info", "`opusplan` runs on sonnet (claude-sonnet-5-5) here: backend-pair has no plan mode")]),
        (
            "claude-sonnet-4-20250514",
            [
                (
                    "warning",
                    "model `claude-sonnet-4-20250514` is not in the SDK's model list; "
                    "if the API refuses it, backend-pair uses claude-sonnet-5-5",
                )
            ],
        ),
        (
            "qwen-local",
            [
                (
                    "warning",
                    "model `qwen-local` is not in the SDK's model list; "
                    "check the id (an Anthropic-compatible endpoint may still serve it)",
                )
            ],
        ),
    ],
)
def test_model_notes(model: str, expected: list[tuple[str, str]]) -> None:
    assert model_notes(model) == expected


def test_current_for_keeps_the_long_window() -> None:
    assert current_for("claude-sonnet-4-20250514[1m]") == "claude-sonnet-5-5[1m]"
    assert current_for("claude-sonnet-5-5[1m]") is None
    assert current_for("claude-fable-5") == "claude-fable-5-2"
    assert current_for("qwen-local") is None


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
        ("fable", None, "claude-fable-5-2"),
        ("default", None, DEFAULT_MODEL),
        ("sonnet[1m]", None, "claude-sonnet-5-5[1m]"),
        ("Sonnet[1M]", None, "claude-sonnet-5-5[1m]"),
        ("claude-sonnet-4-6[1m]", None, "claude-sonnet-4-6[1m]"),
        ("haiku", "opus[1m]", "claude-opus-5-5[1m]"),
        ("opusplan", None, "claude-sonnet-5-5"),
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


@settings(derandomize=True, deadline=None)
@given(st.builds(TokenCounts, *[st.integers(min_value=0, max_value=10**12)] * 4))
def test_token_counts_come_back_from_their_journal_record(counts: TokenCounts) -> None:
    assert TokenCounts.from_json(counts.to_json()) == counts


def test_a_hand_edited_usage_record_reads_bad_counts_as_zero() -> None:
    record = {"input": "12", "output": -3, "cache_read": float("nan"), "cache_creation": True, "cost": 1.0}
    assert TokenCounts.from_json(record) == TokenCounts()
    assert TokenCounts.from_json({"input": 7.0, "output": float("inf")}) == TokenCounts(input=7)
