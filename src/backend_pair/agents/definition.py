"""Agent definitions: Markdown with YAML front matter, parsed into a typed, validated `AgentDefinition`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_pair.agents.models import model_notes
from backend_pair.errors import BackendPairError

KNOWN_TOOLS: tuple[str, ...] = ("Read", "Grep", "Glob", "Write", "Edit", "Bash", "TodoWrite")
"""Tools backend-pair can offer the model, with Claude Code's names."""

ALL_TOOLS_BY_DEFAULT: tuple[str, ...] = ("Read", "Grep", "Glob", "Write", "Edit", "Bash")
"""What an agent without a tool list gets (as in Claude Code, omitting the list means every tool)."""

MAX_DEFINITION_BYTES = 1_000_000
"""Agent files larger than this are refused: a system prompt that size is a mistake, not a prompt."""

_TOOL_BY_LOWER = {tool.lower(): tool for tool in KNOWN_TOOLS}
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?[ \t]*$")
_TASK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\[(?P<mark>[ xX])\]\s+(?P<text>\S.*?)\s*$")
_FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.[ \t]*$)")
"""The front matter ends at the first line starting with ``---`` (as Claude Code reads it: 56 dashes close it too)."""
_REPAIRABLE = re.compile(r"^(?P<key>[A-Za-z0-9_-]+):[ \t]+(?P<value>\S.*?)[ \t]*$")
_YAML_INDICATORS = tuple("{}[]*&#!|>%@`")


class DefinitionError(BackendPairError):
    """An agent file that cannot be used; `str()` is `FILE:LINE: message`."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        """Record where and what.

        Args:
            path: The agent file.
            line: The 1-based line the problem is on (1 when it concerns the whole file).
            message: What is wrong, and when possible how to fix it.
        """
        message = " ".join(message.split())  # always one line, whatever a parser put in it
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ChecklistSeed:
    """One task item (`- [ ]` or `- [x]`) from an agent file's checklist."""

    text: str
    """The item's text, without the box."""
    checked: bool
    """True for `- [x]`."""
    line: int
    """1-based line in the agent file."""


@dataclass(frozen=True)
class ChecklistGroup:
    """The task items under one (sub)heading of the checklist."""

    title: str
    """The heading's title, e.g. `Before Starting`."""
    items: tuple[ChecklistSeed, ...]
    """The items, in file order."""


@dataclass(frozen=True)
class AgentDefinition:
    """A parsed agent file."""

    name: str
    """Display name from the front matter, e.g. `Backend Engineer`."""
    description: str
    """What the agent is for (required: Claude Code skips an agent file without one)."""
    model: str
    """The `model` field as written: a full id, an alias, or `inherit` (the default when absent)."""
    tools: tuple[str, ...]
    """Known tools the agent may use, canonical names, in file order, without duplicates."""
    body: str
    """The Markdown after the front matter: the system prompt."""
    checklist: tuple[ChecklistGroup, ...]
    """The checklist seeds, grouped by subheading."""
    source: Path
    """The file it was read from."""
    warnings: tuple[str, ...] = ()
    """Non-fatal problems (`FILE:LINE: warning: message`), e.g. unknown tool names that were ignored."""
    tool_rules: tuple[str, ...] = ()
    """The ``Bash(...)`` rules of the tool list, one command pattern each (``tools: Bash(git add:*, git status)``
    gives ``Bash(git add:*)`` and ``Bash(git status)``): that agent's Bash runs them without asking."""
    notes: tuple[str, ...] = ()
    """What only `agents check` prints (`FILE:LINE: info: ...` or `FILE:LINE: warning: ...`): how backend-pair reads
    the file where Claude Code would read it differently, and a `model` the SDK does not list."""


def parse_definition(path: Path) -> AgentDefinition:
    """Read and validate an agent file.

    Args:
        path: A Markdown file with YAML front matter.

    Returns:
        The definition.

    Raises:
        DefinitionError: The file is missing, a directory, not UTF-8, or its front matter or body is invalid.
    """
    return parse_definition_text(path, _read_text(path))


def parse_definition_text(path: Path, text: str) -> AgentDefinition:
    """Validate an agent file's text (already decoded); `path` is only used in messages and `source`.

    Args:
        path: Where the text came from.
        text: The whole file.

    Returns:
        The definition.

    Raises:
        DefinitionError: The front matter or body is invalid.
    """
    lines = _split_lines(text)
    front_lines, body_start = _split_front_matter(path, lines)
    data = _load_yaml(path, front_lines)
    warnings: list[str] = []

    def line_of(key: str) -> int:
        for offset, raw in enumerate(front_lines):
            if re.match(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:", raw):
                return offset + 2
        return 1

    name = _optional_text(path, data, "name", line_of)
    if not name:
        raise DefinitionError(path, 1, "missing `name` in the front matter (add e.g. `name: Backend Engineer`)")
    description = _optional_text(path, data, "description", line_of)
    if not description:
        raise DefinitionError(
            path,
            line_of("description"),
            "missing `description` in the front matter (Claude Code skips an agent file without one; "
            "add e.g. `description: Reviews API changes`)",
        )

    model = _optional_text(path, data, "model", line_of) or "inherit"
    tool_rules: list[str] = []
    tools = _tools(path, data, line_of, warnings, tool_rules)
    notes = [f"{path}:{line_of('model')}: {level}: {text}" for level, text in model_notes(model)]
    if "allowed-tools" in data and "tools" not in data:
        notes.append(
            f"{path}:{line_of('allowed-tools')}: info: Claude Code ignores `allowed-tools` in agent files (it would "
            "offer every tool); backend-pair honours it"
        )

    body_lines = lines[body_start:]
    body = "\n".join(body_lines).strip("\n")
    if not body.strip():
        raise DefinitionError(
            path, min(body_start + 1, len(lines) + 1), "empty body: the Markdown after the front matter is the prompt"
        )
    checklist = extract_checklist(body_lines, first_line=body_start + 1)
    return AgentDefinition(
        name=name,
        description=description,
        model=model,
        tools=tools,
        body=body + "\n",
        checklist=checklist,
        source=path,
        warnings=tuple(warnings),
        tool_rules=tuple(tool_rules),
        notes=tuple(notes),
    )


def _split_lines(text: str) -> list[str]:
    """Split on `\n` only (as editors number lines; `str.splitlines` also splits on form feeds and U+2028)."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise DefinitionError(path, 1, "is a directory, not an agent file (pass the .md file inside it)")
    if path.exists() and not path.is_file():
        raise DefinitionError(path, 1, "is not a regular file")
    try:
        if path.stat().st_size > MAX_DEFINITION_BYTES:
            raise DefinitionError(path, 1, f"too large for an agent file (over {MAX_DEFINITION_BYTES // 1000} kB)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DefinitionError(path, 1, "no such file") from None
    except OSError as error:
        raise DefinitionError(path, 1, f"cannot read: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start]
        raise DefinitionError(path, line, f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8") from None


def _split_front_matter(path: Path, lines: list[str]) -> tuple[list[str], int]:
    """Return the front-matter lines and the index of the first body line."""
    if not lines or not _FRONT_MATTER_FENCE.match(lines[0]):
        raise DefinitionError(path, 1, "no YAML front matter: the file must start with a `---` line")
    for index in range(1, len(lines)):
        if _FRONT_MATTER_END.match(lines[index]):
            return lines[1:index], index + 1
    raise DefinitionError(path, 1, "the front matter is not closed: add a `---` line after it")


def _load_yaml(path: Path, front_lines: list[str]) -> dict[str, Any]:
    import yaml  # PyYAML takes a noticeable time to import; only agent parsing needs it.

    source = "\n".join(front_lines)
    try:
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as original:
            # What Claude Code does before giving up: quote one-line values YAML misreads (`Use when: 'x'`,
            # `**SPECIALIST**: ...`), then parse again; only if that fails too is it an error (the original one).
            repaired = _quote_plain_values(front_lines)
            if repaired == source:
                raise
            try:
                data = yaml.safe_load(repaired)
            except yaml.YAMLError:
                raise original from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        if error.context_mark is not None and (mark is None or mark.index >= len(source)):
            # "found end of stream" says nothing; the construct left open (a `[`, a quote) is the culprit.
            mark = error.context_mark
        # Line 1 is the opening `---`, so YAML's 0-based line n is file line n + 2.
        line = min(mark.line + 2, len(front_lines) + 2) if mark is not None else 2
        problem = error.problem or error.context or "invalid YAML"
        raise DefinitionError(path, line, f"YAML syntax error in the front matter: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = source.count("\n", 0, error.position) + 2
        raise DefinitionError(
            path, line, f"YAML error in the front matter: {error.reason} ({error.character!r})"
        ) from None
    except yaml.YAMLError as error:
        raise DefinitionError(path, 2, f"YAML error in the front matter: {error}") from None
    except RecursionError:
        raise DefinitionError(path, 2, "YAML error in the front matter: nested too deeply") from None
    if data is None:
        raise DefinitionError(path, 1, "the front matter is empty: it needs at least `name`")
    if not isinstance(data, dict):
        raise DefinitionError(path, 2, "the front matter must be `key: value` lines (a YAML mapping)")
    return {str(key): value for key, value in data.items()}


def _quote_plain_values(front_lines: list[str]) -> str:
    """The front matter with each top-level one-line value that holds ``: `` or starts with a YAML indicator
    single-quoted (multi-line values, already quoted ones and indented lines are left alone)."""
    out = []
    for index, line in enumerate(front_lines):
        match = _REPAIRABLE.match(line)
        following = front_lines[index + 1] if index + 1 < len(front_lines) else ""
        continues = following[:1] in (" ", "\t") and following.strip()
        if match and not continues:
            value = match["value"]
            if value[0] not in "'\"" and (": " in value or value.startswith(_YAML_INDICATORS)):
                line = f"{match['key']}: '" + value.replace("'", "''") + "'"
        out.append(line)
    return "\n".join(out)


def _optional_text(path: Path, data: dict[str, Any], key: str, line_of: Callable[[str], int]) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DefinitionError(path, line_of(key), f"`{key}` must be text, not {_kind(value)}")
    return str(value).strip()


def _split_tools(text: str) -> list[str]:
    """``Read, Grep`` or ``Read Grep``; a rule such as ``Bash(git add:*, git commit:*)`` stays one entry (commas and
    spaces inside parentheses do not split)."""
    return _split_outside_parentheses(text, "," if "," in text else ", \t")


def _split_outside_parentheses(text: str, separators: str) -> list[str]:
    """The non-empty, stripped pieces of ``text`` between separators that are not inside parentheses or quotes
    (``Bash(git commit -m "a, b":*)`` is one rule)."""
    entries, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in separators and depth == 0:
            if current.strip():
                entries.append(current.strip())
            current = ""
            continue
        else:
            depth += (char == "(") - (char == ")")
        current += char
    if current.strip():
        entries.append(current.strip())
    return entries


def _bash_rules(raw: str, where: str, warnings: list[str]) -> list[str]:
    """``Bash(git add:*, git status)`` -> ``["Bash(git add:*)", "Bash(git status)"]``; a malformed entry is a warning
    and no rule (Bash then asks for every command, as with a bare ``Bash``)."""
    inner = raw.split("(", 1)[1]
    if not inner.endswith(")"):
        warnings.append(f"{where}: warning: `{raw}` is not closed with `)`; no command is allowed by it")
        return []
    rules = [f"Bash({' '.join(pattern.split())})" for pattern in _split_outside_parentheses(inner[:-1], ",")]
    if not rules:
        warnings.append(f"{where}: warning: `{raw}` names no command; no command is allowed by it")
    elif "Bash(*)" in rules:
        warnings.append(f"{where}: warning: `Bash(*)` lets this agent run any simple command without asking")
    return rules


def _tools(
    path: Path, data: dict[str, Any], line_of: Callable[[str], int], warnings: list[str], rules: list[str]
) -> tuple[str, ...]:
    key = "tools" if "tools" in data else "allowed-tools"
    if key not in data:
        return ALL_TOOLS_BY_DEFAULT
    if "allowed-tools" in data and "tools" in data:
        warnings.append(
            f"{path}:{line_of('tools')}: warning: both `tools` and `allowed-tools` given; `tools` applies "
            "(Claude Code reads only `tools` in agent files)"
        )
    value = data[key]
    line = line_of(key)
    names: list[str]
    if value is None:
        names = []
    elif isinstance(value, str):
        names = _split_tools(value)
    elif isinstance(value, list):
        names = [entry.strip() for entry in value if isinstance(entry, str) and entry.strip()]
        if any(not isinstance(entry, str) for entry in value):
            warnings.append(f"{path}:{line}: warning: `{key}` entries must be tool names; the others are ignored")
    else:
        warnings.append(f"{path}:{line}: warning: `{key}` is {_kind(value)}, not a list of tools; no tool is offered")
        return ()
    for raw in names:
        if raw.split("(", 1)[0].strip() == "Bash" and "(" in raw:
            rules.extend(rule for rule in _bash_rules(raw, f"{path}:{line}", warnings) if rule not in rules)
    if any(name == "*" for name in names):
        return ALL_TOOLS_BY_DEFAULT
    tools: list[str] = []
    unknown: list[str] = []
    for raw in names:
        # Claude Code allows `Bash(git diff:*)`-style rules; the tool is the part before the parenthesis.
        base = raw.split("(", 1)[0].strip()
        if base in KNOWN_TOOLS:
            if base not in tools:
                tools.append(base)
        elif base.lower() in _TOOL_BY_LOWER:
            # Claude Code matches names case-sensitively: `read` is not Read there, and so not here either.
            warnings.append(
                f"{path}:{line}: warning: `{raw}` is not a tool name; did you mean {_TOOL_BY_LOWER[base.lower()]}?"
            )
        else:
            unknown.append(raw)
    if unknown:
        shown = ", ".join(name if len(name) <= 30 else name[:29] + "…" for name in unknown[:8])
        more = f" (+{len(unknown) - 8} more)" if len(unknown) > 8 else ""
        count = f"{len(unknown)} tool{'s' if len(unknown) != 1 else ''}"
        warnings.append(f"{path}:{line}: warning: {count} not offered here: {shown}{more}")
    if names and not tools:
        warnings.append(f"{path}:{line}: warning: none of the listed tools is available here; the agent has no tools")
    return tuple(tools)


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)


def extract_checklist(lines: list[str], first_line: int = 1) -> tuple[ChecklistGroup, ...]:
    """Find the checklist in a Markdown body.

    The checklist is the task items under every heading whose title contains "Checklist" (up to the next
    heading of the same or a higher level), grouped by subheading; items right under the checklist heading
    form a group named after it. Without such a heading, every task item outside code fences counts, grouped
    by the nearest heading above it.

    Code fences nest the way prompt authors write them: inside a fence, a fence line with an info string
    (```` ```yaml ````) opens an inner block and a bare fence line closes the innermost block. Strict
    CommonMark would instead close on the first bare fence, which misreads the seed's "Output Format".

    Args:
        lines: The body's lines.
        first_line: The file line number of `lines[0]`, for `ChecklistSeed.line`.

    Returns:
        The non-empty groups, in file order.
    """
    headings: list[tuple[int, int, str]] = []  # (index, level, title) outside fences
    tasks: list[tuple[int, ChecklistSeed]] = []
    fences: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        fence = _FENCE.match(line)
        if fence:
            marker, info = fence["fence"], fence["info"].strip()
            if not fences:
                if not (marker[0] == "`" and "`" in info):
                    fences.append((marker[0], len(marker)))
                continue
            char, length = fences[-1]
            if marker[0] == char and not info and len(marker) >= length:
                fences.pop()
            elif marker[0] == char and info and "`" not in info:
                fences.append((char, len(marker)))
            continue
        if fences:
            continue
        heading = _HEADING.match(line)
        if heading:
            title = re.sub(r"[ \t]+#+$", "", heading["title"] or "").strip()
            headings.append((index, len(heading["hashes"]), title))
            continue
        task = _TASK.match(line)
        if task:
            tasks.append((index, ChecklistSeed(task["text"], task["mark"] != " ", first_line + index)))
    sections = _checklist_sections(headings, len(lines))
    groups: dict[int, tuple[str, list[ChecklistSeed]]] = {}  # keyed by the heading's line index
    for index, seed in tasks:
        if sections:
            owner = next((inside for start, end, inside in sections if start < index < end), None)
            if owner is None:
                continue
        else:
            owner = headings
        heading_index, title = next(((i, t) for i, _, t in reversed(owner) if i < index), (-1, "Checklist"))
        groups.setdefault(heading_index, (title, []))[1].append(seed)
    return tuple(ChecklistGroup(title or "Checklist", tuple(items)) for title, items in groups.values())


def _checklist_sections(
    headings: list[tuple[int, int, str]], line_count: int
) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """Return (start, end, headings inside) for every "Checklist" section, ends exclusive."""
    sections: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    position = 0
    while position < len(headings):
        index, level, title = headings[position]
        if "checklist" not in title.lower():
            position += 1
            continue
        inside = [headings[position]]
        position += 1
        end = line_count
        while position < len(headings):
            next_index, next_level, _ = headings[position]
            if next_level <= level:
                end = next_index
                break
            inside.append(headings[position])
            position += 1
        sections.append((index, end, inside))
    return sections
