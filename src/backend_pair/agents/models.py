"""Model ids, aliases, prices and token accounting: one data table each, no SDK import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_MODEL = "claude-sonnet-5-5"
"""The session default: what `inherit` (and an agent without `model`) runs on unless `--model` says otherwise."""

MODEL_ALIASES: dict[str, str] = {
    "sonnet": "claude-sonnet-5-5",
    "opus": "claude-opus-5-5",
    "haiku": "claude-haiku-5-5",
    "fable": "claude-fable-5-2",
    "mythos": "claude-mythos-5-2",
}
"""Short names an agent file (or `--model`) may use, as Claude Code resolves them: one per family that
`anthropic.types.Model` lists, mapped to that family's newest id there (a test keeps this table in step with the
SDK)."""

SDK_MODEL_IDS: frozenset[str] = frozenset(
    {
        "claude-fable-5-2", "claude-mythos-5-2", "claude-haiku-5-5", "claude-sonnet-5-5", "claude-fable-5-1",
        "claude-opus-5-5", "claude-mythos-5-1", "claude-sonnet-5", "claude-fable-5", "claude-mythos-5",
        "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-mythos-preview", "claude-opus-4-6",
        "claude-sonnet-4-6", "claude-haiku-4-5", "claude-haiku-4-5-20251001", "claude-opus-4-5",
        "claude-opus-4-5-20251101",
    }
)  # fmt: skip
"""The model ids the installed SDK lists (the ``anthropic.types.Model`` literal, anthropic 2.16), copied so that
`agents check` needs no SDK import; a test fails when the SDK's list changes. An id outside it may be retired
(the Backend Engineer's ``claude-sonnet-4-20250514``) or an endpoint's own name."""

OPUSPLAN = "opusplan"
"""Claude Code's alias for opus while planning and sonnet otherwise. backend-pair has no plan mode (the agent
proposes, the developer reviews), so it runs on sonnet throughout, and says so."""

DEFAULT_ALIAS = "default"
"""Claude Code's alias for the recommended model: here the session default, `DEFAULT_MODEL`."""

INHERIT = "inherit"
"""The alias meaning "whatever the session runs on"."""


@dataclass(frozen=True)
class ModelPrice:
    """What a model costs, in USD per million tokens."""

    input: float
    """Uncached input tokens."""
    output: float
    """Output tokens."""
    cache_write: float
    """Input tokens written to the prompt cache (1.25x input)."""
    cache_read: float
    """Input tokens read from the prompt cache (0.1x input)."""

    @classmethod
    def from_base(cls, input_price: float, output_price: float) -> ModelPrice:
        """Build a price from the input and output prices, deriving the cache prices.

        Args:
            input_price: USD per million uncached input tokens.
            output_price: USD per million output tokens.

        Returns:
            The price with cache write at 1.25x and cache read at 0.1x the input price.
        """
        return cls(input_price, output_price, round(input_price * 1.25, 6), round(input_price * 0.1, 6))


MODEL_PRICES: tuple[tuple[str, ModelPrice], ...] = (
    # Older generations first: their ids also contain the family name, and the first match wins.
    ("claude-3-opus", ModelPrice.from_base(15.0, 75.0)),
    ("claude-opus-4-0", ModelPrice.from_base(15.0, 75.0)),
    ("claude-opus-4-1", ModelPrice.from_base(15.0, 75.0)),
    ("claude-opus-4-2025", ModelPrice.from_base(15.0, 75.0)),
    ("claude-3-haiku", ModelPrice.from_base(0.25, 1.25)),
    ("claude-3-5-haiku", ModelPrice.from_base(0.8, 4.0)),
    # Current families.
    ("opus", ModelPrice.from_base(5.0, 25.0)),
    ("sonnet", ModelPrice.from_base(3.0, 15.0)),
    ("haiku", ModelPrice.from_base(1.0, 5.0)),
)
"""Prices by model family: the first entry whose pattern occurs in the model id applies."""

DEFAULT_CONTEXT_WINDOW = 200_000
"""Input tokens a request may hold, for every current model unless a longer window is asked for."""

LONG_CONTEXT_MARK = "[1m]"
"""An id written with this suffix (``sonnet[1m]``) runs with the 1M-token context window."""

LONG_CONTEXT_BETA = "context-1m-2025-08-07"
"""The beta that opens the 1M-token window (``anthropic.types.AnthropicBetaParam``), sent as ``anthropic-beta``."""

LONG_CONTEXT_WINDOW = 1_000_000
"""The 1M-token window."""


def context_window(model_id: str) -> int:
    """How many input tokens a request to ``model_id`` may hold (for the status line's ``ctx`` and compaction)."""
    return LONG_CONTEXT_WINDOW if LONG_CONTEXT_MARK in model_id.lower() else DEFAULT_CONTEXT_WINDOW


def split_long_context(model_id: str) -> tuple[str, bool]:
    """``("claude-sonnet-5-5", True)`` for ``claude-sonnet-5-5[1m]``: the id the API knows, and whether the
    1M-token window is asked for (the mark is case-insensitive and may end the id only)."""
    stripped = model_id.strip()
    if stripped.lower().endswith(LONG_CONTEXT_MARK):
        return stripped[: -len(LONG_CONTEXT_MARK)].strip(), True
    return stripped, False


def api_request(model_id: str) -> tuple[str, dict[str, str]]:
    """What a request to ``model_id`` sends: the model id and any extra headers.

    Args:
        model_id: A resolved id, perhaps with the ``[1m]`` mark.

    Returns:
        The id without the mark, and ``{"anthropic-beta": LONG_CONTEXT_BETA}`` when the mark was there (else ``{}``).
    """
    api_id, long_context = split_long_context(model_id)
    return api_id, ({"anthropic-beta": LONG_CONTEXT_BETA} if long_context else {})


FALLBACK_PRICE_FAMILY = "sonnet"
"""The family whose price an unknown model is charged at."""


@dataclass(frozen=True)
class TokenCounts:
    """Tokens used by one API call, one turn or a whole session."""

    input: int = 0
    """Uncached input tokens."""
    output: int = 0
    """Output tokens."""
    cache_read: int = 0
    """Input tokens served from the prompt cache."""
    cache_creation: int = 0
    """Input tokens written to the prompt cache."""

    def __add__(self, other: TokenCounts) -> TokenCounts:
        """Sum two counts field by field."""
        if not isinstance(other, TokenCounts):
            return NotImplemented
        return TokenCounts(
            self.input + other.input,
            self.output + other.output,
            self.cache_read + other.cache_read,
            self.cache_creation + other.cache_creation,
        )

    @property
    def total(self) -> int:
        """Every token counted, input (cached or not) and output."""
        return self.input + self.output + self.cache_read + self.cache_creation

    def to_json(self) -> dict[str, int]:
        """The counts as the journal's ``usage`` record holds them."""
        return {
            "input": self.input,
            "output": self.output,
            "cache_read": self.cache_read,
            "cache_creation": self.cache_creation,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> TokenCounts:
        """Counts from a journal record; a count missing, negative or not a number reads as 0 (a hand-edited
        journal costs its figures, never the resume)."""

        def count(name: str) -> int:
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                return 0
            return int(value) if value != float("inf") else 0  # NaN fails ``>= 0`` above

        return cls(count("input"), count("output"), count("cache_read"), count("cache_creation"))


def resolve_model(model: str, override: str | None) -> str:
    """Turn an agent's `model` field (and an optional `--model`) into the id the session runs on.

    Aliases resolve as in Claude Code: a family name (`sonnet`, `opus`, `haiku`, `fable`, `mythos`) to that
    family's current id, `default` and `inherit` to the session default, `opusplan` to sonnet (see `OPUSPLAN`).
    A ``[1m]`` suffix (``sonnet[1m]``, ``claude-sonnet-4-6[1m]``) is kept on the resolved id: the request then asks
    for the 1M-token window (`api_request`).

    Args:
        model: The definition's `model`: a full id, an alias or `inherit`.
        override: `--model` from the command line; when given it wins (and may itself be an alias).

    Returns:
        A full model id, perhaps marked ``[1m]``. `inherit` and an empty value give `DEFAULT_MODEL`.
    """
    chosen = (override or "").strip() or model.strip()
    base, long_context = split_long_context(chosen)
    key = base.lower()
    if not key or key in (INHERIT, DEFAULT_ALIAS):
        resolved = DEFAULT_MODEL
    elif key == OPUSPLAN:
        resolved = MODEL_ALIASES["sonnet"]
    else:
        resolved = MODEL_ALIASES.get(key, base)
    return resolved + LONG_CONTEXT_MARK if long_context else resolved


def current_for(model_id: str) -> str | None:
    """The current id of ``model_id``'s family (``claude-sonnet-4-20250514`` -> the ``sonnet`` alias's id), or None
    when the family is unknown or ``model_id`` is already current: what to use when an endpoint no longer serves
    a pinned, retired id. A ``[1m]`` mark is carried over to the replacement."""
    base, long_context = split_long_context(model_id)
    lowered = base.lower()
    for family, current in MODEL_ALIASES.items():
        if family in lowered:
            if current == base:
                return None
            return current + LONG_CONTEXT_MARK if long_context else current
    return None


def model_notes(model: str) -> list[tuple[str, str]]:
    """What `agents check` says about an agent's `model` field: ``(level, text)`` pairs, level ``info``/``warning``.

    Args:
        model: The field as written (an alias, a full id, ``inherit``).

    Returns:
        A warning when the resolved id is not one the SDK lists (with what backend-pair falls back to when the
        API refuses it), an info line for ``opusplan``; nothing for an alias or a listed id.
    """
    notes: list[tuple[str, str]] = []
    base, _ = split_long_context(model)
    if base.lower() == OPUSPLAN:
        notes.append(
            ("info", f"`opusplan` runs on sonnet ({MODEL_ALIASES['sonnet']}) here: backend-pair has no plan mode")
        )
    resolved, _ = split_long_context(resolve_model(model, None))
    if resolved not in SDK_MODEL_IDS:
        fallback = current_for(resolved)
        then = (
            f"if the API refuses it, backend-pair uses {fallback}"
            if fallback is not None
            else "check the id (an Anthropic-compatible endpoint may still serve it)"
        )
        notes.append(("warning", f"model `{resolved}` is not in the SDK's model list; {then}"))
    return notes


def price_for(model_id: str) -> ModelPrice:
    """Find the price of a model by its family.

    An id that matches no family (a custom or future model, a local endpoint's name) is charged at the
    sonnet price, so the cost shown is an estimate rather than missing.

    Args:
        model_id: A full model id such as `claude-opus-5-5`.

    Returns:
        The family's price, or the sonnet price for an unknown model.
    """
    lowered = model_id.lower()
    for pattern, price in MODEL_PRICES:
        if pattern in lowered:
            return price
    return dict(MODEL_PRICES)[FALLBACK_PRICE_FAMILY]


def cost_usd(model_id: str, tokens: TokenCounts) -> float:
    """What `tokens` cost on `model_id`, in USD (unknown models at the sonnet price).

    Args:
        model_id: A full model id.
        tokens: The tokens to charge.

    Returns:
        The cost in US dollars.
    """
    price = price_for(model_id)
    micro = (
        tokens.input * price.input
        + tokens.output * price.output
        + tokens.cache_read * price.cache_read
        + tokens.cache_creation * price.cache_write
    )
    return micro / 1_000_000
