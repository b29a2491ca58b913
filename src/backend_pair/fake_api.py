"""A loopback fake of the streaming Messages API, scripted turn by turn: for the demo, the tests and the benchmarks.

It runs ``http.server`` in a background thread, so it serves the real SDK both under pytest and inside a running
Textual app. Each HTTP request consumes the next step of the script (retries included).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHUNK_CHARS = 24


@dataclass(frozen=True)
class Text:
    """A text block, streamed as ``text_delta`` chunks of ``chunk`` characters."""

    text: str
    chunk: int = CHUNK_CHARS


@dataclass(frozen=True)
class ToolUse:
    """A tool_use block, its input streamed as ``input_json_delta`` in ``chunks`` pieces."""

    name: str
    input: dict[str, Any]
    id: str = ""
    chunks: int = 3


@dataclass(frozen=True)
class Compaction:
    """A server-side compaction block (``compact_20260112``): the API's summary of everything before it."""

    summary: str


COMPACTION_BETA = "compact-2026-01-12"
"""The beta a request must name for ``context_management``'s compaction edit."""


@dataclass(frozen=True)
class Usage:
    """Token counts the fake reports."""

    input: int = 100
    output: int = 20
    cache_read: int = 0
    cache_creation: int = 0


@dataclass(frozen=True)
class Reply:
    """A streamed answer, with optional faults.

    Attributes:
        blocks: The content blocks.
        stop_reason: ``None`` = ``tool_use`` when there is a ToolUse block, else ``end_turn``.
        usage: ``None`` = emulate caching (prefix unchanged since the previous request -> cache read).
        cut_after: Close the connection after this many SSE events (no ``message_stop``).
        malformed_after: Send a line of broken JSON after this many events.
        error_after: Send ``event: error`` (``error_type``) after this many events.
        delay: Seconds to wait before the response headers (timeouts).
        stall_after: Stop sending (for ``stall`` seconds) after this many events.
        pace: Seconds between events (the demo streams visibly; tests leave it at 0).
    """

    blocks: tuple[Text | ToolUse | Compaction, ...] = ()
    stop_reason: str | None = None
    usage: Usage | None = None
    cut_after: int | None = None
    malformed_after: int | None = None
    error_after: int | None = None
    error_type: str = "overloaded_error"
    error_message: str = "Overloaded"
    delay: float = 0.0
    stall_after: int | None = None
    stall: float = 0.0
    pace: float = 0.0


@dataclass(frozen=True)
class HttpError:
    """An error status with the API's error body (and ``retry-after-ms`` when ``retry_after`` is set)."""

    status: int
    error_type: str
    message: str
    retry_after: float | None = None


Step = Reply | HttpError
Script = Sequence[Step] | Callable[[dict[str, Any], int], Step]
"""A list consumed one step per request, or a function of (request body, request index)."""


def text_reply(text: str, **options: Any) -> Reply:
    """A plain text answer."""
    return Reply(blocks=(Text(text),), **options)


def tool_reply(*calls: ToolUse, text: str = "") -> Reply:
    """An answer calling tools (after an optional text)."""
    return Reply(blocks=((Text(text),) if text else ()) + calls)


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _split(text: str, pieces: int) -> list[str]:
    size = max(1, -(-len(text) // max(1, pieces)))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


@dataclass
class _State:
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    last_prefix: str = ""
    tool_counter: int = 0
    scripted: int = 0


class FakeMessagesServer:
    """The fake API. ``start()`` returns its base URL; ``requests`` holds every body received, in order."""

    def __init__(
        self,
        script: Script,
        model: str = "claude-sonnet-4-20250514",
        pace: float | None = None,
        server_compaction: bool | None = None,
    ) -> None:
        """Serve ``script``; ``model`` is echoed in answers; ``pace`` overrides every reply's pace when given.

        ``server_compaction``: None ignores ``context_management``; True compacts as the API does (a request whose
        input reaches the edit's trigger is answered with a :class:`Compaction` block first); False refuses a
        request that carries it, as an endpoint without the beta does.
        """
        self.script = script
        self.model = model
        self.pace = pace
        self.server_compaction = server_compaction
        self._state = _State()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies received so far."""
        with self._lock:
            return list(self._state.requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The headers of each request (lower-cased names)."""
        with self._lock:
            return list(self._state.headers)

    @property
    def base_url(self) -> str:
        """The URL it serves (``""`` when not started)."""
        if self._server is None:
            return ""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, listener: socket.socket | None = None) -> str:
        """Serve in a daemon thread; return the base URL.

        Args:
            listener: A listening socket to serve on (connections already waiting in it are served); None listens on
                127.0.0.1 on a free port.
        """
        handler = type("Handler", (_Handler,), {"fake": self})
        if listener is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        else:
            self._server = ThreadingHTTPServer(listener.getsockname()[:2], handler, bind_and_activate=False)
            self._server.socket.close()
            self._server.socket = listener  # socketserver's documented attribute: serve the given socket
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-messages-api", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving (wakes any delayed response)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` unless the server stops; True when stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def next_step(self, body: dict[str, Any], headers: dict[str, str]) -> Step:
        """Record the request and pick its step."""
        with self._lock:
            self._state.requests.append(body)
            self._state.headers.append(headers)
            refusal = self._refuse_context_management(body, headers)
            if refusal is not None:
                return refusal  # refused before the script is consulted: its steps stay for the requests that follow
            index = self._state.scripted
            self._state.scripted += 1
        if callable(self.script):
            return self.script(body, index)
        if index < len(self.script):
            return self.script[index]
        return HttpError(400, "invalid_request_error", f"the fake API's script has no step {index + 1}")

    def _refuse_context_management(self, body: dict[str, Any], headers: dict[str, str]) -> HttpError | None:
        if "context_management" not in body or self.server_compaction is None:
            return None
        if not self.server_compaction:
            return HttpError(400, "invalid_request_error", "context_management: Extra inputs are not permitted")
        if COMPACTION_BETA not in headers.get("anthropic-beta", ""):
            return HttpError(400, "invalid_request_error", f"context_management requires the {COMPACTION_BETA} beta")
        return None

    def compacted(self, body: dict[str, Any], reply: Reply) -> Reply:
        """``reply`` with a :class:`Compaction` block first when the request reached its compaction trigger."""
        if not self.server_compaction or any(isinstance(block, Compaction) for block in reply.blocks):
            return reply
        edits = (body.get("context_management") or {}).get("edits") or []
        trigger = next((edit.get("trigger") for edit in edits if edit.get("type") == "compact_20260112"), None)
        if not isinstance(trigger, dict):
            return reply
        usage = self.usage_for(body, reply)
        if usage.input + usage.cache_read + usage.cache_creation < int(trigger.get("value", 150_000)):
            return reply
        summary = f"Summary by the fake API of {len(body.get('messages', []))} messages."
        return dataclasses.replace(reply, blocks=(Compaction(summary), *reply.blocks))

    def usage_for(self, body: dict[str, Any], reply: Reply) -> Usage:
        """The reply's usage, or an emulation of prompt caching over the system + tools prefix."""
        if reply.usage is not None:
            return reply.usage
        prefix = json.dumps([body.get("tools"), body.get("system")], sort_keys=True)
        with self._lock:
            hit = prefix == self._state.last_prefix
            self._state.last_prefix = prefix
        messages = json.dumps(body.get("messages", []))
        cached = len(prefix) // 4
        output = sum(
            len(b.text) if isinstance(b, Text) else len(json.dumps(getattr(b, "input", ""))) for b in reply.blocks
        )
        output //= 4
        return Usage(
            input=len(messages) // 4 + 1,
            output=max(1, output),
            cache_read=cached if hit else 0,
            cache_creation=0 if hit else cached,
        )

    def next_tool_id(self) -> str:
        """A fresh ``toolu_…`` id."""
        with self._lock:
            self._state.tool_counter += 1
            return f"toolu_fake{self._state.tool_counter:04d}"

    def events(self, body: dict[str, Any], reply: Reply) -> list[bytes]:
        """The SSE events of a complete answer."""
        usage = self.usage_for(body, reply)
        has_tools = any(isinstance(block, ToolUse) for block in reply.blocks)
        stop_reason = reply.stop_reason or ("tool_use" if has_tools else "end_turn")
        message: dict[str, Any] = {
            "id": f"msg_fake{len(self.requests):04d}",
            "type": "message",
            "role": "assistant",
            "model": str(body.get("model", self.model)),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage.input,
                "output_tokens": 1,
                "cache_read_input_tokens": usage.cache_read,
                "cache_creation_input_tokens": usage.cache_creation,
            },
        }
        out = [_sse("message_start", {"type": "message_start", "message": message}), _sse("ping", {"type": "ping"})]
        for index, block in enumerate(reply.blocks):
            start: dict[str, Any]
            deltas: list[dict[str, Any]]
            if isinstance(block, Compaction):
                start = {"type": "compaction", "content": None}
                deltas = [{"type": "compaction_delta", "content": block.summary, "encrypted_content": "opaque-fake"}]
            elif isinstance(block, Text):
                start = {"type": "text", "text": ""}
                deltas = [
                    {"type": "text_delta", "text": part}
                    for part in _split(block.text, -(-len(block.text) // max(1, block.chunk)))
                ]
            else:
                start = {"type": "tool_use", "id": block.id or self.next_tool_id(), "name": block.name, "input": {}}
                raw = json.dumps(block.input)
                deltas = [{"type": "input_json_delta", "partial_json": part} for part in _split(raw, block.chunks)]
            out.append(
                _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
            )
            out.extend(
                _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
                for delta in deltas
            )
            out.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        out.append(
            _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": usage.output},
                },
            )
        )
        out.append(_sse("message_stop", {"type": "message_stop"}))
        return out


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMessagesServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake never writes to the terminal the app draws on."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"unparsable": raw.decode("utf-8", errors="replace")}
        headers = {name.lower(): value for name, value in self.headers.items()}
        step = self.fake.next_step(body, headers)
        try:
            if isinstance(step, HttpError):
                self._send_error(step)
            else:
                self._send_stream(body, step)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away (cancelled turn): nothing left to tell it

    def _send_error(self, step: HttpError) -> None:
        payload = json.dumps({"type": "error", "error": {"type": step.error_type, "message": step.message}}).encode()
        self.send_response(step.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        if step.retry_after is not None:
            self.send_header("retry-after-ms", str(max(1, int(step.retry_after * 1000))))
        self.end_headers()
        self.wfile.write(payload)

    def _send_stream(self, body: dict[str, Any], reply: Reply) -> None:
        if self.fake.wait(reply.delay):
            return
        reply = self.fake.compacted(body, reply)
        events = self.fake.events(body, reply)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        for number, event in enumerate(events):
            if number == reply.cut_after:
                return
            if number == reply.malformed_after:
                self.wfile.write(b'event: content_block_delta\ndata: {"type": "content_block_delta", "ind\n\n')
                self.wfile.flush()
                return
            if number == reply.error_after:
                error = {"type": "error", "error": {"type": reply.error_type, "message": reply.error_message}}
                self.wfile.write(_sse("error", error))
                self.wfile.flush()
                return
            if number == reply.stall_after and self.fake.wait(reply.stall):
                return
            pace = reply.pace if self.fake.pace is None else self.fake.pace
            if pace and self.fake.wait(pace):
                return
            self.wfile.write(event)
            self.wfile.flush()
