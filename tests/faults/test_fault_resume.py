"""Resume finds the work: empty sessions leave no journal, --resume takes the latest with work, one line for a
bad id or a session another backend-pair holds, a reminder when work is pending, and the prompt history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_pair.cli import main
from backend_pair.workspace.journal import JournalError, SessionJournal, pending_reminder, sessions_dir

PENDING = {"version": 1, "entries": [{"path": "app/main.py"}], "history": [], "commands": []}


def _session(root: Path, name: str, *records: tuple[str, dict[str, object]], age: int = 0) -> SessionJournal:
    sessions_dir(root).mkdir(parents=True, exist_ok=True)
    journal = SessionJournal(sessions_dir(root) / f"{name}.jsonl")
    for kind, payload in records:
        journal.append(kind, payload)
    if journal.path.exists():
        stamp = journal.path.stat().st_mtime - age
        os.utime(journal.path, (stamp, stamp))
    return journal


def test_a_session_with_nothing_in_it_leaves_no_journal(git_repo: Path) -> None:
    journal = SessionJournal.create(git_repo)
    journal.append("meta", {"agent": "Backend Engineer"})
    journal.append("usage", {"input": 1})
    journal.append("proposals", {"entries": [], "history": []})
    assert not journal.path.exists()
    assert [r["kind"] for r in journal.records()] == ["meta", "usage", "proposals"]
    journal.append("message", {"index": 0, "role": "user", "content": "hi", "title": "hi"})
    assert [r["kind"] for r in SessionJournal(journal.path).records()] == ["meta", "usage", "proposals", "message"]


def test_resume_takes_the_latest_session_with_work(git_repo: Path) -> None:
    worked = _session(git_repo, "20260101-000000-aaaaaa", ("message", {"index": 0, "role": "user"}), age=100)
    legacy_empty = sessions_dir(git_repo) / "20260102-000000-bbbbbb.jsonl"
    legacy_empty.write_text('{"kind":"meta","at":"2026-01-02T00:00:00+00:00","payload":{}}\n')
    assert SessionJournal.open(git_repo, "").path == worked.path
    assert SessionJournal.open(git_repo, "20260102").path == legacy_empty  # an explicit id is honoured


def test_a_plain_start_is_reminded_of_pending_work(git_repo: Path) -> None:
    assert pending_reminder(git_repo) is None
    _session(git_repo, "20260101-000000-cccccc", ("message", {"index": 0, "role": "user"}), ("proposals", PENDING))
    reminder = pending_reminder(git_repo)
    assert reminder is not None and reminder.startswith("1 file pending review from ")
    assert reminder.endswith("(session 20260101-000000-cccccc): backend-pair --resume")


def test_a_bad_resume_id_is_one_line_with_the_recent_ids_and_exit_2(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-resume-tests-0001")
    _session(git_repo, "20260101-000000-dddddd", ("message", {"index": 0, "role": "user"}))
    assert main([str(git_repo), "--resume", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no session 'nosuch'" in err[0] and "20260101-000000-dddddd" in err[0]


HOLD = """
import sys
from pathlib import Path
from backend_pair.workspace.journal import JournalError, SessionJournal
journal = SessionJournal(Path(sys.argv[1]))
try:
    journal.acquire()
except JournalError as err:
    print("refused", err, flush=True)
else:
    print("held", flush=True)
sys.stdin.read()
"""
"""A second backend-pair process, as far as the lock is concerned: holds the session until its stdin closes."""


def _holder_process(journal: SessionJournal) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(journal.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def _let_go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait()


def test_a_session_held_by_another_backend_pair_is_refused(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = _session(git_repo, "20260101-000000-eeeeee", ("message", {"index": 0, "role": "user"}))
    other = _holder_process(journal)
    try:
        assert other.stdout is not None and other.stdout.readline() == "held\n"
        with pytest.raises(JournalError, match=f"open in another backend-pair \\(pid {other.pid}\\)"):
            SessionJournal(journal.path).acquire()
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-resume-tests-0001")
        assert main([str(git_repo), "--resume"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"(pid {other.pid}); quit that one first" in err[0]
    finally:
        _let_go(other)
    # Its holder gone, the session is free again.
    assert SessionJournal(journal.path).holder() is None


def test_a_stale_lock_is_taken_over_and_released(git_repo: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    journal = _session(git_repo, "20260101-000000-ffffff", ("message", {"index": 0, "role": "user"}))
    journal.lock_path.write_text(str(dead.pid))
    journal.acquire()
    assert journal.lock_path.read_text() == str(os.getpid())
    journal.release()
    assert not journal.lock_path.exists()


def test_a_lock_left_by_a_killed_app_is_free_even_when_its_pid_is_reused(git_repo: Path) -> None:
    """After a crash (or a reboot, or in a container) the pid in a stale lock can belong to any live program."""
    journal = _session(git_repo, "20260101-000000-abcdef", ("message", {"index": 0, "role": "user"}))
    unrelated = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        journal.lock_path.write_text(str(unrelated.pid))  # what the killed app left, naming a pid now reused
        assert journal.holder() is None
        journal.acquire()
        assert journal.lock_path.read_text() == str(os.getpid())
    finally:
        journal.release()
        assert unrelated.stdin is not None
        unrelated.stdin.close()
        unrelated.wait()


def test_a_holder_killed_with_sigkill_lets_the_session_go(git_repo: Path) -> None:
    journal = _session(git_repo, "20260101-000000-aaaa11", ("message", {"index": 0, "role": "user"}))
    other = _holder_process(journal)
    assert other.stdout is not None and other.stdout.readline() == "held\n"
    assert journal.holder() == other.pid
    other.kill()
    other.wait()
    journal.acquire()
    assert journal.lock_path.read_text() == str(os.getpid())
    journal.release()


def test_of_processes_starting_together_exactly_one_takes_the_session(git_repo: Path) -> None:
    journal = _session(git_repo, "20260101-000000-bbbb22", ("message", {"index": 0, "role": "user"}))
    others = [_holder_process(journal) for _ in range(4)]
    try:
        answers = [process.stdout.readline() for process in others if process.stdout is not None]
    finally:
        for process in others:
            _let_go(process)
    assert sorted(answer.split()[0] for answer in answers) == ["held", "refused", "refused", "refused"]


def test_a_killed_empty_session_leaves_no_lock_behind_for_long(git_repo: Path) -> None:
    held = SessionJournal.create(git_repo)
    other = _holder_process(held)  # a running session, nothing journaled yet: its lock stays
    killed = SessionJournal.create(git_repo)
    victim = _holder_process(killed)
    try:
        for process in (other, victim):
            assert process.stdout is not None and process.stdout.readline() == "held\n"
        victim.kill()
        victim.wait()
        assert killed.lock_path.exists() and not killed.path.exists()
        SessionJournal.create(git_repo)  # the next start tidies up
        assert not killed.lock_path.exists()
        assert held.lock_path.read_text() == str(other.pid)
    finally:
        _let_go(other)


def test_prompt_history_comes_back_from_the_history() -> None:
    from backend_pair.agents.session import CONTINUE_PROMPT
    from backend_pair.tui.startup import typed_messages

    messages = [
        {"role": "user", "content": [{"type": "text", "text": "first ask"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t", "content": "x"},
                {"type": "text", "text": "<review-feedback>\nRejected ...\n</review-feedback>"},
                {"type": "text", "text": "second ask"},
            ],
        },
        {"role": "user", "content": [{"type": "text", "text": CONTINUE_PROMPT}]},
    ]
    assert typed_messages(messages) == ["first ask", "second ask"]
