"""Permission rules as Claude Code writes them in ``settings.json``: which Bash commands run, ask or are refused.

Read from ``.claude/settings.json`` (shared), ``.claude/settings.local.json`` (personal) and
``~/.claude/settings.json`` (the user's), key ``permissions`` with ``allow`` / ``ask`` / ``deny`` lists. What applies
here:

- ``Bash`` or ``Bash(*)``: every command. ``Bash(npm test:*)``: a prefix rule, ``npm test`` and ``npm test ...``.
  ``Bash(git diff *)``: a wildcard rule, ``*`` matches any text. ``Bash(npm run build)``: exactly that command.
- ``Read(path)`` / ``Edit(path)`` deny rules refuse reading (``Read``, and ``Grep`` / ``Glob`` on that path) or
  proposing (``Write``, ``Edit``). Paths are gitignore-style globs relative to the repository root (``*`` in a name,
  ``**`` across folders, a pattern without ``/`` matches a name at any depth, ``./`` and ``/`` both mean the root,
  ``//`` an absolute path, ``~/`` the home folder). Allow / ask rules for ``Read`` and ``Edit`` change nothing:
  reads never ask and edits are always reviewed.
- Other tools' rules (``WebFetch``, ``mcp__...``) do not apply here and are ignored.

An agent file's tool list may hold rules too (``tools: Read, Bash(git add:*, git status)``): they allow that
agent's commands like settings allow rules, after them, and never a command holding a metacharacter. A bare ``Bash``
there grants the tool only: every command asks.

Order: deny, then ask, then allow. A deny or ask rule matches a compound command when any of its parts matches;
an allow rule with a prefix or wildcard never matches a command holding a shell metacharacter (``&&``, ``;``,
``|``, ``$(``, backticks, redirections, newlines...): such a command always asks, so ``npm test:*`` cannot let
``npm test && rm -rf /`` through. Only an exact rule naming the whole command allows it.

A settings file that cannot be read or does not have this shape is ignored as a whole, with one line naming it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from backend_pair.errors import BackendPairError

log = logging.getLogger(__name__)

RuleKind = Literal["allow", "ask", "deny"]
KINDS: tuple[RuleKind, ...] = ("deny", "ask", "allow")
"""The order in which rules are consulted."""

SESSION_SOURCE = "this session"
"""The source label of rules the developer allowed always for this session only."""

LOCAL_SETTINGS = ".claude/settings.local.json"
"""Where "always allow" rules are saved (personal; Claude Code keeps it out of git)."""

_METACHARACTERS = re.compile(r"[;&|<>`$()\n\r\\{}]")
_SPLIT = re.compile(r"&&|\|\||[;&|\n\r]|\$\(|`|\(|\)")
_RULE = re.compile(r"^([A-Za-z][A-Za-z0-9_\-]*)(?:\((.*)\))?$", re.DOTALL)
_TWO_WORD_COMMANDS = frozenset(
    {"npm", "pnpm", "yarn", "bun", "git", "cargo", "go", "docker", "kubectl", "uv", "poetry", "pip", "dotnet",
     "gradle", "mvn", "composer", "bundle", "rails", "php", "make", "just", "npx", "deno", "helm", "terraform"}
)  # fmt: skip


class SettingsError(BackendPairError):
    """A settings file that cannot be used; ``str()`` names the file and what is wrong."""


@dataclass(frozen=True)
class Rule:
    """One permission rule, as written, with where it came from."""

    kind: RuleKind
    tool: str
    specifier: str | None
    """What is inside the parentheses (``None`` for a bare tool name)."""
    source: str
    """``.claude/settings.json``, ``.claude/settings.local.json``, ``~/.claude/settings.json`` or ``this session``."""

    @property
    def text(self) -> str:
        """The rule as written in a settings file: ``Bash(npm test:*)``."""
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    def describe(self) -> str:
        """``Bash(npm test:*) in .claude/settings.json``."""
        return f"{self.text} in {self.source}" if self.source != SESSION_SOURCE else f"{self.text} ({self.source})"


@dataclass(frozen=True)
class Verdict:
    """What the rules say about one use of a tool: ``deny``, ``ask``, ``allow``, or ``None`` (no rule: ask)."""

    kind: RuleKind | None
    rule: Rule | None = None


def parse_rule(text: str, kind: RuleKind, source: str) -> Rule:
    """Parse ``Tool`` or ``Tool(specifier)``.

    Raises:
        SettingsError: not of that shape (the message names the rule; the caller adds the file).
    """
    match = _RULE.match(text.strip())
    if match is None:
        raise SettingsError(f"{kind} rule {text!r} is not Tool or Tool(specifier)")
    tool, specifier = match.group(1), match.group(2)
    if specifier is not None and not specifier.strip():
        raise SettingsError(f"{kind} rule {text!r} has nothing between the parentheses")
    return Rule(kind, tool, specifier.strip() if specifier is not None else None, source)


def has_metacharacters(command: str) -> bool:
    """Whether a command could do more than its first words say (chained, piped, substituted, redirected)."""
    return bool(_METACHARACTERS.search(command))


def bash_rule_matches(rule: Rule, command: str) -> bool:
    """Whether a ``Bash`` rule's specifier covers the whole of ``command`` (no compound-command check here)."""
    spec = rule.specifier
    command = command.strip()
    if spec is None or spec == "*":
        return True
    if spec.endswith(":*"):
        prefix = spec[:-2].strip()
        return command == prefix or (command.startswith(prefix) and command[len(prefix)].isspace())
    if "*" in spec:
        pattern = ".*".join(re.escape(piece) for piece in spec.split("*"))
        return re.fullmatch(pattern, command, re.DOTALL) is not None
    return command == spec


def command_parts(command: str) -> list[str]:
    """The simple commands of a compound one (split on ``&&``, ``||``, ``;``, ``|``, ``$(``, backticks...)."""
    return [part.strip() for part in _SPLIT.split(command) if part.strip()]


def suggested_prefix(command: str) -> str | None:
    """The prefix rule offered for "always allow": ``npm test:*`` for ``npm test -- -k x``; ``None`` when unsafe."""
    if has_metacharacters(command):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or "=" in words[0]:
        return None
    keep = (
        words[:2] if words[0] in _TWO_WORD_COMMANDS and len(words) > 1 and not words[1].startswith("-") else words[:1]
    )
    if any(not re.fullmatch(r"[A-Za-z0-9_./@:+\-]+", word) for word in keep):
        return None
    return " ".join(keep) + ":*"


@dataclass
class PermissionRules:
    """The rules in force, in file order, plus one line per settings file that was ignored."""

    rules: list[Rule] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``FILE: what is wrong`` for each file ignored."""
    sources: list[str] = field(default_factory=list)
    """The settings files read, as labels."""

    def check_bash(self, command: str, agent_rules: Sequence[Rule] = ()) -> Verdict:
        """Deny, then ask, then allow; a prefix or wildcard allow never covers a command with metacharacters.

        Args:
            command: What the agent asks to run.
            agent_rules: Allow rules from the agent file's tool list (`agent_file_rules`), consulted after the
                settings files' rules; they never allow a command holding a metacharacter, not even an exact one.
        """
        parts = [command.strip(), *command_parts(command)]
        bash = [rule for rule in self.rules if rule.tool == "Bash"]
        for kind in ("deny", "ask"):
            for rule in bash:
                if rule.kind == kind and any(bash_rule_matches(rule, part) for part in parts):
                    return Verdict(kind, rule)
        compound = has_metacharacters(command)
        for rule in bash:
            if rule.kind != "allow":
                continue
            exact = rule.specifier is not None and "*" not in rule.specifier
            if (exact or not compound) and bash_rule_matches(rule, command):
                return Verdict("allow", rule)
        if not compound:
            for rule in agent_rules:
                if rule.kind == "allow" and rule.tool == "Bash" and bash_rule_matches(rule, command):
                    return Verdict("allow", rule)
        return Verdict(None)

    def check_path(self, tool: Literal["Read", "Edit"], rel_path: str, root: Path) -> Rule | None:
        """The deny rule refusing ``tool`` on the repository-relative ``rel_path``, if any."""
        for rule in self.rules:
            if rule.kind == "deny" and rule.tool == tool and path_rule_matches(rule, rel_path, root):
                return rule
        return None

    def add_session_rule(self, text: str) -> Rule:
        """Allow ``Bash(...)`` for the rest of this session (first, so it reads as the rule that allowed)."""
        rule = parse_rule(text, "allow", SESSION_SOURCE)
        self.rules.insert(0, rule)
        return rule

    def summary(self) -> str:
        """One line for the developer: how many rules of each kind, from which files."""
        if not self.rules:
            return "permission rules: none (every command asks)"
        counts = ", ".join(
            f"{sum(1 for rule in self.rules if rule.kind == kind)} {kind}"
            for kind in KINDS
            if any(rule.kind == kind for rule in self.rules)
        )
        files = ", ".join(self.sources) or SESSION_SOURCE
        return f"permission rules: {counts} ({files})"


def agent_file_rules(rule_texts: Sequence[str], agent_file: Path) -> tuple[Rule, ...]:
    """The allow rules an agent file's tool list grants its Bash (``tools: Read, Bash(git add:*, git status)``).

    Args:
        rule_texts: ``AgentDefinition.tool_rules`` (``Bash(git add:*)``...); a text that is not a rule is skipped
            (the definition already warned about it).
        agent_file: The agent file, named as the rules' source (``allowed by Bash(git status) in the agent file
            git.md``).

    Returns:
        The rules, for `PermissionRules.check_bash`'s ``agent_rules``.
    """
    source = f"the agent file {agent_file.name}"
    rules: list[Rule] = []
    for text in rule_texts:
        try:
            rule = parse_rule(text, "allow", source)
        except SettingsError:
            continue
        if rule.tool == "Bash" and rule.specifier is not None:
            rules.append(rule)
    return tuple(rules)


def path_rule_matches(rule: Rule, rel_path: str, root: Path) -> bool:
    """Whether a ``Read(...)`` / ``Edit(...)`` rule's path pattern covers ``rel_path`` (repository-relative)."""
    spec = rule.specifier
    if spec is None or spec in ("*", "**"):
        return True
    if spec.startswith("//") or spec.startswith("~/"):
        base = Path("/") if spec.startswith("//") else Path.home()
        absolute = base / spec.lstrip("/").removeprefix("~/")
        try:
            spec = "/" + absolute.relative_to(root).as_posix()
        except ValueError:
            return False
    anchored = spec.startswith("/") or spec.startswith("./") or "/" in spec.rstrip("/")
    spec = spec.removeprefix("./").lstrip("/")
    # A folder rule (``secrets/``, ``secrets/**``) covers the folder itself too (searching it is reading it).
    spec = spec.removesuffix("/**").rstrip("/") or "**"
    pattern = _glob_regex(spec)
    if not anchored:
        pattern = f"(?:.*/)?{pattern}"
    # A rule naming a folder covers what is inside it.
    return re.fullmatch(f"{pattern}(?:/.*)?", rel_path, re.DOTALL) is not None


def _glob_regex(glob: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif glob[index] == "*":
            out.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return "".join(out)


def settings_files(root: Path, home: Path | None = None) -> list[tuple[Path, str]]:
    """The settings files consulted, with their labels, most personal first."""
    home = home or Path.home()
    return [
        (root / LOCAL_SETTINGS, LOCAL_SETTINGS),
        (root / ".claude" / "settings.json", ".claude/settings.json"),
        (home / ".claude" / "settings.json", "~/.claude/settings.json"),
    ]


def read_settings_rules(path: Path, label: str) -> list[Rule] | None:
    """The permission rules of one settings file (``None`` when it does not exist).

    Raises:
        SettingsError: unreadable, not JSON, or ``permissions`` not of the expected shape (``FILE: what``).
    """
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"{label}: not UTF-8 text; ignored") from None
    except json.JSONDecodeError as err:
        raise SettingsError(f"{label}:{err.lineno}: not valid JSON ({err.msg}); ignored") from None
    except OSError as err:
        raise SettingsError(f"{label}: cannot be read ({err.strerror or err}); ignored") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{label}: expected a JSON object at the top; ignored")
    permissions = data.get("permissions", {})
    if not isinstance(permissions, dict):
        raise SettingsError(f"{label}: `permissions` must be an object with allow / ask / deny lists; ignored")
    rules: list[Rule] = []
    for kind in KINDS:
        entries = permissions.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            raise SettingsError(f"{label}: `permissions.{kind}` must be a list of strings; ignored")
        for entry in entries:
            try:
                rules.append(parse_rule(entry, kind, label))
            except SettingsError as err:
                raise SettingsError(f"{label}: {err}; ignored") from None
    return rules


def load_permissions(root: Path, home: Path | None = None) -> PermissionRules:
    """Read every settings file's rules; a bad file is skipped with one line in ``problems``.

    Args:
        root: The repository root.
        home: The home folder (default ``Path.home()``).
    """
    found = PermissionRules()
    for path, label in settings_files(root, home):
        try:
            rules = read_settings_rules(path, label)
        except SettingsError as err:
            found.problems.append(str(err))
            continue
        if rules is not None:
            found.rules.extend(rules)
            found.sources.append(label)
    return found


def save_local_rule(root: Path, rule_text: str) -> Path:
    """Add an allow rule to ``.claude/settings.local.json`` (created when missing; other keys kept).

    Raises:
        SettingsError: the file exists but is not a JSON object with a list ``permissions.allow``: it is left as is.
    """
    parse_rule(rule_text, "allow", LOCAL_SETTINGS)
    path = root / LOCAL_SETTINGS
    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SettingsError(
                f"{LOCAL_SETTINGS}: cannot be updated ({err}); the rule holds for this session"
            ) from None
        if not isinstance(loaded, dict):
            raise SettingsError(f"{LOCAL_SETTINGS}: not a JSON object; the rule holds for this session only")
        data = loaded
    permissions = data.setdefault("permissions", {})
    if not isinstance(permissions, dict) or not isinstance(permissions.setdefault("allow", []), list):
        raise SettingsError(
            f"{LOCAL_SETTINGS}: `permissions.allow` is not a list; the rule holds for this session only"
        )
    allow: list[Any] = permissions["allow"]
    if rule_text not in allow:
        allow.append(rule_text)
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".settings.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise SettingsError(f"{LOCAL_SETTINGS}: cannot be written ({err.strerror or err})") from None
    if created:
        _exclude_from_git(root)
    return path


def _exclude_from_git(root: Path) -> None:
    """Keep the personal settings file out of git, as Claude Code does: a line in ``.git/info/exclude``.

    Only for a plain ``.git`` folder (a linked worktree's ``.git`` is a file; its exclude file is shared).
    """
    git_dir = root / ".git"
    if not git_dir.is_dir():
        return
    exclude = git_dir / "info" / "exclude"
    try:
        current = exclude.read_text(encoding="utf-8") if exclude.exists() else ""
        if f"/{LOCAL_SETTINGS}" in current.splitlines():
            return
        exclude.parent.mkdir(parents=True, exist_ok=True)
        separator = "" if not current or current.endswith("\n") else "\n"
        exclude.write_text(f"{current}{separator}/{LOCAL_SETTINGS}\n", encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(
            f".git/info/exclude: cannot add {LOCAL_SETTINGS} ({err}); it was saved all the same"
        ) from None
