"""The `backend-pair` command: run the app, list agents, check agent files."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from backend_pair import __version__
from backend_pair.errors import BackendPairError, NoTerminal

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition

# Heavy modules (textual, anthropic, git, yaml) are imported inside the functions that need them, so that
# `--version`, `agents` and every early error answer at once.

PROGRAM = "backend-pair"
EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
RESUME_LATEST = ""
"""`AppConfig.resume` value for `--resume` without an id: the most recent session of the repository."""

KEY_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")


class NotInRepository(BackendPairError):
    """The folder is not inside a git repository."""


class MissingApiKey(BackendPairError):
    """No API key in the environment and no `--demo`."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 fine, 1 a problem was found (or the app failed), 2 a usage or setup error.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["agents"]:
            return _agents_command(args[1:])
        return _run_command(args)
    except BackendPairError as error:
        _error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _error(message: str) -> None:
    print(f"{PROGRAM}: {message}", file=sys.stderr)


def _main_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="A keyboard-driven terminal pair programmer for backend work: review the agent's edits "
        "hunk by hunk, accept what is right, and it is staged.",
        epilog="Subcommands: `backend-pair agents` lists agents; `backend-pair agents check FILE...` validates them.",
    )
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="the repository (default: .)")
    parser.add_argument("--agent", metavar="NAME", help="agent name or file stem (default: Backend Engineer)")
    parser.add_argument(
        "--model",
        metavar="ID",
        help="model id or alias (sonnet, opus, haiku, fable, sonnet[1m]...); overrides the agent's",
    )
    parser.add_argument(
        "--keymap", metavar="default|vim|emacs|FILE", default="default", help="base keymap (default: default)"
    )
    parser.add_argument(
        "--resume", nargs="?", const=RESUME_LATEST, metavar="ID", help="resume a session (default: the latest)"
    )
    parser.add_argument(
        "--demo",
        nargs="?",
        const="",
        metavar="DIR",
        help="no API key needed: a sample repo in DIR (default: a temporary folder) and a scripted agent",
    )
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {__version__}")
    return parser


def _run_command(argv: Sequence[str]) -> int:
    args = _main_parser().parse_args(argv)
    # Starting up makes a few hundred thousand objects (Textual, Rich, the UI's modules) that live as long as the
    # process: the garbage collector would only scan them again and again (a full collection just before the first
    # frame took 35-120 ms). Collect nothing until the app starts, then freeze them out of every collection.
    gc.disable()
    try:
        if args.demo is not None:
            return _run_demo(args)
        root = repository_root(Path(args.path))
        require_api_key()
        return _launch(args, root, demo=False)
    finally:
        gc.enable()


def _run_demo(args: argparse.Namespace) -> int:
    from backend_pair.demo.setup import prepare_demo  # type: ignore[import-not-found, unused-ignore]

    directory = Path(args.demo).expanduser() if args.demo else None
    environment = prepare_demo(directory)
    try:
        # The sample repository is made in a thread: import the UI meanwhile (git runs in its own processes, so most
        # of its time overlaps); reading the environment's root below waits for it.
        if not _import_ui():
            return EXIT_PROBLEM
        os.environ["ANTHROPIC_BASE_URL"] = environment.base_url
        os.environ["ANTHROPIC_API_KEY"] = environment.api_key
        os.environ.pop("ANTHROPIC_AUTH_TOKEN", None)
        status = _launch(args, environment.root, demo=True)
        if status == 0:
            print(
                f"The demo repository is {environment.root}. To go on with the scripted agent: "
                f"backend-pair --demo {environment.root} --resume; with your own key (ANTHROPIC_API_KEY): "
                f"backend-pair {environment.root} --resume"
            )
        return status
    finally:
        environment.close()


def _check_resumable(root: Path, session_id: str) -> None:
    """Before the screen opens: the session exists and no other running backend-pair holds it (one line if not).

    Raises:
        JournalError: No such session (the recent ids are listed), or another backend-pair holds it.
    """
    from backend_pair.workspace.journal import JournalError, SessionJournal

    journal = SessionJournal.open(root, session_id)
    holder = journal.holder()
    if holder is not None:
        raise JournalError(journal.held_message(holder))


def _guard_secrets() -> None:
    """Before the app runs: know the secrets (so every way out redacts them), redact log records, and keep other
    processes of this user out of this one's memory and environment (Linux; root can still read them)."""
    from backend_pair.redact import REDACTOR, forbid_inspection, redact_log_records

    REDACTOR.add_from_environment()
    redact_log_records()
    forbid_inspection()


def _log_to_file(root: Path) -> None:
    """While the screen is up nothing may print: warnings and errors go to ``<git dir>/backend-pair``'s log."""
    from backend_pair.logfile import log_to_file
    from backend_pair.workspace.journal import sessions_dir

    log_to_file(sessions_dir(root).parent)


def _launch(args: argparse.Namespace, root: Path, *, demo: bool) -> int:
    from backend_pair.agents.discovery import DEFAULT_AGENT, find_agent
    from backend_pair.agents.models import resolve_model
    from backend_pair.keymaps.loader import load_keymap, user_keymap_path
    from backend_pair.untrusted import visible

    definition = find_agent(args.agent or DEFAULT_AGENT, root)
    for warning in definition.warnings:
        _error(visible(warning, multiline=False))  # it quotes the agent file: never terminal control
    keymap = load_keymap(args.keymap, user_keymap_path())
    model = resolve_model(definition.model, args.model)
    if not _import_ui():
        return EXIT_PROBLEM
    from backend_pair.tui.app import run_app  # type: ignore[import-not-found, unused-ignore]
    from backend_pair.tui.config import AppConfig

    if args.resume is not None:
        _check_resumable(root, args.resume)
    config = AppConfig(root=root, definition=definition, model=model, keymap=keymap, resume=args.resume, demo=demo)
    _guard_secrets()
    _log_to_file(root)
    gc.freeze()  # what start-up made lives as long as the app: no collection needs to scan it again
    gc.enable()
    try:
        status: int = run_app(config)
    except NoTerminal as error:
        _error(str(error))
        return EXIT_USAGE
    except BackendPairError as error:  # setup succeeded; a failure from here on is the app's, not the user's call
        _error(str(error))
        return EXIT_PROBLEM
    finally:
        gc.unfreeze()
    return status


def _import_ui() -> bool:
    """Import the terminal UI (Textual with it: most of the time to the first frame).

    Returns:
        False, after saying why, when the UI or one of its dependencies is missing.
    """
    try:
        import backend_pair.tui.app  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("backend_pair"):
            _error("the terminal UI is not part of this build yet (backend_pair.tui.app is missing)")
        else:
            _error(f"missing dependency {error.name!r}: reinstall with `pip install -e .`")
        return False
    return True


def repository_root(path: Path) -> Path:
    """The top folder of the git repository containing `path`.

    Args:
        path: Any folder inside the repository.

    Returns:
        The repository's top folder (absolute).

    Raises:
        NotInRepository: `path` does not exist, is not a folder, or is not inside a git repository.
    """
    folder = path.expanduser()
    if not folder.is_dir():
        raise NotInRepository(f"{path}: no such folder")
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise NotInRepository("git is not installed; install git, then run backend-pair inside a repository") from None
    if result.returncode != 0 or not result.stdout.strip():
        raise NotInRepository(
            f"{folder.resolve()} is not inside a git repository: run `git init` there (or pass a repository PATH), "
            "or try `backend-pair --demo`"
        )
    return Path(result.stdout.strip()).resolve()


def require_api_key() -> None:
    """Make sure the SDK will find a key; never shows the key itself.

    Raises:
        MissingApiKey: Neither `ANTHROPIC_API_KEY` nor `ANTHROPIC_AUTH_TOKEN` is set.
    """
    if any(os.environ.get(name, "").strip() for name in KEY_VARIABLES):
        return
    raise MissingApiKey(
        "no API key: set ANTHROPIC_API_KEY (export ANTHROPIC_API_KEY=...), or run `backend-pair --demo`, "
        "which needs no key"
    )


def _agents_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROGRAM} agents", description="List every agent found, or check agent files."
    )
    parser.add_argument("--repo", metavar="PATH", default=".", help="repository whose agents to include (default: .)")
    sub = parser.add_subparsers(dest="action")
    check = sub.add_parser("check", help="validate agent files; prints FILE:LINE: problem and exits 1 on a problem")
    check.add_argument("files", nargs="+", metavar="FILE")
    return parser


def _agents_command(argv: Sequence[str]) -> int:
    args = _agents_parser().parse_args(argv)
    if args.action == "check":
        return check_agent_files([Path(name) for name in args.files])
    return list_agents(Path(args.repo))


def list_agents(path: Path) -> int:
    """Print a table of every agent found (name, resolved model, tools, description, source), fitted to the
    terminal's width; files that could not be used are listed on stderr as skipped.

    Args:
        path: A folder; when inside a repository, its agents are included.

    Returns:
        0: skipped files are reported, not a failure of the listing.
    """
    from backend_pair.agent_table import AgentRow, one_line, render_table
    from backend_pair.agents.discovery import scan_agents
    from backend_pair.agents.models import resolve_model

    if not path.expanduser().is_dir():
        raise NotInRepository(f"{path}: no such folder")
    try:
        root: Path | None = repository_root(path)
    except NotInRepository:
        root = None  # outside a repository: the bundled and the user's agents still count
    scan = scan_agents(root)
    rows = [
        AgentRow(
            name=d.name,
            model=resolve_model(d.model, None),
            tools=_tools_cell(d),
            description=d.description,
            source=_source_cell(d.source),
        )
        for d in scan.agents
    ]
    for line in render_table(rows, _terminal_width()):
        print(line)
    for problem in scan.problems:
        _error(f"skipped {one_line(str(problem))}")
    return EXIT_OK


def _source_cell(path: Path) -> str:
    """Where an agent comes from: ``bundled`` for backend-pair's own, else the file's path."""
    from backend_pair.agents.discovery import BUNDLED_DIR

    if path.parent == BUNDLED_DIR:
        return "bundled"
    return _display_path(path)


def _tools_cell(definition: AgentDefinition) -> str:
    """``Read, Grep, Bash(git add:*, git status)``: the tools offered, Bash with the commands it runs unasked."""
    patterns = [rule.removeprefix("Bash(").removesuffix(")") for rule in definition.tool_rules]
    names = [f"Bash({', '.join(patterns)})" if tool == "Bash" and patterns else tool for tool in definition.tools]
    return ", ".join(names) or "-"


def _terminal_width() -> int | None:
    """Cells per line of the terminal the output goes to (``COLUMNS`` first); ``None`` for a pipe or a file."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):  # no real file descriptor behind stdout (redirected in-process)
        return None
    return None


def check_agent_files(files: Sequence[Path]) -> int:
    """Validate agent files: `FILE: ok (...)` per good file, `FILE:LINE: problem` per bad one.

    Args:
        files: The files to check.

    Returns:
        0 when every file is valid, 1 otherwise.
    """
    from backend_pair.agents.definition import DefinitionError, parse_definition
    from backend_pair.untrusted import visible

    def say(line: str) -> None:  # names, messages and values come from the file: never terminal control
        print(visible(line, multiline=False))

    status = EXIT_OK
    for path in files:
        definition: AgentDefinition
        try:
            definition = parse_definition(path)
        except DefinitionError as error:
            say(str(error))
            status = EXIT_PROBLEM
            continue
        except Exception as error:  # the contract is "never a traceback": report it on the file's line instead
            say(f"{path}:1: could not be checked ({type(error).__name__}: {error})")
            status = EXIT_PROBLEM
            continue
        for line in (*definition.warnings, *definition.notes):
            say(line)
        items = sum(len(group.items) for group in definition.checklist)
        say(f"{path}: ok ({definition.name}, model {definition.model}, {items} checklist items)")
    return status


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    home = Path.home()
    try:
        return "~/" + str(path.resolve().relative_to(home.resolve()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
