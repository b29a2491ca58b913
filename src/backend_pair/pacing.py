"""How streaming is paced, in one place, with the latency budget each figure serves.

The budget (bench/streaming.py and bench/huge_answer.py measure it): a key typed while an answer streams is on
screen within 50 ms at the 95th percentile, and no key waits longer than 1 s, whatever the answer's size; the last
text of a 20,000-token answer is on screen within 1 s of the last event. Three places share the one event loop
between the stream and the keys, and each gives it back often:

- the session's stream reader (``agents/stream_call.py``) yields every ``STREAM_SLICE`` seconds;
- the UI adapter (``tui/adapter.py``) joins text deltas for ``TEXT_FLUSH_INTERVAL`` seconds into one message;
- the answer widget (``tui/widgets/agent_entry.py``) re-renders at most every ``STREAM_RENDER_INTERVAL`` seconds,
  renders for ``RENDER_STEP`` seconds at a time, and bounds what it renders with the size limits below.

Values are read at use (``pacing.NAME``), so a test can change one for its own run.
"""

from __future__ import annotations

STREAM_SLICE = 0.001
"""Seconds the stream reader may run without suspending (a buffered stream never suspends on its own): a key
waits for about one slice at each of the loop turns it takes from the terminal to the screen, so slices are short
(a loop turn costs far less than a millisecond)."""

STREAM_BREATH = 0.0
"""Seconds the stream reader pauses after a slice; 0 only yields, so everything that is ready on the loop (the
listener's messages, a repaint) runs before it reads on, without leaving the loop idle."""

TEXT_FLUSH_INTERVAL = 0.05
"""Seconds of streamed text joined into one UI message (Textual repaints only when its queue is empty)."""

STREAM_RENDER_INTERVAL = 0.05
"""Seconds between re-renders of the answer being streamed (at most ~20 Hz)."""

RENDER_STEP = 0.001
"""Seconds a streaming answer renders (at least one piece) before letting the event loop run: a key waits for about
one step at each loop turn it takes from the terminal to the screen."""

SETTLED_CHUNK = 250
"""Characters of finished Markdown blocks rendered together once they leave a streaming answer's tail."""

TAIL_LIMIT = 8_000
"""Characters the unsettled tail may reach before it is cut anyway (a code block or paragraph that long): the tail is
rendered again on every update, so its length is what an update costs."""

SYNC_CHARS = 24_000
"""Characters left to render that are rendered at once (an answer that ends, a new width); more go in steps."""

COLLAPSE_CHARS = 200_000
"""Past this many characters, only the answer's last ``COLLAPSE_CHARS`` are rendered and shown until "show all"."""
