"""Whatever input the model sends, a tool answers with a result: wrong types, missing fields, huge strings, NUL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_pair.agents.approval import deny_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.events import AgentEvent, ToolCallFinished
from backend_pair.agents.session import AgentSession
from backend_pair.agents.tools import TOOL_ORDER, ToolContext, run_tool
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace

KEYS = [
    "file_path",
    "offset",
    "limit",
    "pattern",
    "path",
    "glob",
    "output_mode",
    "-i",
    "-n",
    "-C",
    "head_limit",
    "content",
    "old_string",
    "new_string",
    "replace_all",
    "command",
    "timeout",
    "description",
    "todos",
    "type",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["app/main.py", "../x", "/etc/passwd", ".git/HEAD", "a\x00b", "x" * 20_000, "[", "**/*.py"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
inputs = st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=6), values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(TOOL_ORDER), data=inputs)
def test_any_input_gives_a_result_never_an_exception(
    workspace: Workspace, definition: AgentDefinition, name: str, data: Any
) -> None:
    context = ToolContext(workspace=workspace, checklist=Checklist.from_definition(definition), approver=deny_all)
    result = asyncio.run(run_tool(context, name, data, TOOL_ORDER))
    assert isinstance(result.content, str) and result.content
    assert not (workspace.root / "ran").exists()


async def test_bad_input_through_the_loop_is_an_error_result(
    workspace: Workspace, definition: AgentDefinition, servers: list[FakeMessagesServer]
) -> None:
    from backend_pair.agents.client import make_client

    bad = [
        ToolUse("Read", {"file_path": 5}),
        ToolUse("Read", {}),
        ToolUse("Edit", {"file_path": "app/main.py", "old_string": "a\x00", "new_string": "b"}),
        ToolUse("Write", {"file_path": "big.txt", "content": "x" * 3_000_000}),
        ToolUse("Nonexistent", {"x": 1}),
    ]
    server = FakeMessagesServer([tool_reply(*bad), text_reply("ok")])
    servers.append(server)
    client = make_client(api_key="k", base_url=server.start(), max_retries=0)
    checklist = Checklist.from_definition(definition)
    session = AgentSession(definition, workspace, checklist, "claude-sonnet-4-20250514", deny_all, client=client)
    events: list[AgentEvent] = [event async for event in session.run_turn("go")]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.is_error for e in finished] == [True] * 5
    messages = [e.result for e in finished]
    assert "must be a string" in messages[0]
    assert "missing required field `file_path`" in messages[1]
    assert "NUL" in messages[2]
    assert "too long" in messages[3]
    assert "not available" in messages[4]
    assert not Path(workspace.root / "big.txt").exists()
