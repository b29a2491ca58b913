"""``Bash(...)`` rules in an agent file's tool list allow that agent's commands; a bare ``Bash`` asks as before."""

from __future__ import annotations

from pathlib import Path

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.checklist import Checklist
from backend_pair.agents.definition import parse_definition
from backend_pair.agents.events import ToolCallFinished
from backend_pair.agents.permissions import load_permissions
from backend_pair.agents.session import AgentSession
from backend_pair.fake_api import FakeMessagesServer, ToolUse, text_reply, tool_reply
from backend_pair.workspace import Workspace
from backend_pair.workspace.journal import SessionJournal

from .conftest import MODEL, make_client


class Approvals:
    """Denies everything it is asked, and records what."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, request: BashRequest) -> BashDecision:
        self.asked.append(request.command)
        return BashDecision("deny")


def agent_file(root: Path, tools: str) -> Path:
    folder = root / ".claude" / "agents" / "ops"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "git-helper.md"
    path.write_text(
        f"---\nname: 🔧 Git Helper\ndescription: Use when asked: 'commit this'\ntools: {tools}\n---\nHelp with git.\n",
        encoding="utf-8",
    )
    return path


async def run_commands(
    servers: list[FakeMessagesServer], workspace: Workspace, tools: str, *commands: str, journal: bool = False
) -> tuple[list[ToolCallFinished], Approvals, SessionJournal | None]:
    definition = parse_definition(agent_file(workspace.root, tools))
    script = [tool_reply(ToolUse("Bash", {"command": command})) for command in commands] + [text_reply("done")]
    server = FakeMessagesServer(script)
    servers.append(server)
    approvals = Approvals()
    log = SessionJournal.create(workspace.root) if journal else None
    session = AgentSession(
        definition,
        workspace,
        Checklist.from_definition(definition),
        MODEL,
        approvals,
        journal=log,
        client=make_client(server.start()),
        permissions=load_permissions(workspace.root),
    )
    events = [event async for event in session.run_turn("go")]
    return [event for event in events if isinstance(event, ToolCallFinished)], approvals, log


async def test_agent_file_rules_allow_its_commands_without_asking(
    servers: list[FakeMessagesServer], workspace: Workspace
) -> None:
    results, approvals, journal = await run_commands(
        servers,
        workspace,
        "Read, Bash(echo:*, pwd), mcp__github__create_issue",
        "echo hi",
        "pwd",
        "touch asked",
        journal=True,
    )
    assert approvals.asked == ["touch asked"]
    assert results[0].result.startswith("hi") and not results[0].is_error
    assert results[0].summary == "Bash: echo hi · allowed by Bash(echo:*) in the agent file git-helper.md"
    assert results[1].summary == "Bash: pwd · allowed by Bash(pwd) in the agent file git-helper.md"
    assert results[2].is_error and not (workspace.root / "asked").exists()
    assert journal is not None
    calls = [record["payload"] for record in journal.records() if record["kind"] == "tool_call"]
    assert calls[0]["allowed_by"] == "allowed by Bash(echo:*) in the agent file git-helper.md"


async def test_agent_file_rules_never_allow_a_compound_command(
    servers: list[FakeMessagesServer], workspace: Workspace
) -> None:
    compound = ["echo hi && touch pwned", "echo $(touch pwned)", "pwd; touch pwned", "echo hi > pwned"]
    results, approvals, _ = await run_commands(
        servers, workspace, "Bash(echo:*, pwd, echo hi && touch pwned)", *compound
    )
    assert approvals.asked == compound
    assert all(result.is_error for result in results)
    assert not (workspace.root / "pwned").exists()


async def test_settings_deny_and_ask_rules_come_before_the_agent_file(
    servers: list[FakeMessagesServer], workspace: Workspace
) -> None:
    (workspace.root / ".claude").mkdir()
    (workspace.root / ".claude" / "settings.json").write_text(
        '{"permissions": {"deny": ["Bash(echo secret:*)"], "ask": ["Bash(pwd)"]}}'
    )
    results, approvals, _ = await run_commands(servers, workspace, "Bash(echo:*, pwd)", "echo secret", "pwd")
    assert approvals.asked == ["pwd"]
    assert "denied by the permission rule Bash(echo secret:*) in .claude/settings.json" in results[0].result


async def test_a_bare_bash_asks_for_every_command(servers: list[FakeMessagesServer], workspace: Workspace) -> None:
    results, approvals, _ = await run_commands(servers, workspace, "Read, Bash", "echo hi")
    assert approvals.asked == ["echo hi"]
    assert results[0].is_error
