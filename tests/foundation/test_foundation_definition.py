"""Agent definitions: the seed parses verbatim, every kind of broken file gets one `FILE:LINE: problem`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_pair.agents.definition import (
    ALL_TOOLS_BY_DEFAULT,
    DefinitionError,
    extract_checklist,
    parse_definition,
    parse_definition_text,
)
from backend_pair.agents.discovery import BUNDLED_DIR

SEED = BUNDLED_DIR / "backend-engineer.md"
ERROR_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<message>\S.*)$")


def write(tmp_path: Path, text: str, name: str = "agent.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(path)
    assert "\n" not in str(caught.value)
    assert ERROR_LINE.match(str(caught.value)), str(caught.value)
    return caught.value


def test_seed_parses_with_its_fields() -> None:
    definition = parse_definition(SEED)
    assert definition.name == "Backend Engineer"
    assert definition.description == "Backend development specialist for APIs, services, and data"
    assert definition.model == "claude-sonnet-4-20250514"
    assert definition.tools == ("Read", "Grep", "Glob", "Write", "Edit", "Bash")
    assert definition.body.startswith("# Backend Engineer\n")
    assert definition.body.rstrip().endswith("- Middleware for cross-cutting concerns")
    assert definition.warnings == ()
    assert definition.source == SEED


def test_seed_checklist_is_fourteen_items_in_three_groups() -> None:
    checklist = parse_definition(SEED).checklist
    assert [(group.title, len(group.items)) for group in checklist] == [
        ("Before Starting", 4),
        ("Implementation", 5),
        ("Quality", 5),
    ]
    texts = [item.text for group in checklist for item in group.items]
    assert texts[0] == "API contract defined (OpenAPI)"
    assert texts[-1] == "Performance considered"
    assert "Happy path" not in texts
    assert not any(item.checked for group in checklist for item in group.items)


def test_seed_checklist_lines_point_at_the_file() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for group in parse_definition(SEED).checklist:
        for item in group.items:
            assert lines[item.line - 1] == f"- [ ] {item.text}"


def test_tools_from_comma_string_and_tools_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "---\nname: x\ndescription: d\ntools: Read, grep,  Bash(git diff:*, git add:*), Read\n---\nbody\n"
    )
    definition = parse_definition(path)
    assert definition.tools == ("Read", "Bash")  # names match case-sensitively, as in Claude Code
    assert definition.warnings == (f"{path}:4: warning: `grep` is not a tool name; did you mean Grep?",)
    assert parse_definition(write(tmp_path, "---\nname: x\ndescription: d\ntools: Read Grep\n---\nbody\n")).tools == (
        "Read",
        "Grep",
    )
    assert (
        parse_definition(write(tmp_path, "---\nname: x\ndescription: d\ntools: '*'\n---\nbody\n")).tools
        == ALL_TOOLS_BY_DEFAULT
    )
    assert (
        parse_definition(write(tmp_path, '---\nname: x\ndescription: d\ntools: ["*"]\n---\nbody\n')).tools
        == ALL_TOOLS_BY_DEFAULT
    )


@pytest.mark.parametrize(
    ("front", "field", "value"),
    [
        (
            "description: Use when the team asks: 'groom backlog'",
            "description",
            "Use when the team asks: 'groom backlog'",
        ),
        ("description: **SPECIALIST**: writes specs", "description", "**SPECIALIST**: writes specs"),
        ("description: @oracle knows", "description", "@oracle knows"),
        ("name: 🚀 Rocket: launcher", "name", "🚀 Rocket: launcher"),
    ],
)
def test_front_matter_is_repaired_as_claude_code_does(tmp_path: Path, front: str, field: str, value: str) -> None:
    text = f"---\nname: x\ndescription: d\n{front}\ntools: Read, mcp__github__create_issue\n---\nbody\n"
    definition = parse_definition(write(tmp_path, text))
    assert getattr(definition, field) == value
    assert definition.tools == ("Read",)


def test_a_long_dash_line_closes_the_front_matter_and_both_tool_keys_mean_tools(tmp_path: Path) -> None:
    text = "---\nname: x\ndescription: d\nallowed-tools: Bash\ntools: Read\n" + "-" * 56 + "\nbody\n"
    definition = parse_definition(write(tmp_path, text))
    assert definition.tools == ("Read",) and definition.body == "body\n"
    assert "`tools` applies" in definition.warnings[0]


@pytest.mark.parametrize(
    ("front", "warning"),
    [
        ("tools:\n  Read: yes", "is a mapping, not a list of tools"),
        ("allowed-tools: 5", "is int, not a list of tools"),
        ("tools:\n  - [Read]", "entries must be tool names"),
        ("tools: WebSearch, MultiEdit", "none of the listed tools is available here"),
    ],
)
def test_odd_tool_lists_are_warnings_not_errors(tmp_path: Path, front: str, warning: str) -> None:
    definition = parse_definition(write(tmp_path, f"---\nname: x\ndescription: d\n{front}\n---\nbody\n"))
    assert definition.tools == ()
    assert any(warning in line for line in definition.warnings), definition.warnings


def test_missing_tool_list_means_every_tool(tmp_path: Path) -> None:
    assert parse_definition(write(tmp_path, "---\nname: x\ndescription: d\n---\nbody\n")).tools == ALL_TOOLS_BY_DEFAULT


def test_unknown_tools_are_warned_about_and_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nname: x\ndescription: d\nallowed-tools:\n  - Read\n  - WebFetch\n---\nbody\n")
    definition = parse_definition(path)
    assert definition.tools == ("Read",)
    assert len(definition.warnings) == 1
    assert definition.warnings[0] == f"{path}:4: warning: 1 tool not offered here: WebFetch"


def test_unknown_keys_ignored_and_model_defaults_to_inherit(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nname: x\ndescription: d\ncolor: blue\nextra: [1, 2]\n---\nbody\n")
    definition = parse_definition(path)
    assert definition.model == "inherit"
    assert definition.description == "d"


def test_crlf_and_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "agent.md"
    path.write_bytes("\ufeff---\r\nname: Crlf\r\ndescription: d\r\n---\r\n## Checklist\r\n- [ ] one\r\n".encode())
    definition = parse_definition(path)
    assert definition.name == "Crlf"
    assert [item.text for item in definition.checklist[0].items] == ["one"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("# just markdown\n", 1, "no YAML front matter"),
        ("", 1, "no YAML front matter"),
        ("---\nname: x\nbody without end\n", 1, "not closed"),
        ("---\nname: x\ndescription: 'open\n---\nbody\n", 3, "YAML syntax error"),
        ("---\ndescription: no name\n---\nbody\n", 1, "missing `name`"),
        ("---\nname: ''\n---\nbody\n", 1, "missing `name`"),
        ("---\n---\nbody\n", 1, "front matter is empty"),
        ("---\n- a\n- b\n---\nbody\n", 2, "mapping"),
        ("---\nname: [a]\n---\nbody\n", 2, "`name` must be text"),
        ("---\nname: x\ndescription: d\n---\n", 5, "empty body"),
        ("---\nname: x\ndescription: d\n---\n\n   \n\n", 5, "empty body"),
        # Claude Code skips an agent file without a description: here it is an error, never a silent accept.
        ("---\nname: x\n---\nbody\n", 1, "missing `description`"),
        ("---\nname: x\ndescription: ''\n---\nbody\n", 3, "missing `description`"),
        ("---\nname: x\ndescription:\n---\nbody\n", 3, "Claude Code skips"),
    ],
)
def test_broken_files_get_one_line_with_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, text)
    error = error_of(path)
    assert error.path == path
    assert error.line == line
    assert fragment in error.message
    assert str(error).startswith(f"{path}:{line}: ")


def test_yaml_error_points_at_the_offending_line(tmp_path: Path) -> None:
    path = write(tmp_path, '---\nname: x\ndescription: d\nmodel: sonnet\ndescription: "unterminated\n---\nbody\n')
    assert error_of(path).line >= 4


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(b"---\nname: x\ndescription: d\n---\nbody\ncaf\xe9\n")
    error = error_of(path)
    assert error.line == 6
    assert "not UTF-8" in error.message


def test_directory_and_missing_file(tmp_path: Path) -> None:
    assert "is a directory" in error_of(tmp_path).message
    assert "no such file" in error_of(tmp_path / "missing.md").message


def test_line_numbers_count_newlines_only(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nname: x\ndescription: d\n---\nintro\x0cpage\u2028break\n## Checklist\n- [ ] a\n")
    (group,) = parse_definition(path).checklist
    assert group.items[0].line == 7


def test_fifo_and_huge_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert "not a regular file" in error_of(fifo).message
    huge = write(tmp_path, "---\nname: x\ndescription: d\n---\n" + "x" * 1_000_001, "huge.md")
    assert "too large" in error_of(huge).message


def test_checklist_fallback_takes_task_items_outside_fences() -> None:
    lines = [
        "# Agent",
        "- [ ] first",
        "```",
        "- [ ] fenced",
        "```",
        "## Later",
        "* [x] second",
        "1. [ ] third",
    ]
    groups = extract_checklist(lines, first_line=10)
    assert [(g.title, [(i.text, i.checked, i.line) for i in g.items]) for g in groups] == [
        ("Agent", [("first", False, 11)]),
        ("Later", [("second", True, 16), ("third", False, 17)]),
    ]


def test_checklist_heading_limits_the_section_and_groups_by_subheading() -> None:
    lines = [
        "- [ ] before, ignored",
        "## Release checklist",
        "- [ ] top level",
        "### Docs",
        "- [ ] changelog",
        "#### deeper",
        "- [ ] nested heading item",
        "## Next section",
        "- [ ] after, ignored",
    ]
    groups = extract_checklist(lines)
    assert [(g.title, [i.text for i in g.items]) for g in groups] == [
        ("Release checklist", ["top level"]),
        ("Docs", ["changelog"]),
        ("deeper", ["nested heading item"]),
    ]


def test_nested_fences_as_prompt_authors_write_them() -> None:
    lines = [
        "```markdown",
        "## Checklist inside an example",
        "```yaml",
        "a: 1",
        "```",
        "- [x] example item",
        "```",
        "## Real checklist",
        "- [ ] real",
        "````md",
        "```",
        "- [ ] inside a longer fence",
        "```",
        "````",
    ]
    groups = extract_checklist(lines)
    assert [(g.title, [i.text for i in g.items]) for g in groups] == [("Real checklist", ["real"])]


def test_checklist_heading_without_items_gives_no_groups() -> None:
    assert extract_checklist(["## Checklist", "nothing here", "## Other", "- [ ] not in checklist"]) == ()


FRAGMENTS = st.sampled_from(
    [
        "---",
        "...",
        "name: Agent",
        "name:",
        "name: [x",
        "tools: Read, Bash",
        "tools:",
        "  - Read",
        "  - 5",
        "allowed-tools: {a: 1}",
        "model: opus",
        "description: 'x",
        "- [ ] task",
        "- [x] done",
        "## Checklist",
        "### Group",
        "```",
        "```yaml",
        "~~~",
        "# Title",
        "",
        "   ",
        "key: &a [*a]",
        "? complex",
        "!!python/object:os.system",
        "%YAML 1.1",
        "\t- tab",
    ]
)


@settings(
    derandomize=True, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(lines=st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=14))
def test_fuzzed_files_load_or_fail_with_a_located_error(tmp_path: Path, lines: list[str]) -> None:
    text = "\n".join(lines)
    path = tmp_path / "fuzz.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        definition = parse_definition(path)
    except DefinitionError as error:
        match = ERROR_LINE.match(str(error))
        assert match is not None, str(error)
        assert 1 <= error.line <= max(1, text.count("\n") + 2)
        assert "\n" not in str(error)
    else:
        assert definition.name
        assert definition.body.strip()


@settings(derandomize=True, max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_fuzzed_bytes_after_valid_front_matter(data: bytes) -> None:
    text_or_error: str | None
    try:
        text_or_error = (b"---\nname: x\ndescription: d\n---\n" + data).decode("utf-8")
    except UnicodeDecodeError:
        text_or_error = None
    if text_or_error is None:
        return
    try:
        parse_definition_text(Path("fuzz.md"), text_or_error)
    except DefinitionError as error:
        assert ERROR_LINE.match(str(error)), str(error)


@settings(
    derandomize=True, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(data=st.binary(max_size=120), prefix=st.sampled_from([b"", b"---\n", b"---\nname: x\ndescription: d\n---\n"]))
def test_fuzzed_raw_bytes_never_raise_anything_else(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "bytes.md"
    path.write_bytes(prefix + data)
    try:
        parse_definition(path)
    except DefinitionError as error:
        assert ERROR_LINE.match(str(error)), str(error)


@pytest.mark.parametrize(
    ("tools", "expected_tools", "rules"),
    [
        ("Read, Bash(git add:*, git status)", ("Read", "Bash"), ("Bash(git add:*)", "Bash(git status)")),
        ("Read, Bash", ("Read", "Bash"), ()),
        ("Bash(npm  test:*), Bash, Bash(npm test:*)", ("Bash",), ("Bash(npm test:*)",)),
        ('"*, Bash(make:*)"', ALL_TOOLS_BY_DEFAULT, ("Bash(make:*)",)),
        ("\n  - Read\n  - Bash(git diff *)\n  - mcp__github__create_issue", ("Read", "Bash"), ("Bash(git diff *)",)),
        (
            "Read, Bash(git commit -m 'wip, tidy':*, git status)",
            ("Read", "Bash"),
            ("Bash(git commit -m 'wip, tidy':*)", "Bash(git status)"),
        ),
        ('Bash(echo "a, b)', ("Bash",), ('Bash(echo "a, b)',)),  # an open quote holds the comma: never `Bash(b)`
    ],
)
def test_bash_rules_in_the_tool_list_are_kept(
    tmp_path: Path, tools: str, expected_tools: tuple[str, ...], rules: tuple[str, ...]
) -> None:
    definition = parse_definition(write(tmp_path, f"---\nname: x\ndescription: d\ntools: {tools}\n---\nbody\n"))
    assert definition.tools == expected_tools
    assert definition.tool_rules == rules


@pytest.mark.parametrize(
    ("tools", "warning"),
    [
        ("Bash()", "names no command"),
        ("Bash(git status", "is not closed"),
        ("Bash(*)", "run any simple command without asking"),
    ],
)
def test_odd_bash_rules_are_warnings(tmp_path: Path, tools: str, warning: str) -> None:
    definition = parse_definition(write(tmp_path, f"---\nname: x\ndescription: d\ntools: {tools}\n---\nbody\n"))
    assert definition.tools == ("Bash",)
    assert any(warning in line for line in definition.warnings), definition.warnings
