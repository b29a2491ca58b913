"""End to end: the INSTALLED ``backend-pair --demo DIR`` in tmux, driven by keys, checked with ``git diff --cached``.

The demo plays a scripted agent through the real SDK against the loopback fake API, so this needs no key and no
network. The test polls ``capture-pane`` for what a user would wait for (bounded by a generous overall deadline, never
a timed assertion) and always kills its private tmux server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

COMMAND = Path(sys.executable).parent / "backend-pair"
"""The console script installed next to the interpreter running the tests."""
DEADLINE_SECONDS = 120.0
"""Upper bound for the whole session; the test normally takes a few seconds."""

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not COMMAND.exists(), reason=f"{COMMAND} is not installed"),
]


class Tmux:
    """A private tmux server (its own socket) holding one session."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.deadline = time.monotonic() + DEADLINE_SECONDS

    def run(self, *args: str) -> str:
        """Run a tmux command on the private server; return its output."""
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def keys(self, *keys: str) -> None:
        """Send keys to the session (each one on its own, as a person types)."""
        for key in keys:
            self.run("send-keys", "-t", "pair", key)
            time.sleep(0.05)

    def screen(self) -> str:
        """The visible screen as text."""
        return self.run("capture-pane", "-p", "-t", "pair")

    def wait_for(self, what: str, condition: Callable[[str], bool]) -> str:
        """Poll the screen until ``condition`` holds; fail with the last screen when the deadline passes."""
        screen = ""
        while time.monotonic() < self.deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; last screen:\n{screen}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A private tmux server, killed afterwards whatever happened."""
    session = Tmux(f"backend-pair-e2e-{uuid.uuid4().hex[:12]}")
    try:
        yield session
    finally:
        subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True, check=False)
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / session.socket).unlink(missing_ok=True)


def test_demo_prompt_approve_review_quit_then_staged(tmux: Tmux, tmp_path: Path) -> None:
    repo = tmp_path / "demo-repo"
    env = {**os.environ, "TERM": "xterm-256color"}
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "NO_COLOR", "TEXTUAL"):
        env.pop(name, None)
    done = tmp_path / "exit-status"
    shell = f"{COMMAND} --demo {repo}; echo $? > {done}"
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", "pair", shell],
        check=True,
        env=env,
    )
    tmux.wait_for("the first frame", lambda s: "Backend Engineer" in s and "prompt" in s)
    tmux.wait_for("the session to be ready", lambda s: " ready " in s)

    tmux.keys("add an endpoint to cancel an order")
    tmux.keys("Enter")
    # The command and where it runs (the folder's name: a long temporary path may be cut at the box's edge).
    tmux.wait_for(
        "the Bash approval", lambda s: "The agent wants to run a command" in s and "$ " in s and repo.name in s
    )
    tmux.keys("y")
    tmux.wait_for("the turn to end", lambda s: " ready " in s and "pending" in s and " 0 pending" not in s)

    # Review: the first file shown is the first proposed; ']' moves, 'a' accepts, 'd' rejects, 'A' takes the file.
    tmux.keys("C-r")
    tmux.wait_for("the review pane", lambda s: "review ·" in s and "▶ hunk 1/" in s)
    before = tmux.screen()
    tmux.keys("]")
    tmux.wait_for("the next hunk", lambda s: s != before)
    tmux.keys("a")
    tmux.wait_for("one hunk staged", lambda s: "1 staged" in s)
    tmux.keys("d")
    tmux.wait_for("a decision after the reject", lambda s: "1 staged" in s and s != before)
    tmux.keys("A")
    tmux.wait_for("a whole file staged", lambda s: "1 staged" not in s and " staged" in s)

    staged = subprocess.run(["git", "diff", "--cached", "--stat"], cwd=repo, capture_output=True, text=True).stdout
    tmux.keys("C-q")
    while not done.exists() and time.monotonic() < tmux.deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"

    final = subprocess.run(["git", "diff", "--cached"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert staged.strip(), "accepted hunks must be staged"
    assert final.count("\n+") >= 2, final
    assert (repo / ".git" / "backend-pair" / "sessions").is_dir(), "the session is journaled"


def _prompt_line(screen: str) -> str:
    """The first line inside the prompt box."""
    lines = screen.splitlines()
    top = max(index for index, line in enumerate(lines) if "─ prompt ─" in line)
    return lines[top + 1].strip("│ ")


def test_emacs_meta_p_and_escape_p_recall_history_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    """tmux sends M-p as Esc + p: it recalls the last prompt (comint), it never types a ``p``."""
    repo = tmp_path / "demo-repo"
    env = {**os.environ, "TERM": "xterm-256color"}
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "NO_COLOR", "TEXTUAL"):
        env.pop(name, None)
    shell = f"{COMMAND} --keymap emacs --demo {repo}"
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", "pair", shell],
        check=True,
        env=env,
    )
    tmux.wait_for("the session to be ready", lambda s: " ready " in s)
    tmux.keys("first request", "Enter")
    tmux.wait_for("the Bash approval", lambda s: "The agent wants to run a command" in s)
    tmux.keys("Escape")  # deny
    tmux.wait_for("the turn to end", lambda s: " ready " in s and "Ask the agent" in s)
    tmux.keys("M-p")
    screen = tmux.wait_for("M-p to recall the prompt", lambda s: "Ask the agent" not in _prompt_line(s))
    assert _prompt_line(screen) == "first request", screen
    tmux.keys("C-a", "C-k", "M-n")  # back to the empty draft
    tmux.wait_for("M-n to come back to the draft", lambda s: "Ask the agent" in _prompt_line(s))
    tmux.run("send-keys", "-t", "pair", "Escape")
    time.sleep(0.3)  # longer than the terminal's escape delay: Esc and p arrive as two keys
    tmux.run("send-keys", "-t", "pair", "p")
    screen = tmux.wait_for("Esc, p to recall the prompt", lambda s: "Ask the agent" not in _prompt_line(s))
    assert _prompt_line(screen) == "first request", screen


EDIT_MARK = "# edited by the developer in tmux"
"""The line the editor script adds to the hunk it is given."""

EDITOR_SCRIPT = '''#!{python}
"""A real editor for the test: it gets the terminal, adds one line to the hunk, and keeps copies to compare."""
import os, sys
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
lines = text.splitlines(keepends=True)
at = next(i for i, line in enumerate(lines) if not line.startswith("# backend-pair: "))
lines.insert(at + 1, {mark!r} + "\\n")
open(path, "w", encoding="utf-8").write("".join(lines))
with open({record!r}, "w", encoding="utf-8") as out:
    out.write("tty\\n" if os.isatty(0) and os.isatty(1) else "no tty\\n")
    out.write("".join(line for line in lines if not line.startswith("# backend-pair: ")))
'''


def test_e_runs_the_editor_on_a_hunk_and_the_accept_stages_exactly_the_edited_lines(tmux: Tmux, tmp_path: Path) -> None:
    repo = tmp_path / "demo-repo"
    record = tmp_path / "edited.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT.format(python=sys.executable, mark=EDIT_MARK, record=str(record)))
    editor.chmod(0o755)
    env = {**os.environ, "TERM": "xterm-256color", "EDITOR": str(editor)}
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "NO_COLOR", "TEXTUAL", "VISUAL"):
        env.pop(name, None)
    shell = f"{COMMAND} --demo {repo}"
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", "pair", shell],
        check=True,
        env=env,
    )
    tmux.wait_for("the session to be ready", lambda s: " ready " in s)
    tmux.keys("add an endpoint to cancel an order", "Enter")
    tmux.wait_for("the Bash approval", lambda s: "The agent wants to run a command" in s)
    tmux.keys("y")
    tmux.wait_for("the turn to end", lambda s: " ready " in s and "pending" in s and " 0 pending" not in s)
    tmux.keys("C-r")
    tmux.wait_for("the review pane", lambda s: "review ·" in s and "▶ hunk 1/" in s)

    tmux.keys("e")
    screen = tmux.wait_for("the edited hunk", lambda s: "edited by you" in s and EDIT_MARK in s)
    first, body = record.read_text().split("\n", 1)
    assert first == "tty", "the editor must get the terminal"
    tmux.keys("a")
    tmux.wait_for("the edited hunk staged", lambda s: "1 staged" in s)

    staged = subprocess.run(["git", "diff", "--cached"], cwd=repo, capture_output=True, text=True, check=True).stdout
    files = [line[len("+++ b/") :] for line in staged.splitlines() if line.startswith("+++ b/")]
    assert len(files) == 1, staged
    path = files[0]
    index = subprocess.run(["git", "show", f":{path}"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert index == (repo / path).read_text(), "exactly what was written is staged"
    assert body in index, "the edited lines are staged as the editor left them"
    added = [line[1:] for line in staged.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert EDIT_MARK in added and set(added) <= set(body.splitlines()), (added, body)
    tmux.keys("C-q")
    assert "edited by you" in screen
