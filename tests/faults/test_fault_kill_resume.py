"""``kill -9`` of the installed app mid-review, then ``--resume``: proposals, half-reviewed files, the ticked
checklist and the conversation all come back; a torn journal line is skipped and does not swallow the next record.

Drives the real ``backend-pair`` command in tmux against the loopback fake Messages API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_pair.fake_api import FakeMessagesServer, Script, ToolUse, text_reply, tool_reply
from backend_pair.workspace.journal import SessionJournal, sessions_dir
from tests.faults.fault_support import (
    COMMAND,
    MAIN_PY,
    MAIN_PY_PROPOSED,
    README_PROPOSED,
    Tmux,
    git,
    isolated_env,
    wait_for,
)

PROMPT = "propose the two changes"
SCRIPT: Script = [
    tool_reply(
        ToolUse("Write", {"file_path": "app/main.py", "content": MAIN_PY_PROPOSED}),
        ToolUse("Write", {"file_path": "README.md", "content": README_PROPOSED}),
        text="Proposing two files.",
    ),
    text_reply("Proposed: review them hunk by hunk."),
]
TORN = '{"kind":"checklist","at":"2026-11-27T04:00:00+00:00","payload":{"items":[{"id":"'
"""What a write cut by the kill leaves: half a record, no newline."""


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesServer]:
    server = FakeMessagesServer(SCRIPT)
    server.start()
    yield server
    server.stop()


def _launch(tmux: Tmux, repo: Path, home: Path, base_url: str, *extra: str) -> str:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed")
    env = isolated_env(home, ANTHROPIC_BASE_URL=base_url, ANTHROPIC_API_KEY="sk-ant-faults-kill")
    return tmux.run([str(COMMAND), str(repo), *extra], env, repo)


def _journal(repo: Path) -> Path:
    files = sorted(sessions_dir(repo).glob("*.jsonl"))
    assert len(files) == 1, files
    return files[0]


def test_kill_9_mid_review_then_resume_brings_everything_back(
    tmux: Tmux, service_repo: Path, fake_api: FakeMessagesServer, tmp_path: Path
) -> None:
    base_url = fake_api.base_url
    home = tmp_path / "home"
    first = _launch(tmux, service_repo, home, base_url)
    tmux.wait(first, lambda s: " ready " in s, "the app ready")
    tmux.keys(first, PROMPT, literal=True)
    tmux.wait(first, lambda s: PROMPT in s, "the prompt typed")
    tmux.keys(first, "Enter")
    tmux.wait(first, lambda s: "review · 2 files · 3 hunks" in s, "both proposals in the review pane")

    # Review half: README.md (one hunk) accepted, then the first of app/main.py's two hunks. Like a person, each
    # key waits for the screen to show the previous one took effect (focus moves after the key is handled).
    tmux.keys(first, "C-r")
    tmux.wait(first, lambda s: "a Accept" in s, "the review pane focused")
    # The file first proposed stays selected as the second arrives; `{` selects README.md, first in the list.
    tmux.keys(first, "{")
    tmux.wait(first, lambda s: "▸ ● README.md" in s, "README.md selected")
    tmux.keys(first, "a")
    tmux.wait(first, lambda s: "review · 1 files · 2 hunks" in s, "README.md accepted")
    tmux.keys(first, "a")
    tmux.wait(first, lambda s: "review · 1 files · 1 hunks" in s, "app/main.py half reviewed")
    # Tick the first checklist item as the developer.
    tmux.keys(first, "C-l")
    tmux.wait(first, lambda s: "Toggle" in s, "the checklist focused")
    tmux.keys(first, "Space")
    tmux.wait(first, lambda s: "(developer)" in s, "a checklist item ticked by the developer")

    tmux.kill9(first)

    # What was accepted is on disk and staged, exactly; the rest is not.
    assert (service_repo / "README.md").read_text() == README_PROPOSED
    on_disk = (service_repo / "app" / "main.py").read_text()
    assert "return 100\n" in on_disk and "return 900\n" not in on_disk
    staged = git(service_repo, "diff", "--cached")
    assert "+    return 100" in staged and "+    return 900" not in staged
    assert "now documented" in staged

    # The kill tore the journal's last line.
    journal_path = _journal(service_repo)
    with journal_path.open("a", encoding="utf-8") as journal:
        journal.write(TORN)
    records_before = len(SessionJournal(journal_path).records())

    second = _launch(tmux, service_repo, home, base_url, "--resume")
    screen = tmux.wait(second, lambda s: "session resumed from the journal" in s, "the session resumed")
    screen = tmux.wait(second, lambda s: "review · 1 files · 1 hunks" in s, "the pending hunk back")
    assert "(developer)" in screen, "the ticked checklist item is back"
    assert PROMPT in screen, "the conversation is back"

    # The proposal is whole: accepting its last hunk completes the file the agent proposed.
    tmux.keys(second, "C-r")
    tmux.wait(second, lambda s: "a Accept" in s, "the review pane focused")
    tmux.keys(second, "a")
    tmux.wait(second, lambda s: "Nothing to review" in s, "the last hunk accepted")
    assert (service_repo / "app" / "main.py").read_text() == MAIN_PY_PROPOSED
    assert "+    return 900" in git(service_repo, "diff", "--cached")
    assert MAIN_PY != MAIN_PY_PROPOSED

    # The first record the resumed session wrote after the torn line is readable (not glued to it).
    wait_for(
        lambda: any(
            record["kind"] == "review" and record["payload"].get("path") == "app/main.py"
            for record in SessionJournal(journal_path).records()[records_before:]
        ),
        "the resumed session's review decision readable in the journal",
    )
