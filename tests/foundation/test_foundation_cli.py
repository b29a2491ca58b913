"""The `backend-pair` command: setup errors in one line, the app's configuration, `agents` and `agents check`."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from backend_pair import __version__
from backend_pair.agents.discovery import DEFAULT_AGENT
from backend_pair.cli import main
from backend_pair.keymaps.loader import load_keymap

SECRET = "sk-ant-test-secret-never-printed"


@dataclass
class FakeApp:
    """Stands in for `backend_pair.tui.app`: records the configuration instead of opening a terminal."""

    configs: list[Any] = field(default_factory=list)
    environment: list[dict[str, str]] = field(default_factory=list)

    def module(self) -> types.ModuleType:
        module = types.ModuleType("backend_pair.tui.app")

        @dataclass
        class AppConfig:
            root: Path
            definition: Any
            model: str
            keymap: dict[str, str]
            resume: str | None
            demo: bool

        def run_app(config: AppConfig) -> int:
            self.configs.append(config)
            self.environment.append({k: v for k, v in os.environ.items() if k.startswith("ANTHROPIC_")})
            return 0

        module.AppConfig = AppConfig  # type: ignore[attr-defined]
        module.run_app = run_app  # type: ignore[attr-defined]
        return module


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch) -> FakeApp:
    app = FakeApp()
    monkeypatch.setitem(sys.modules, "backend_pair.tui.app", app.module())
    return app


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"backend-pair {__version__}"


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend_pair", "--version"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, f"backend-pair {__version__}")


def test_outside_a_repository_says_how_to_fix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, str(tmp_path))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("backend-pair: ")
    assert "not inside a git repository" in err
    assert "git init" in err


def test_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, str(tmp_path / "nope"))
    assert status == 2
    assert err == f"backend-pair: {tmp_path / 'nope'}: no such folder\n"


def test_no_key_says_how_to_set_it_and_mentions_demo(
    capsys: pytest.CaptureFixture[str], git_repo: Path, fake_app: FakeApp
) -> None:
    status, _, err = run(capsys, str(git_repo))
    assert status == 2
    assert err.count("\n") == 1
    assert "ANTHROPIC_API_KEY" in err
    assert "--demo" in err
    assert fake_app.configs == []


@pytest.mark.parametrize("variable", ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"])
def test_with_a_key_the_app_runs_on_the_repository_root(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    git_repo: Path,
    fake_app: FakeApp,
    variable: str,
) -> None:
    monkeypatch.setenv(variable, SECRET)
    status, out, err = run(capsys, str(git_repo / "app"))
    assert status == 0
    assert SECRET not in out + err
    (config,) = fake_app.configs
    assert config.root == git_repo.resolve()
    assert config.definition.name == DEFAULT_AGENT
    assert config.model == "claude-sonnet-4-20250514"
    assert config.keymap == load_keymap("default", None)
    assert config.resume is None
    assert config.demo is False


def test_options_reach_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.chdir(git_repo)
    from backend_pair.workspace.journal import SessionJournal, sessions_dir

    sessions_dir(git_repo).mkdir(parents=True)
    SessionJournal(sessions_dir(git_repo) / "abc123-0001.jsonl").append("message", {"index": 0, "role": "user"})
    assert run(capsys, "--model", "opus", "--keymap", "vim", "--resume")[0] == 0
    assert run(capsys, "--agent", "backend-engineer", "--resume", "abc123")[0] == 0
    first, second = fake_app.configs
    assert (first.model, first.resume, first.keymap["review.next_hunk"]) == (
        "claude-opus-5-5",
        "",
        "j,n,right_square_bracket",
    )
    assert second.resume == "abc123"
    assert second.definition.name == DEFAULT_AGENT


def test_user_keymap_file_is_layered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    user_file = Path.home() / ".config" / "backend-pair" / "keymap.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text('[review]\naccept_hunk = "enter"\n', encoding="utf-8")
    assert run(capsys, str(git_repo))[0] == 0
    assert fake_app.configs[0].keymap["review.accept_hunk"] == "enter"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--agent", "nobody"], "no agent named 'nobody'"),
        (["--keymap", "colemak"], "unknown keymap 'colemak'"),
    ],
)
def test_setup_errors_are_one_line_without_the_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    git_repo: Path,
    fake_app: FakeApp,
    argv: list[str],
    fragment: str,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    status, out, err = run(capsys, str(git_repo), *argv)
    assert status == 2
    assert err.count("\n") == 1
    assert fragment in err
    assert SECRET not in out + err
    assert fake_app.configs == []


def test_bad_user_keymap_names_file_and_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    user_file = Path.home() / ".config" / "backend-pair" / "keymap.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text('[review]\n\naccept_hunk = "cmd+a"\n', encoding="utf-8")
    status, _, err = run(capsys, str(git_repo))
    assert status == 2
    assert err.startswith(f"backend-pair: {user_file}:3: ")


def test_missing_tui_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setitem(sys.modules, "backend_pair.tui.app", None)
    status, _, err = run(capsys, str(git_repo))
    assert status == 1
    assert err.count("\n") == 1


def test_an_error_inside_the_app_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    from backend_pair.errors import BackendPairError

    def failing_app(config: object) -> int:
        raise BackendPairError("the index is locked by another git process")

    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setattr(sys.modules["backend_pair.tui.app"], "run_app", failing_app)
    assert run(capsys, str(git_repo)) == (1, "", "backend-pair: the index is locked by another git process\n")


def test_demo_needs_no_key_and_points_the_sdk_at_the_fake(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    calls: list[Path | None] = []
    closed: list[bool] = []

    @dataclass
    class Environment:
        root: Path
        base_url: str = "http://127.0.0.1:9/"
        api_key: str = "demo-key"

        def close(self) -> None:
            closed.append(True)

    def prepare_demo(directory: Path | None) -> Environment:
        calls.append(directory)
        return Environment(git_repo)

    demo = types.ModuleType("backend_pair.demo.setup")
    demo.prepare_demo = prepare_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "backend_pair.demo.setup", demo)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", SECRET)

    status, out, _ = run(capsys, "--demo")
    assert status == 0
    assert f"backend-pair --demo {git_repo} --resume" in out, "going on needs no key either"
    assert f"backend-pair {git_repo} --resume" in out
    assert run(capsys, "--demo", str(git_repo / "demo"))[0] == 0
    assert calls == [None, git_repo / "demo"]
    assert closed == [True, True]
    assert fake_app.configs[0].demo is True
    assert fake_app.configs[0].root == git_repo
    assert fake_app.environment[0] == {"ANTHROPIC_BASE_URL": "http://127.0.0.1:9/", "ANTHROPIC_API_KEY": "demo-key"}


def test_agents_lists_bundled_and_repository_agents(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # not a terminal: every cell whole
    folder = git_repo / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "reviewer.md").write_text(
        "---\nname: Reviewer\ndescription: Reviews: diffs\nmodel: haiku\ntools: Read, Grep\n---\nReview.\n"
    )
    monkeypatch.chdir(git_repo)
    status, out, err = run(capsys, "agents")
    assert status == 0
    assert err == ""
    header, bundled, explorer, tester, reviewer = out.splitlines()
    assert header.split() == ["NAME", "MODEL", "TOOLS", "DESCRIPTION", "SOURCE"]
    assert explorer.startswith("explorer") and explorer.endswith("bundled")
    assert tester.startswith("tester") and tester.endswith("bundled")
    assert bundled.startswith("Backend Engineer") and "claude-sonnet-4-20250514" in bundled
    assert "Backend development specialist for APIs, services, and data" in bundled
    assert bundled.endswith("bundled")
    assert reviewer.split("  ")[0] == "Reviewer"
    assert "claude-haiku-5-5" in reviewer  # the resolved id, not the alias
    assert "Read, Grep" in reviewer and "Reviews: diffs" in reviewer
    assert reviewer.endswith(".claude/agents/reviewer.md")


def cells_before(line: str, text: str) -> int:
    from rich.cells import cell_len

    return cell_len(line[: line.index(text)])


def test_agents_table_fits_the_terminal_and_aligns_wide_names(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path
) -> None:
    from rich.cells import cell_len

    folder = git_repo / ".claude" / "agents" / "team"
    folder.mkdir(parents=True)
    launch = "Use when launching: 'ship it' " * 6
    agents = {
        "rocket": ("🚀 Rocket", "opus", launch, "Read, Bash(git add:*, git status)"),
        "review": ("代码审查", "claude-opus-4-8", "Reviews code", "Read, Grep, mcp__github__create_issue"),
        "plain": ("Plain\\e[2J", "inherit", "Does plain things", "Read"),
    }
    for stem, (name, model, description, tools) in agents.items():
        (folder / f"{stem}.md").write_text(
            f'---\nname: "{name}"\ndescription: "{description}"\nmodel: {model}\ntools: {tools}\n---\nbody\n',
            encoding="utf-8",
        )
    monkeypatch.chdir(git_repo)
    monkeypatch.setenv("COLUMNS", "100")
    status, out, err = run(capsys, "agents")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 7  # the three bundled agents, then the team's three
    assert all(cell_len(line) <= 100 for line in lines), [cell_len(line) for line in lines]
    assert "\x1b" not in out and "Plain␛[2J" in out  # an agent file's text never drives the terminal
    rows = {line.split("  ")[0].strip(): line for line in lines[1:]}
    rocket, review = rows["🚀 Rocket"], rows["代码审查"]
    # Every row's model column starts at the same cell: emoji and CJK names are two cells a character.
    assert {cells_before(lines[0], "MODEL")} == {
        cells_before(rocket, "claude-opus-5-5"),
        cells_before(review, "claude-opus-4-8"),
        cells_before(rows["Plain␛[2J"], "claude-sonnet-5-5"),
        cells_before(rows["Backend Engineer"], "claude-sonnet-4-20250514"),
    }
    assert {cells_before(lines[0], "DESCRIPTION")} == {
        cells_before(rocket, "Use when"),
        cells_before(review, "Reviews code"),
    }
    assert "…" in rocket and launch.strip() not in rocket  # the description is cut, not the line wrapped
    assert rocket.endswith("rocket.md") and review.endswith("review.md")

    monkeypatch.setenv("COLUMNS", "250")
    wide = run(capsys, "agents")[1]
    assert "Bash(git add:*, git status)" in wide  # Bash with the commands it runs unasked
    assert "mcp__github__create_issue" not in wide  # not offered here
    assert all(cell_len(line) <= 250 for line in wide.splitlines())


def test_agents_outside_a_repository_and_in_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "agents", "--repo", str(tmp_path))
    assert status == 0
    assert [line.split("  ")[0] for line in out.splitlines()] == ["NAME", "Backend Engineer", "explorer", "tester"]
    assert run(capsys, "agents", "--repo", str(tmp_path / "nope")) == (
        2,
        "",
        f"backend-pair: {tmp_path / 'nope'}: no such folder\n",
    )


def test_agents_reports_broken_files_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path
) -> None:
    folder = git_repo / ".backend-pair" / "agents"
    folder.mkdir(parents=True)
    (folder / "broken.md").write_text("nothing\n")
    (folder / "quiet.md").write_text("---\nname: Quiet\ntools: Read\n---\nbody\n")
    monkeypatch.chdir(git_repo)
    status, out, err = run(capsys, "agents")
    assert status == 0  # skipped files are reported, the listing itself succeeded
    assert "Backend Engineer" in out and "Quiet" not in out
    broken, quiet = err.splitlines()
    assert broken.startswith("backend-pair: skipped ")
    assert broken.endswith("broken.md:1: no YAML front matter: the file must start with a `---` line")
    assert quiet.startswith("backend-pair: skipped ") and "quiet.md:1: missing `description`" in quiet


def test_agents_check_the_seed_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    from backend_pair.agents.discovery import BUNDLED_DIR

    seed = BUNDLED_DIR / "backend-engineer.md"
    status, out, _ = run(capsys, "agents", "check", str(seed))
    assert status == 0
    assert out.splitlines() == [
        f"{seed}:4: warning: model `claude-sonnet-4-20250514` is not in the SDK's model list; "
        "if the API refuses it, backend-pair uses claude-sonnet-5-5",
        f"{seed}:5: info: Claude Code ignores `allowed-tools` in agent files (it would offer every tool); "
        "backend-pair honours it",
        f"{seed}: ok (Backend Engineer, model claude-sonnet-4-20250514, 14 checklist items)",
    ]


def test_agents_check_says_how_claude_code_would_read_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    allowed = tmp_path / "allowed.md"
    allowed.write_text("---\nname: A\ndescription: Use when: 'x'\nallowed-tools: Read, Grep\n---\nbody\n")
    tools = tmp_path / "tools.md"
    tools.write_text("---\nname: T\ndescription: d\nmodel: sonnet[1m]\ntools: Read\n---\nbody\n")
    both = tmp_path / "both.md"
    both.write_text("---\nname: B\ndescription: d\nmodel: opusplan\nallowed-tools: Bash\ntools: Read\n---\nbody\n")
    pinned = tmp_path / "pinned.md"
    pinned.write_text("---\nname: 🚀 P\ndescription: d\nmodel: claude-opus-4-20250514\n---\nbody\n")
    status, out, err = run(capsys, "agents", "check", *map(str, (allowed, tools, both, pinned)))
    assert (status, err) == (0, "")
    info = [line for line in out.splitlines() if ": info: " in line]
    assert info == [
        f"{allowed}:4: info: Claude Code ignores `allowed-tools` in agent files (it would offer every tool); "
        "backend-pair honours it",
        f"{both}:4: info: `opusplan` runs on sonnet (claude-sonnet-5-5) here: backend-pair has no plan mode",
    ]
    assert f"{both}:6: warning: both `tools` and `allowed-tools` given; `tools` applies" in out
    assert (
        f"{pinned}:4: warning: model `claude-opus-4-20250514` is not in the SDK's model list; "
        "if the API refuses it, backend-pair uses claude-opus-5-5"
    ) in out.splitlines()
    assert [line for line in out.splitlines() if line.startswith(str(tools))] == [
        f"{tools}: ok (T, model sonnet[1m], 0 checklist items)"
    ]


def test_agents_check_reports_every_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = {
        "no_front.md": ("# hi\n", 1),
        "yaml.md": ("---\nname: x\ndescription: 'open\nmodel: b\n---\nbody\n", 3),
        "no_name.md": ("---\nmodel: opus\n---\nbody\n", 1),
        "empty.md": ("---\nname: x\ndescription: d\n---\n", 5),
        "no_description.md": ("---\nname: x\n---\nbody\n", 1),
    }
    for name, (text, _) in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "latin.md").write_bytes(b"---\nname: caf\xe9\n---\nbody\n")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "good.md").write_text("---\nname: Good\ndescription: d\ntools: Read, Telepathy\n---\nbody\n")
    paths = [*(tmp_path / name for name in files), tmp_path / "latin.md", tmp_path / "folder.md", tmp_path / "good.md"]
    status, out, err = run(capsys, "agents", "check", *map(str, paths))
    assert status == 1
    assert err == ""
    lines = out.splitlines()
    expected_lines = [line for _, line in files.values()] + [2, 1]
    for path, line, output in zip(paths, expected_lines, lines, strict=False):
        assert output.startswith(f"{path}:{line}: "), output
    assert lines[-2] == f"{tmp_path / 'good.md'}:4: warning: 1 tool not offered here: Telepathy"
    assert lines[-1].startswith(f"{tmp_path / 'good.md'}: ok (Good")
    assert len(lines) == len(paths) + 1


def test_agents_check_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["agents", "check"])
    assert caught.value.code == 2
    assert "FILE" in capsys.readouterr().err


def run_fresh(code: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    return result.stdout.strip()


HEAVY = "('textual', 'anthropic', 'git', 'yaml')"


@pytest.mark.parametrize("argv", [["--version"], [], ["agents", "check", "x.md"]])
def test_early_paths_import_no_heavy_module(tmp_path: Path, argv: list[str]) -> None:
    code = (
        "import sys, contextlib, io\n"
        "from backend_pair.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in {HEAVY} if m in sys.modules))\n"
    )
    assert run_fresh(code, tmp_path) == "[]"


def test_installed_command_outside_a_repository(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "backend-pair"
    if not script.exists():
        pytest.skip("the console script is not installed in this interpreter's environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    result = subprocess.run([str(script)], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("backend-pair: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("stdin_is_a_terminal", [False, True])
def test_without_a_terminal_the_app_refuses_in_one_line(git_repo: Path, stdin_is_a_terminal: bool) -> None:
    command = Path(sys.executable).parent / "backend-pair"
    if not command.exists():
        pytest.skip(f"{command} is not installed")
    env = {**os.environ, "ANTHROPIC_API_KEY": "sk-ant-no-terminal-test"}
    # Input from /dev/null, or output into a pipe: either way nobody could type or see the app.
    stdin = None if stdin_is_a_terminal else subprocess.DEVNULL
    result = subprocess.run(
        [str(command), str(git_repo)], stdin=stdin, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a terminal" in lines[0], result.stderr


def test_warnings_of_a_running_app_go_to_a_log_file_redacted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, git_repo: Path, fake_app: FakeApp
) -> None:
    import logging

    from backend_pair.logfile import current_log

    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    assert run(capsys, str(git_repo))[0] == 0
    log_file = git_repo / ".git" / "backend-pair" / "backend-pair.log"
    assert current_log() == log_file
    logging.getLogger("backend_pair.tui.app").warning("watching failed near %s", SECRET)
    logging.getLogger("backend_pair.tui.app").info("not worth keeping")
    text = log_file.read_text(encoding="utf-8")
    assert "WARNING backend_pair.tui.app: watching failed near" in text
    assert SECRET not in text and "not worth keeping" not in text
    assert capsys.readouterr().err == ""
