"""Secrets backend-pair holds never leave the process: one redactor for tool results, the screen, journal and logs.

The secrets are the API key and auth token (``ANTHROPIC_API_KEY``, ``ANTHROPIC_AUTH_TOKEN``) and any header value
backend-pair sends for authorisation. They are registered once, when the API client is built, before the
variables are dropped from the environment. Redaction is an exact substring replacement; a
:class:`StreamRedactor` also catches a secret split across the chunks of a streamed output.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

SECRET_VARIABLES: tuple[str, ...] = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
"""Environment variables whose values are secrets."""

MIN_SECRET_CHARS = 8
"""Shorter values are not treated as secrets (redacting ``abc`` everywhere would garble every text)."""

T = TypeVar("T", str, bytes)


class Redactor:
    """The process's secrets and how to hide them; thread-safe."""

    def __init__(self) -> None:
        """Start with no secret."""
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}

    def add(self, name: str, value: str | None) -> None:
        """Register ``value`` (shown as ``[redacted NAME]``); ignored when empty or too short to be a secret."""
        if value and len(value.strip()) >= MIN_SECRET_CHARS:
            with self._lock:
                self._secrets[value.strip()] = name

    def add_from_environment(self, environ: Mapping[str, str] | None = None) -> None:
        """Register the secret variables present in ``environ`` (the process environment by default)."""
        source = os.environ if environ is None else environ
        for name in SECRET_VARIABLES:
            self.add(name, source.get(name))

    def secrets(self) -> dict[str, str]:
        """Secret value -> its name (a copy)."""
        with self._lock:
            return dict(self._secrets)

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced."""
        for value, name in self.secrets().items():
            if value in text:
                text = text.replace(value, f"[redacted {name}]")
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        """Like :meth:`redact`, on bytes (a secret is matched as UTF-8)."""
        for value, name in self.secrets().items():
            encoded = value.encode("utf-8")
            if encoded in data:
                data = data.replace(encoded, f"[redacted {name}]".encode())
        return data

    def redact_data(self, data: Any) -> Any:
        """Every string inside JSON-like data (dicts, lists, tuples) redacted; a copy when anything changed."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {key: self.redact_data(value) for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.redact_data(value) for value in data]
        return data

    def longest(self) -> int:
        """Length in bytes of the longest secret (0 with none)."""
        return max((len(value.encode("utf-8")) for value in self.secrets()), default=0)

    def stream(self, kind: type[T]) -> StreamRedactor[T]:
        """A redactor for a stream of ``str`` or ``bytes`` chunks."""
        return StreamRedactor(self, kind)


class StreamRedactor(Generic[T]):
    """Redacts a stream chunk by chunk; holds back only a chunk's end that could begin a secret (usually nothing)."""

    def __init__(self, redactor: Redactor, kind: type[T]) -> None:
        """Redact chunks of type ``kind`` (``str`` or ``bytes``) with ``redactor``'s secrets."""
        self._redactor = redactor
        self._held: T = kind()
        values = list(redactor.secrets())
        self._secrets: list[Any] = [v.encode("utf-8") for v in values] if kind is bytes else values
        self._keep = max((len(secret) for secret in self._secrets), default=1) - 1

    def _apply(self, data: T) -> T:
        if isinstance(data, bytes):
            return self._redactor.redact_bytes(data)
        return self._redactor.redact(data)

    def _unsafe_tail(self, data: T) -> int:
        """Length of the longest end of ``data`` that is the start of a secret (what the next chunk may complete)."""
        for size in range(min(len(data), self._keep), 0, -1):
            tail = data[-size:]
            if any(secret.startswith(tail) for secret in self._secrets):
                return size
        return 0

    def feed(self, chunk: T) -> T:
        """Take the next chunk; return what can safely go on now."""
        data = self._apply(self._held + chunk)
        hold = self._unsafe_tail(data)
        self._held = data[len(data) - hold :]
        return data[: len(data) - hold]

    def close(self) -> T:
        """The rest, at the end of the stream."""
        rest, self._held = self._apply(self._held), self._held[:0]
        return rest


REDACTOR = Redactor()
"""The process's redactor: registered by the API client's construction, read everywhere text leaves."""


def drop_secret_variables() -> None:
    """Remove the secret variables from ``os.environ`` once the client holds the key (children never inherit them).

    ``/proc/<pid>/environ`` keeps the environment the process started with; :func:`forbid_inspection` closes that
    to other processes of the same user.
    """
    REDACTOR.add_from_environment()
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)


def forbid_inspection() -> bool:
    """On Linux, ``prctl(PR_SET_DUMPABLE, 0)``: other processes of the same user can no longer read this process's
    memory or ``/proc/<pid>/environ`` (root still can). Returns whether it took effect; never raises."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(4, 0, 0, 0, 0) == 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError) as err:
        logging.getLogger(__name__).info("prctl(PR_SET_DUMPABLE) unavailable: %s", err)
        return False


def redact_log_records() -> None:
    """Every log record made from now on carries its message already rendered and redacted (the arguments of a
    record may hold a secret, and a handler anywhere may write it)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        record.msg, record.args = REDACTOR.redact(message), None
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
