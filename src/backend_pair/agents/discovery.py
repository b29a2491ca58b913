"""Where agent files are looked up, and which one wins when two share a name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backend_pair.agents.definition import AgentDefinition, DefinitionError, parse_definition
from backend_pair.errors import BackendPairError

DEFAULT_AGENT = "Backend Engineer"
"""The agent used when `--agent` is not given."""

BUNDLED_DIR = Path(__file__).parent / "definitions"
"""Agent files shipped with backend-pair."""


class AgentNotFound(BackendPairError):
    """No agent matches the requested name."""


@dataclass
class AgentScan:
    """Everything discovery found: the winning definitions and the files that failed to parse."""

    agents: list[AgentDefinition] = field(default_factory=list)
    """Winners by name (case-insensitive), in lookup order of their first appearance."""
    problems: list[DefinitionError] = field(default_factory=list)
    """Files that could not be used, one error each."""


def user_config_dir() -> Path:
    """The user's configuration folder for backend-pair (platformdirs), e.g. `~/.config/backend-pair`."""
    import platformdirs

    return Path(platformdirs.user_config_dir("backend-pair"))


def agent_dirs(repo_root: Path | None) -> list[Path]:
    """The folders searched for `*.md` agent files, lowest precedence first.

    Args:
        repo_root: The repository, or None outside one.

    Returns:
        Bundled, `~/.claude/agents`, the user config folder's `agents`, then the repository's `.claude/agents`
        and `.backend-pair/agents`.
    """
    dirs = [BUNDLED_DIR, Path.home() / ".claude" / "agents", user_config_dir() / "agents"]
    if repo_root is not None:
        dirs += [repo_root / ".claude" / "agents", repo_root / ".backend-pair" / "agents"]
    return dirs


def scan_agents(repo_root: Path | None) -> AgentScan:
    """Parse every agent file in the lookup folders; a later folder wins by name.

    Args:
        repo_root: The repository, or None outside one.

    Returns:
        The winners and the problems (broken files do not stop discovery).
    """
    scan = AgentScan()
    winners: dict[str, AgentDefinition] = {}
    seen: set[Path] = set()
    for folder in agent_dirs(repo_root):
        try:
            files = sorted(p for p in folder.rglob("*.md") if p.is_file())  # subfolders too, as Claude Code
        except OSError:
            continue
        for path in files:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                definition = parse_definition(path)
            except DefinitionError as error:
                scan.problems.append(error)
                continue
            key = definition.name.casefold()
            winners.pop(key, None)  # re-insert so the order follows the winning file
            winners[key] = definition
    scan.agents = list(winners.values())
    return scan


def discover_agents(repo_root: Path | None) -> list[AgentDefinition]:
    """Every usable agent, one per name (the later lookup folder wins).

    Args:
        repo_root: The repository, or None outside one.

    Returns:
        The winning definitions.
    """
    return scan_agents(repo_root).agents


def find_agent(name: str, repo_root: Path | None) -> AgentDefinition:
    """Find an agent by name or file stem, case-insensitively.

    A broken file whose stem matches the request is reported rather than silently skipped, so a user's
    override of the default agent never falls back to the bundled one without a word.

    Args:
        name: E.g. `Backend Engineer` or `backend-engineer`.
        repo_root: The repository, or None outside one.

    Returns:
        The definition.

    Raises:
        AgentNotFound: No agent has that name.
        DefinitionError: The matching file is broken.
    """
    wanted = name.strip().casefold()
    slug = "-".join(wanted.split())
    scan = scan_agents(repo_root)
    for problem in reversed(scan.problems):
        if problem.path.stem.casefold() in (wanted, slug):
            raise problem
    for definition in reversed(scan.agents):
        if definition.name.casefold() == wanted:
            return definition
    for definition in reversed(scan.agents):
        if definition.source.stem.casefold() in (wanted, slug):
            return definition
    found = ", ".join(d.name for d in scan.agents) or "none"
    raise AgentNotFound(f"no agent named {name!r} (found: {found}); run `backend-pair agents` to list them")
