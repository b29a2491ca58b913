"""The journal after a crash: a torn last line is skipped, and what the resumed session writes next is kept."""

from __future__ import annotations

from pathlib import Path

from backend_pair.workspace.journal import SessionJournal

TORN = '{"kind":"message","at":"2026-11-27T04:00:00+00:00","payload":{"index":1,"ro'


def _crashed_journal(root: Path) -> Path:
    journal = SessionJournal.create(root)
    journal.append("message", {"index": 0, "role": "user", "content": "hello"})
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write(TORN)  # kill -9 in the middle of a write: half a record, no newline
    return journal.path


def test_torn_last_line_is_skipped_and_the_rest_read(git_repo: Path) -> None:
    path = _crashed_journal(git_repo)
    records = SessionJournal.open(git_repo).records()
    assert [(r["kind"], r["payload"]["index"]) for r in records] == [("message", 0)]
    assert path.read_text(encoding="utf-8").endswith(TORN)


def test_first_record_after_a_torn_line_is_kept(git_repo: Path) -> None:
    _crashed_journal(git_repo)
    resumed = SessionJournal.open(git_repo)
    resumed.append("review", {"op": "accept_hunk", "path": "app/main.py", "hunk_id": "h1"})
    resumed.append("review", {"op": "accept_hunk", "path": "app/main.py", "hunk_id": "h2"})
    kinds = [(r["kind"], r["payload"].get("hunk_id")) for r in SessionJournal.open(git_repo).records()]
    assert kinds == [("message", None), ("review", "h1"), ("review", "h2")]
