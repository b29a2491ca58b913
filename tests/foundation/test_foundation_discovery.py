"""Agent discovery: lookup folders, precedence by name, and finding the agent to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_pair.agents.definition import DefinitionError
from backend_pair.agents.discovery import (
    BUNDLED_DIR,
    DEFAULT_AGENT,
    AgentNotFound,
    agent_dirs,
    discover_agents,
    find_agent,
    scan_agents,
    user_config_dir,
)


def agent_file(folder: Path, stem: str, name: str, model: str = "sonnet") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.md"
    path.write_text(
        f"---\nname: {name}\ndescription: d\nmodel: {model}\ntools: Read\n---\nYou are {name}.\n", encoding="utf-8"
    )
    return path


def test_bundled_backend_engineer_is_found_outside_a_repository() -> None:
    agents = discover_agents(None)
    assert [agent.name for agent in agents] == [DEFAULT_AGENT, "explorer", "tester"]
    assert {agent.source.parent for agent in agents} == {BUNDLED_DIR}


def test_lookup_order_is_bundled_home_config_then_repository(git_repo: Path) -> None:
    dirs = agent_dirs(git_repo)
    assert dirs[0] == BUNDLED_DIR
    assert dirs[1] == Path.home() / ".claude" / "agents"
    assert dirs[2] == user_config_dir() / "agents"
    assert dirs[3:] == [git_repo / ".claude" / "agents", git_repo / ".backend-pair" / "agents"]
    assert str(user_config_dir()).startswith(str(Path.home()))


def test_repository_agents_are_listed_with_the_bundled_one(git_repo: Path) -> None:
    agent_file(git_repo / ".claude" / "agents", "reviewer", "Code Reviewer")
    names = [agent.name for agent in discover_agents(git_repo)]
    assert names == [DEFAULT_AGENT, "explorer", "tester", "Code Reviewer"]


def test_later_folder_wins_by_name_case_insensitively(git_repo: Path) -> None:
    agent_file(Path.home() / ".claude" / "agents", "a", "Helper", model="haiku")
    agent_file(user_config_dir() / "agents", "b", "helper", model="opus")
    agent_file(git_repo / ".claude" / "agents", "c", "HELPER", model="sonnet")
    winner = agent_file(git_repo / ".backend-pair" / "agents", "d", "Helper", model="claude-opus-5-5")
    agents = [agent for agent in discover_agents(git_repo) if agent.name.casefold() == "helper"]
    assert len(agents) == 1
    assert agents[0].source == winner
    assert agents[0].model == "claude-opus-5-5"


def test_repository_can_override_the_default_agent(git_repo: Path) -> None:
    override = agent_file(git_repo / ".claude" / "agents", "backend-engineer", DEFAULT_AGENT, model="opus")
    assert find_agent(DEFAULT_AGENT, git_repo).source == override


def test_find_agent_by_name_or_stem(git_repo: Path) -> None:
    path = agent_file(git_repo / ".claude" / "agents", "db-expert", "Database Expert")
    assert find_agent("database expert", git_repo).source == path
    assert find_agent("DB-EXPERT", git_repo).source == path
    assert find_agent("backend-engineer", git_repo).name == DEFAULT_AGENT


def test_unknown_agent_lists_what_exists(git_repo: Path) -> None:
    with pytest.raises(AgentNotFound) as caught:
        find_agent("nobody", git_repo)
    assert "'nobody'" in str(caught.value)
    assert DEFAULT_AGENT in str(caught.value)
    assert "backend-pair agents" in str(caught.value)


def test_broken_files_are_collected_not_fatal(git_repo: Path) -> None:
    folder = git_repo / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "broken.md").write_text("no front matter\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored: not markdown\n", encoding="utf-8")
    scan = scan_agents(git_repo)
    assert [agent.name for agent in scan.agents] == [DEFAULT_AGENT, "explorer", "tester"]
    assert [problem.path.name for problem in scan.problems] == ["broken.md"]


def test_broken_override_of_the_requested_agent_is_reported(git_repo: Path) -> None:
    folder = git_repo / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "backend-engineer.md").write_text("---\nname: 'unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        find_agent(DEFAULT_AGENT, git_repo)
    assert caught.value.path == folder / "backend-engineer.md"


def test_a_file_without_description_is_skipped_with_that_reason(git_repo: Path) -> None:
    folder = git_repo / ".claude" / "agents" / "team" / "api"
    folder.mkdir(parents=True)
    (folder / "groomer.md").write_text(
        "---\nname: 🧹 Groomer\ndescription: Use when asked: 'groom backlog'\n"
        "tools: Read, mcp__github__create_issue\n---\nGroom.\n",
        encoding="utf-8",
    )
    (folder / "silent.md").write_text("---\nname: Silent\ntools: Read\n---\nNo description.\n", encoding="utf-8")
    scan = scan_agents(git_repo)
    assert [agent.name for agent in scan.agents] == [DEFAULT_AGENT, "explorer", "tester", "🧹 Groomer"]
    assert scan.agents[3].description == "Use when asked: 'groom backlog'"
    (problem,) = scan.problems
    assert problem.path == folder / "silent.md"
    assert problem.line == 1
    assert "missing `description`" in problem.message and "Claude Code skips" in problem.message
    with pytest.raises(DefinitionError):
        find_agent("silent", git_repo)
