"""The only place that imports ``anthropic``: building the client, reporting retries, naming faults in one line.

``import anthropic`` costs about a second, so every import here happens inside a function, never at module import.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from backend_pair.agents.events import AgentError
from backend_pair.untrusted import one_line

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

RetryCallback = Callable[[int, str, float], None]
"""Called as ``(attempt, reason, delay)`` when the SDK is about to retry a request."""

DEFAULT_MAX_RETRIES = 4
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
_STATUS_NAMES = {
    408: "request timeout",
    409: "conflict",
    429: "rate limited",
    500: "server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
    529: "overloaded",
}


def make_client(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    timeout: float = 600.0,
) -> AsyncAnthropic:
    """Build the SDK client (``ANTHROPIC_API_KEY`` / ``ANTHROPIC_BASE_URL`` are honoured when not given).

    Args:
        api_key: The key; ``None`` lets the SDK read its environment.
        base_url: The endpoint; ``None`` lets the SDK read ``ANTHROPIC_BASE_URL``.
        max_retries: Retries of a failed request before any byte of an answer arrived.
        timeout: Seconds before a request (or a silent stream) times out.

    Returns:
        An ``AsyncAnthropic`` client.
    """
    import anthropic

    from backend_pair.redact import REDACTOR, drop_secret_variables

    REDACTOR.add("the API key", api_key)
    client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout)
    REDACTOR.add("the API key", client.api_key)
    REDACTOR.add("ANTHROPIC_AUTH_TOKEN", client.auth_token)
    # The client holds them now: commands the agent runs, and anything else started later, never inherit them.
    drop_secret_variables()
    return client


def estimated_retry_delay(retries_taken: int, headers: Any) -> float:
    """The delay the SDK will sleep before the next attempt (it honours ``retry-after``, else backs off)."""
    if headers is not None:
        for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
            raw = headers.get(name)
            if raw is None:
                continue
            try:
                value = float(raw) * scale
            except ValueError:
                continue
            if value > 0:
                return value
    return float(min(INITIAL_RETRY_DELAY * 2.0**retries_taken, MAX_RETRY_DELAY))


def _retryable_status(status: int, headers: Any) -> bool:
    flag = headers.get("x-should-retry") if headers is not None else None
    if flag in ("true", "false"):
        return bool(flag == "true")
    return status in RETRYABLE_STATUSES or status >= 500


def retry_reporter(report: RetryCallback, max_retries: int) -> Callable[[Any, Any], Awaitable[Any]]:
    """A client middleware that reports each attempt the SDK will retry, before it sleeps.

    The SDK runs middleware once per HTTP attempt inside its retry loop and hands it every response, 4xx/5xx
    included, so a failed attempt with retries left means a retry follows.

    Args:
        report: Receives ``(attempt, reason, delay)``.
        max_retries: The client's ``max_retries``.

    Returns:
        An async middleware callable for ``AsyncAnthropic(middleware=...)`` / ``with_middleware``.
    """

    async def report_retries(request: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        import anthropic

        taken = int(request.retries_taken)
        try:
            response = await call_next(request)
        except anthropic.APIConnectionError as err:
            if taken < max_retries:
                what = "timed out" if isinstance(err, anthropic.APITimeoutError) else "connection failed"
                report(taken + 1, what, estimated_retry_delay(taken, None))
            raise
        status = int(response.status_code)
        headers = response.headers
        if status >= 400 and taken < max_retries and _retryable_status(status, headers):
            reason = f"HTTP {status} {_STATUS_NAMES.get(status, 'error')}"
            report(taken + 1, reason, estimated_retry_delay(taken, headers))
        return response

    return report_retries


def _one_line(text: str, secret: str | None, limit: int = 300) -> str:
    return one_line(text.replace(secret, "[key]") if secret else text, limit)


def _body_error(body: object) -> tuple[str, str]:
    """``(type, message)`` out of an API error body, whatever shape it came in."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return "error", str(body)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("type", "error")), str(inner.get("message", ""))
    return "error", ""


def describe_error(err: BaseException, *, model: str, base_url: str, secret: str | None = None) -> AgentError:
    """Name an exception raised by an API call as one clear line (never the key, never a traceback).

    Args:
        err: What the SDK (or the stream) raised.
        model: The model id, named in a 404.
        base_url: The endpoint, named when it cannot be reached.
        secret: The key, redacted should the server echo it.

    Returns:
        The event to show.
    """
    import anthropic

    if isinstance(err, anthropic.APIStatusError):
        status = err.status_code
        kind_name, detail = _body_error(err.body)
        detail = detail or kind_name
        if status == 401:
            kind, text = "auth", f"The API rejected the key (401 {kind_name}): {detail}. Check ANTHROPIC_API_KEY."
        elif status == 403:
            kind, text = "auth", f"The key may not do this (403 {kind_name}): {detail}."
        elif status == 404:
            kind, text = "not_found", f"Unknown model or endpoint (404): {detail}. The model asked for is {model!r}."
        elif status == 400 or status == 413 or status == 422:
            kind, text = "bad_request", f"The API refused the request ({status} {kind_name}): {detail}"
        elif status == 429:
            kind, text = "rate_limit", f"Rate limited (429), gave up after retrying: {detail}"
        elif status == 529 or kind_name == "overloaded_error":
            where = "mid-answer" if status == 200 else "after retrying"
            kind, text = "overloaded", f"The API is overloaded ({where}): {detail}. Send again in a moment."
        elif status == 200:
            kind, text = "server", f"The API reported an error mid-answer ({kind_name}): {detail}"
        else:
            kind, text = "server", f"The API failed ({status} {kind_name}): {detail}"
        return AgentError(_one_line(text, secret), kind)
    if isinstance(err, anthropic.APITimeoutError) or _is_timeout(err):
        return AgentError("The API did not answer in time (timeout); what arrived is kept. Send again.", "timeout")
    if isinstance(err, anthropic.APIConnectionError):
        return AgentError(_one_line(f"Could not reach the API at {base_url}: {err}", secret), "connection")
    if isinstance(err, ValueError):
        return AgentError(
            _one_line(f"The API sent a malformed event ({type(err).__name__}: {err})", secret), "malformed"
        )
    return AgentError(
        _one_line(f"Unexpected failure talking to the API ({type(err).__name__}: {err})", secret), "internal"
    )


def _is_timeout(err: BaseException) -> bool:
    import httpx2

    return isinstance(err, httpx2.TimeoutException)


def client_base_url(client: Any) -> str:
    """The endpoint a client talks to, for messages."""
    return str(getattr(client, "base_url", "the API"))


def client_secret(client: Any) -> str | None:
    """The client's key, only so that it can be redacted from messages."""
    key = getattr(client, "api_key", None)
    return key if isinstance(key, str) and key else None
