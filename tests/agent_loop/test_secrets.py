"""The API key never reaches the model, the screen, the journal or the logs; it leaves the environment early."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_pair.agents.events import TextDelta, ToolCallFinished
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.redact import REDACTOR, Redactor, redact_log_records
from backend_pair.untrusted import visible
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal
from tests.agent_loop.conftest import TEST_KEY
from tests.support import collect

SessionFactory = Callable[..., tuple[AgentSession, FakeMessagesServer]]
HALF = len(TEST_KEY) // 2


async def test_a_command_that_prints_the_key_sends_it_redacted(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    # The key printed in two writes with a pause between: two reads of the pipe, the key split across them.
    command = f"printf %s {TEST_KEY[:HALF]}; sleep 0.3; printf '%s\\n' {TEST_KEY[HALF:]}; echo {TEST_KEY}"
    journal = SessionJournal.create(workspace.root)
    session, server = make_session(
        [tool_reply(ToolUse("Bash", {"command": command})), text_reply("ok")], journal=journal
    )
    events = await collect(session, "show me")
    [result] = [e for e in events if isinstance(e, ToolCallFinished)]
    sent = str(server.requests[1]["messages"][-1]["content"])
    assert TEST_KEY not in sent and TEST_KEY not in result.result
    assert result.result.count("[redacted ") == 2
    assert TEST_KEY not in journal.path.read_text()


async def test_an_answer_repeating_the_key_is_redacted_as_it_streams(
    make_session: SessionFactory, workspace: Workspace
) -> None:
    journal = SessionJournal.create(workspace.root)
    session, _ = make_session([text_reply(f"Your key is {TEST_KEY}, right? And again: {TEST_KEY}.")], journal=journal)
    events = await collect(session, "what is my key")
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert TEST_KEY not in shown and shown.count("[redacted ") == 2
    assert shown.startswith("Your key is [redacted ") and shown.endswith(".")
    assert TEST_KEY not in journal.path.read_text()


def test_the_environment_loses_the_key_once_the_client_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from backend_pair.agents.client import make_client

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-the-environment-0001")
    client = make_client(base_url="http://127.0.0.1:9")
    assert client.api_key == "sk-ant-from-the-environment-0001"
    assert "ANTHROPIC_API_KEY" not in os.environ
    assert visible("k=sk-ant-from-the-environment-0001") == "k=[redacted ANTHROPIC_API_KEY]"


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    REDACTOR.add("the API key", TEST_KEY)
    redact_log_records()
    with caplog.at_level(logging.INFO):
        logging.getLogger("backend_pair.test").info("request failed with key %s", TEST_KEY)
    assert TEST_KEY not in caplog.text and "[redacted " in caplog.text


def test_other_processes_are_kept_out_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("prctl is Linux only")
    probe = (
        "import ctypes; from backend_pair.redact import forbid_inspection; "
        "print(forbid_inspection(), ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))"  # PR_GET_DUMPABLE
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "0"]


SECRET = "sk-ant-api03-SECRETSECRETSECRET-xyz"


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
    as_bytes=st.booleans(),
)
def test_a_stream_never_lets_a_split_secret_through(before: str, after: str, cuts: list[int], as_bytes: bool) -> None:
    redactor = Redactor()
    redactor.add("KEY", SECRET)
    text = f"{before}{SECRET}{after}"
    data: str | bytes = text.encode() if as_bytes else text
    points = sorted({min(cut, len(data)) for cut in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    if isinstance(data, bytes):
        byte_stream = redactor.stream(bytes)
        out_bytes = b"".join(byte_stream.feed(piece) for piece in pieces if isinstance(piece, bytes))
        out = (out_bytes + byte_stream.close()).decode()
    else:
        text_stream = redactor.stream(str)
        out = "".join(text_stream.feed(piece) for piece in pieces if isinstance(piece, str)) + text_stream.close()
    assert SECRET not in out
    assert out == redactor.redact(text)
