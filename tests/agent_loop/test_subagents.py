"""The Task tool: nested sessions with another agent, through the real SDK against the fake Messages API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backend_pair.agents.approval import BashApprover, BashDecision, BashRequest, allow_all
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import AgentDefinition, parse_definition
from backend_pair.agents.discovery import BUNDLED_DIR
from backend_pair.agents.events import (
    AgentEvent,
    ProposalChanged,
    SubagentEvent,
    SubagentStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
)
from backend_pair.agents.history import problems
from backend_pair.agents.models import MODEL_ALIASES
from backend_pair.agents.resume import open_session
from backend_pair.agents.session import AgentSession
from backend_pair.agents.subagents import collaborators_for, find_collaborator
from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, Usage, text_reply, tool_reply
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal
from tests.agent_loop.conftest import MODEL, make_client

EXPLORER = parse_definition(BUNDLED_DIR / "explorer.md")
TESTER = parse_definition(BUNDLED_DIR / "tester.md")

Build = Callable[..., tuple[AgentSession, FakeMessagesServer]]


@pytest.fixture
def build(servers: list[FakeMessagesServer], definition: AgentDefinition, workspace: Workspace) -> Build:
    def make(
        script: Script,
        *,
        collaborators: tuple[AgentDefinition, ...] = (EXPLORER, TESTER),
        approver: BashApprover = allow_all,
        tools: tuple[str, ...] | None = None,
        journal: SessionJournal | None = None,
    ) -> tuple[AgentSession, FakeMessagesServer]:
        server = FakeMessagesServer(script)
        servers.append(server)
        defn = definition if tools is None else replace(definition, tools=tools)
        session = AgentSession(
            defn,
            workspace,
            Checklist.from_definition(defn),
            MODEL,
            approver,
            journal=journal,
            client=make_client(server.start()),
            collaborators=collaborators,
        )
        return session, server

    return make


async def collect(session: AgentSession, text: str) -> list[AgentEvent]:
    return [event async for event in session.run_turn(text)]


def tool_names(body: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in body.get("tools", [])]


def system_text(body: dict[str, Any]) -> str:
    return "\n".join(block["text"] for block in body["system"])


USAGE = Usage(input=100, output=10)


async def test_task_offered_only_with_collaborators_and_lists_them(build: Build) -> None:
    session, server = build([text_reply("hi", usage=USAGE)])
    await collect(session, "hello")
    tools = server.requests[0]["tools"]
    task = next(tool for tool in tools if tool["name"] == "Task")
    assert set(task["input_schema"]["required"]) == {"description", "prompt", "subagent_type"}
    assert f"- explorer: {EXPLORER.description}" in task["description"]
    assert "- tester: " in task["description"]
    assert "one level of nesting" in task["description"]

    alone, alone_server = build([text_reply("hi", usage=USAGE)], collaborators=())
    await collect(alone, "hello")
    assert "Task" not in tool_names(alone_server.requests[0])


async def test_task_runs_explorer_nested_and_returns_its_answer(build: Build) -> None:
    task = {"description": "find the entry point", "prompt": "Where is hello defined?", "subagent_type": "@Explorer"}
    session, server = build(
        [
            tool_reply(ToolUse("Task", task), text="Asking the explorer."),
            tool_reply(ToolUse("Grep", {"pattern": "def hello"})),
            text_reply("app/main.py:1 defines hello.", usage=Usage(input=50, output=5)),
            text_reply("The explorer found it in app/main.py.", usage=USAGE),
        ]
    )
    events = await collect(session, "where is hello?")

    child_first, child_last, parent_last = server.requests[1], server.requests[2], server.requests[3]
    assert child_first["model"] == MODEL_ALIASES["haiku"]
    assert tool_names(child_first) == ["Read", "Grep", "Glob"]
    assert "read-only" in system_text(child_first) and "Backend Engineer" not in system_text(child_first)
    assert child_first["messages"][0]["content"][-1]["text"] == "Where is hello defined?"
    grep_result = child_last["messages"][-1]["content"][0]
    assert "app/main.py" in grep_result["content"]

    started = [e for e in events if isinstance(e, SubagentStarted)]
    assert started and started[0].agent == "explorer" and started[0].description == "find the entry point"
    nested = [e for e in events if isinstance(e, SubagentEvent)]
    assert {e.agent for e in nested} == {"explorer"}
    assert [e.event.name for e in nested if isinstance(e.event, ToolCallStarted)] == ["Grep"]
    assert "".join(e.event.text for e in nested if isinstance(e.event, TextDelta)) == "app/main.py:1 defines hello."
    task_end = next(e for e in events if isinstance(e, ToolCallFinished) and e.name == "Task")
    assert task_end.result == "app/main.py:1 defines hello." and not task_end.is_error
    assert task_end.call_id == started[0].call_id

    answer = parent_last["messages"][-1]["content"][0]
    assert answer["type"] == "tool_result" and answer["content"] == "app/main.py:1 defines hello."
    assert problems(session.messages) == []
    assert events[-1] == TurnEnded("end_turn", interrupted=False)

    by_agent = session.usage_by_agent
    assert set(by_agent) == {"Backend Engineer", "explorer"}
    explorer_counts, explorer_cost = by_agent["explorer"]
    main_counts, _ = by_agent["Backend Engineer"]
    assert session.session_usage == main_counts + explorer_counts
    assert explorer_cost > 0 and session.session_cost == pytest.approx(sum(c for _, c in by_agent.values()))


async def test_unknown_subagent_type_is_an_error_listing_the_available(build: Build) -> None:
    task = {"description": "ask", "prompt": "Is the contract sound?", "subagent_type": "oracle"}
    session, server = build([tool_reply(ToolUse("Task", task)), text_reply("ok", usage=USAGE)])
    events = await collect(session, "check")
    result = server.requests[1]["messages"][-1]["content"][0]
    assert result["is_error"] is True
    assert "'oracle'" in result["content"] and "explorer, tester" in result["content"]
    assert not [e for e in events if isinstance(e, SubagentStarted)]
    assert len(server.requests) == 2


def test_collaborators_resolve_by_name_or_file_stem_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "frontend-engineer.md"
    path.write_text("---\nname: Frontend Engineer\ndescription: UI work\n---\nBuild the UI.\n")
    frontend = parse_definition(path)
    team = (EXPLORER, TESTER, frontend)
    assert find_collaborator("@frontend-engineer", team) is frontend
    assert find_collaborator("FRONTEND ENGINEER", team) is frontend
    assert find_collaborator("Explorer", team) is EXPLORER
    assert find_collaborator("@oracle", team) is None
    main = parse_definition(BUNDLED_DIR / "backend-engineer.md")
    assert [agent.name for agent in collaborators_for(main, [main, *team])] == [
        "explorer",
        "tester",
        "Frontend Engineer",
    ]


async def test_tester_proposals_are_tagged_reads_see_the_overlay_and_bash_asks(
    build: Build, workspace: Workspace
) -> None:
    workspace.propose("app/extra.py", "PENDING = True\n")
    asked: list[BashRequest] = []

    async def approver(request: BashRequest) -> BashDecision:
        asked.append(request)
        return BashDecision("once")

    task = {"description": "test hello", "prompt": "Write a test for hello and run it.", "subagent_type": "tester"}
    session, server = build(
        [
            tool_reply(ToolUse("Task", task)),
            tool_reply(ToolUse("Read", {"file_path": "app/extra.py"})),
            tool_reply(ToolUse("Write", {"file_path": "tests/test_hello.py", "content": "def test_x():\n    pass\n"})),
            tool_reply(ToolUse("Bash", {"command": "echo ran", "description": "run the tests"})),
            text_reply("Proposed tests/test_hello.py (pending review); `echo ran` passed.", usage=USAGE),
            text_reply("Done.", usage=USAGE),
        ],
        approver=approver,
    )
    events = await collect(session, "test it")
    child = server.requests[1]
    assert child["model"] == MODEL  # tester: model inherit
    assert tool_names(child) == ["Read", "Grep", "Glob", "Write", "Edit", "Bash"]  # no TodoWrite, no Task
    read_result = server.requests[2]["messages"][-1]["content"][0]["content"]
    assert "PENDING = True" in read_result
    proposal = workspace.proposal("tests/test_hello.py")
    assert proposal is not None and proposal.agent == "tester"
    own = workspace.proposal("app/extra.py")
    assert own is not None and own.agent == ""
    assert not (workspace.root / "tests" / "test_hello.py").exists()
    assert [request.command for request in asked] == ["echo ran"]
    assert asked[0].description.startswith("[tester]")
    assert ProposalChanged(("tests/test_hello.py",)) in events  # unwrapped: the review pane refreshes
    assert problems(session.messages) == []


async def test_subagent_never_gets_more_tools_than_its_caller_nor_a_nested_task(build: Build) -> None:
    task = {"description": "test", "prompt": "Try to delegate.", "subagent_type": "tester"}
    nested = {"description": "deeper", "prompt": "go", "subagent_type": "explorer"}
    session, server = build(
        [
            tool_reply(ToolUse("Task", task)),
            tool_reply(ToolUse("Task", nested)),
            text_reply("Could not delegate.", usage=USAGE),
            text_reply("ok", usage=USAGE),
        ],
        tools=("Read", "Grep"),
    )
    await collect(session, "go")
    child = server.requests[1]
    assert tool_names(child) == ["Read", "Grep"]
    refused = server.requests[2]["messages"][-1]["content"][0]
    assert refused["is_error"] is True and "cannot start another Task" in refused["content"]
    assert len(server.requests) == 4


async def test_cancel_stops_the_whole_tree_and_keeps_both_histories_valid(build: Build, workspace: Workspace) -> None:
    holder: list[AgentSession] = []
    children: list[AgentSession] = []

    async def approver(request: BashRequest) -> BashDecision:
        parent = holder[0]
        [child] = parent.active_subagents
        children.append(child)
        parent.cancel()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    task = {"description": "run", "prompt": "Run the tests.", "subagent_type": "tester"}
    session, server = build(
        [tool_reply(ToolUse("Task", task)), tool_reply(ToolUse("Bash", {"command": "sleep 30"}))],
        approver=approver,
    )
    holder.append(session)
    events = await collect(session, "go")
    assert events[-1] == TurnEnded(None, interrupted=True)
    task_end = next(e for e in events if isinstance(e, ToolCallFinished) and e.name == "Task")
    assert task_end.is_error and task_end.result == "cancelled by the developer"
    nested_end = [e.event for e in events if isinstance(e, SubagentEvent) and isinstance(e.event, TurnEnded)]
    assert nested_end == [TurnEnded(None, interrupted=True)]
    assert problems(session.messages) == [] and problems(children[0].messages) == []
    assert not session.running and not children[0].running
    assert len(server.requests) == 2


async def test_cancelling_the_task_running_the_turn_stops_the_subagent(build: Build) -> None:
    started = asyncio.Event()

    async def approver(request: BashRequest) -> BashDecision:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    task = {"description": "run", "prompt": "Run the tests.", "subagent_type": "tester"}
    session, _ = build(
        [tool_reply(ToolUse("Task", task)), tool_reply(ToolUse("Bash", {"command": "sleep 30"}))], approver=approver
    )

    async def drive() -> None:
        async for _ in session.run_turn("go"):
            pass

    runner = asyncio.create_task(drive())
    await started.wait()
    [child] = session.active_subagents
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    assert problems(session.messages) == [] and problems(child.messages) == []
    assert session.messages[-1]["content"][0]["content"] == "cancelled by the developer"


async def test_at_name_message_goes_to_that_agent_as_a_task(build: Build) -> None:
    session, server = build([text_reply("Proposed no tests: nothing to test yet.", usage=USAGE)])
    events = await collect(session, "@Tester write tests for hello()")
    child = server.requests[0]
    assert "You write and run tests" in system_text(child)
    assert child["messages"][0]["content"][-1]["text"] == "write tests for hello()"
    call = session.messages[1]["content"][0]
    assert call["type"] == "tool_use" and call["name"] == "Task"
    assert call["input"]["subagent_type"] == "tester" and call["input"]["prompt"] == "write tests for hello()"
    assert session.messages[2]["content"][0]["content"] == "Proposed no tests: nothing to test yet."
    assert [e.agent for e in events if isinstance(e, SubagentStarted)] == ["tester"]
    assert events[-1] == TurnEnded("end_turn", interrupted=False)
    assert problems(session.messages) == []


async def test_an_unknown_at_name_goes_to_the_main_agent(build: Build) -> None:
    session, server = build([text_reply("Sure.", usage=USAGE)])
    await collect(session, "@oracle is this sound?")
    assert "Backend Engineer" in system_text(server.requests[0])
    assert not [e for e in session.messages if e["role"] == "assistant" and e["content"][0]["type"] == "tool_use"]


async def _journaled_explorer_task(
    build: Build, workspace: Workspace
) -> tuple[AgentSession, FakeMessagesServer, SessionJournal, str]:
    """A journaled turn that hands a Task to the explorer (one Glob, then its answer); the session, its fake API,
    the journal and the Task's call id."""
    journal = SessionJournal.create(workspace.root)
    task = {"description": "find", "prompt": "Find hello.", "subagent_type": "explorer"}
    session, server = build(
        [
            tool_reply(ToolUse("Task", task)),
            tool_reply(ToolUse("Glob", {"pattern": "**/*.py"})),
            text_reply("app/main.py", usage=USAGE),
            text_reply("Found.", usage=USAGE),
        ],
        journal=journal,
    )
    await collect(session, "find hello")
    return session, server, journal, session.messages[1]["content"][0]["id"]


def _resume(
    definition: AgentDefinition, workspace: Workspace, journal: SessionJournal, server: FakeMessagesServer
) -> AgentSession:
    """The journaled session opened again, as ``--resume ID`` does."""
    return open_session(
        definition,
        workspace,
        Checklist.from_definition(definition),
        MODEL,
        allow_all,
        resume=journal.session_id,
        client=make_client(server.base_url),
    )


async def test_journal_records_the_nested_run_and_resume_restores_it(
    build: Build, workspace: Workspace, definition: AgentDefinition
) -> None:
    session, server, journal, call_id = await _journaled_explorer_task(build, workspace)
    started, runs = [r["payload"] for r in journal.records() if r["kind"] == "subagent"]
    assert started["running"] is True and "messages" not in started  # written as it starts, then when it ends
    assert runs["call_id"] == call_id and runs["agent"] == "explorer"
    assert runs["messages"][-1]["content"][0]["text"] == "app/main.py"
    nested = [r["payload"] for r in journal.records() if r["kind"] == "subagent_message"]
    assert [(p["call_id"], p["index"], p["role"]) for p in nested] == [
        (call_id, 0, "user"),
        (call_id, 1, "assistant"),
        (call_id, 2, "user"),
        (call_id, 3, "assistant"),
    ]
    tagged = [r["payload"] for r in journal.records() if r["kind"] == "tool_call"]
    assert [(p["name"], p.get("agent")) for p in tagged] == [("Glob", "explorer"), ("Task", None)]

    resumed = _resume(definition, workspace, journal, server)
    assert resumed.messages == session.messages
    assert resumed.subagent_runs[call_id]["messages"] == runs["messages"]
    assert resumed.usage_by_agent == session.usage_by_agent
    assert resumed.session_usage == session.session_usage
    assert [agent.name for agent in resumed.collaborators] == ["explorer", "tester"]
    assert resumed.journal is not None
    resumed.journal.release()


async def test_repository_agent_overrides_a_bundled_collaborator(
    workspace: Workspace, definition: AgentDefinition
) -> None:
    folder = workspace.root / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "explorer.md").write_text("---\nname: explorer\ndescription: Our own explorer\ntools: Read\n---\nLook.\n")
    session = open_session(definition, workspace, Checklist.from_definition(definition), MODEL, allow_all, resume=None)
    explorer = find_collaborator("explorer", session.collaborators)
    assert explorer is not None and explorer.description == "Our own explorer"
    task = next(tool for tool in session.request_params()["tools"] if tool["name"] == "Task")
    assert "- explorer: Our own explorer" in task["description"]
    assert "- tester: " in task["description"]
    assert session.journal is not None
    session.journal.release()


async def test_a_crash_mid_task_keeps_the_nested_run_so_far(
    build: Build, workspace: Workspace, definition: AgentDefinition
) -> None:
    _session, server, journal, call_id = await _journaled_explorer_task(build, workspace)
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    # The crash: the process died while the explorer was answering, before its run was closed.
    last_tool_result = max(
        number for number, line in enumerate(lines) if '"subagent_message"' in line and "tool_result" in line
    )
    journal.path.write_text("\n".join(lines[: last_tool_result + 1]) + "\n", encoding="utf-8")

    resumed = _resume(definition, workspace, journal, server)
    run = resumed.subagent_runs[call_id]
    assert run["agent"] == "explorer" and run["running"] is True
    assert [m["role"] for m in run["messages"]] == ["user", "assistant", "user"]
    assert run["messages"][1]["content"][0]["name"] == "Glob"
    assert problems(resumed.messages) == []
    assert resumed.messages[-1]["content"][0]["tool_use_id"] == call_id  # answered "not run" by the repair
    assert resumed.journal is not None
    resumed.journal.release()


def _who(body: dict[str, Any]) -> str:
    """Which agent sent a request: the explorer, the tester or the main agent (by its system prompt)."""
    system = system_text(body)
    if "read-only" in system:
        return "explorer"
    return "tester" if "You write and run tests" in system else "main"


TWO_TASKS = tool_reply(
    ToolUse("Task", {"description": "find hello", "prompt": "Where is hello?", "subagent_type": "explorer"}),
    ToolUse("Task", {"description": "test hello", "prompt": "Test hello().", "subagent_type": "tester"}),
    text="Asking both at once.",
)


async def test_task_calls_in_one_answer_run_side_by_side_and_answer_in_order(build: Build) -> None:
    import threading

    tester_asked = threading.Event()
    seen: dict[str, int] = {}

    def script(body: dict[str, Any], index: int) -> Any:
        who = _who(body)
        seen[who] = seen.get(who, 0) + 1
        if who == "tester":
            tester_asked.set()
            return text_reply("hello() needs one test.", usage=USAGE)
        if who == "explorer":
            if seen["explorer"] == 1:
                # Answered only once the tester has asked: one after the other, this would wait in vain.
                side_by_side = tester_asked.wait(10)
                return tool_reply(ToolUse("Grep", {"pattern": "def hello" if side_by_side else "SEQUENTIAL"}))
            return text_reply("app/main.py:1 defines hello.", usage=USAGE)
        return TWO_TASKS if seen["main"] == 1 else text_reply("Both answered.", usage=USAGE)

    session, server = build(script)
    events = await collect(session, "find and test hello")

    greps = [e.event.input for e in events if isinstance(e, SubagentEvent) and isinstance(e.event, ToolCallStarted)]
    assert greps == [{"pattern": "def hello"}], "the explorer answered after the tester asked: side by side"
    assert events[-1] == TurnEnded("end_turn", interrupted=False)
    started = [i for i, e in enumerate(events) if isinstance(e, SubagentStarted)]
    ended = [i for i, e in enumerate(events) if isinstance(e, ToolCallFinished) and e.name == "Task"]
    assert sorted(e.agent for e in events if isinstance(e, SubagentStarted)) == ["explorer", "tester"]
    assert len(started) == len(ended) == 2 and max(started) < min(ended), "both started before either ended"
    results = server.requests[-1]["messages"][-1]["content"]
    assert [block["content"] for block in results] == ["app/main.py:1 defines hello.", "hello() needs one test."]
    assert problems(session.messages) == []
    assert set(session.usage_by_agent) == {"Backend Engineer", "explorer", "tester"}
    assert not session.active_subagents


async def test_cancel_stops_every_task_running_side_by_side(build: Build) -> None:
    holder: list[AgentSession] = []
    children: list[AgentSession] = []

    async def approver(request: BashRequest) -> BashDecision:
        parent = holder[0]
        children.extend(parent.active_subagents)
        parent.cancel()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    seen: dict[str, int] = {}

    def script(body: dict[str, Any], index: int) -> Any:
        who = _who(body)
        seen[who] = seen.get(who, 0) + 1
        if who == "tester":
            return tool_reply(ToolUse("Bash", {"command": "sleep 30"}))
        if who == "explorer":
            if seen["explorer"] == 1:
                return tool_reply(ToolUse("Grep", {"pattern": "def hello"}))
            return text_reply("app/main.py:1 defines hello.", usage=USAGE)
        return TWO_TASKS if seen["main"] == 1 else text_reply("Both answered.", usage=USAGE)

    session, _ = build(script, approver=approver)
    holder.append(session)
    events = await collect(session, "go")
    assert events[-1] == TurnEnded(None, interrupted=True)
    ends = [e for e in events if isinstance(e, ToolCallFinished) and e.name == "Task"]
    assert [(e.is_error, e.result) for e in ends] == [(True, "cancelled by the developer")] * 2
    assert len(children) == 2
    assert problems(session.messages) == [] and all(problems(child.messages) == [] for child in children)
    assert not session.running and not any(child.running for child in children)
    assert not session.active_subagents


async def test_side_by_side_tasks_run_one_command_at_a_time(build: Build) -> None:
    asking = 0
    most = 0

    async def approver(request: BashRequest) -> BashDecision:
        nonlocal asking, most
        asking += 1
        most = max(most, asking)
        await asyncio.sleep(0.05)  # long enough for the other tester to ask meanwhile, if it could
        asking -= 1
        return BashDecision("once")

    def script(body: dict[str, Any], index: int) -> Any:
        messages = body["messages"]
        if _who(body) == "tester":
            if len(messages) == 1:
                return tool_reply(ToolUse("Bash", {"command": "echo ran"}))
            return text_reply("ran it.", usage=USAGE)
        if len(messages) == 1:
            return tool_reply(
                ToolUse("Task", {"description": "one", "prompt": "Run it.", "subagent_type": "tester"}),
                ToolUse("Task", {"description": "two", "prompt": "Run it too.", "subagent_type": "tester"}),
            )
        return text_reply("done", usage=USAGE)

    session, _ = build(script, approver=approver)
    events = await collect(session, "run both")
    assert events[-1] == TurnEnded("end_turn", interrupted=False)
    commands = [e.event for e in events if isinstance(e, SubagentEvent) and isinstance(e.event, ToolCallFinished)]
    assert len(commands) == 2 and all("ran" in e.result and not e.is_error for e in commands)
    assert most == 1, "one approval, and one command, at a time across the subagents"
    assert problems(session.messages) == []


async def test_side_by_side_runs_are_journaled_apart_and_resume_restores_both(
    build: Build, workspace: Workspace, definition: AgentDefinition
) -> None:
    journal = SessionJournal.create(workspace.root)

    def script(body: dict[str, Any], index: int) -> Any:
        who = _who(body)
        if who == "explorer":
            if len(body["messages"]) == 1:
                return tool_reply(ToolUse("Glob", {"pattern": "**/*.py"}))
            return text_reply("app/main.py", usage=USAGE)
        if who == "tester":
            return text_reply("one test", usage=USAGE)
        return TWO_TASKS if len(body["messages"]) == 1 else text_reply("Both done.", usage=USAGE)

    session, server = build(script, journal=journal)
    await collect(session, "find and test")
    explorer_id, tester_id = (call["id"] for call in session.messages[1]["content"] if call["type"] == "tool_use")
    resumed = _resume(definition, workspace, journal, server)
    runs = resumed.subagent_runs
    assert set(runs) == {explorer_id, tester_id}
    assert runs[explorer_id]["agent"] == "explorer" and runs[tester_id]["agent"] == "tester"
    assert runs[explorer_id]["messages"][-1]["content"][0]["text"] == "app/main.py"
    assert runs[tester_id]["messages"][-1]["content"][0]["text"] == "one test"
    assert problems(resumed.messages) == []
