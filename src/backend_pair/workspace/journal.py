"""The session journal: append-only JSONL under ``.git/backend-pair/sessions/`` so ``--resume`` brings a session back.

Each line is ``{"kind": ..., "at": ISO time, "payload": {...}}``. Kinds written by the agent loop: ``meta``,
``message`` (one API message), ``tool_call``, ``proposals`` (a ``Workspace.to_json`` snapshot), ``review``,
``checklist``, ``usage`` (``agent`` names a subagent's call), ``subagent`` (a ``Task``'s nested run: its call id,
agent, model, description and messages), ``subagent_message`` (one of its messages as it happens). A torn last
line (a crash mid-write) is skipped, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend_pair.errors import BackendPairError
from backend_pair.redact import REDACTOR
from backend_pair.workspace.session_lock import UNKNOWN_PID, SessionLock, SessionLockError

log = logging.getLogger(__name__)

PREAMBLE_KINDS = frozenset({"meta", "usage", "checklist"})
"""Records that alone do not make a session worth resuming: a session holding only these is never written."""


class JournalError(BackendPairError):
    """No journal to resume, or it cannot be written."""


@dataclass(frozen=True)
class SessionSummary:
    """One journaled session, for ``--resume`` choices."""

    session_id: str
    path: Path
    modified: float
    title: str
    """The first words of the developer's first message (``""`` when none yet)."""
    has_work: bool = True
    """Whether it holds anything to resume (messages, proposals, decisions), not just its start."""
    pending_files: int = 0
    """Files with proposals pending review in its last snapshot."""


def _empty(payload: Any) -> bool:
    """Whether a ``proposals`` snapshot holds nothing pending and no history."""
    return isinstance(payload, dict) and not any(payload.get(key) for key in ("entries", "history", "commands"))


def sessions_dir(root: Path) -> Path:
    """``<git dir>/backend-pair/sessions`` for the repository at ``root`` (worktrees' ``.git`` files followed)."""
    dot_git = root / ".git"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            target = Path(text.removeprefix("gitdir:").strip())
            dot_git = target if target.is_absolute() else (root / target).resolve()
    return dot_git / "backend-pair" / "sessions"


def _scrub(line: str) -> str:
    """Whatever reaches the journal, a secret backend-pair holds (or one still in the environment) never does."""
    REDACTOR.add_from_environment()
    return REDACTOR.redact(line)


class SessionJournal:
    """An append-only JSONL file of one session."""

    def __init__(self, path: Path) -> None:
        """Use the journal file at ``path`` (created when the session first has something worth keeping)."""
        self.path = path
        self.session_id = path.stem
        self._lock = threading.Lock()
        self._checked_end = False
        self._held: list[str] = []

    @property
    def lock_path(self) -> Path:
        """The file that says which running backend-pair holds this session (its pid)."""
        return self.path.with_suffix(".lock")

    def holder(self) -> int | None:
        """The pid of another running backend-pair holding this session, None when free (a stale lock is free)."""
        return SessionLock(self.lock_path).holder()

    def held_message(self, holder: int) -> str:
        """The one line that refuses this session because ``holder`` (a pid) holds it."""
        pid = "pid not written yet" if holder == UNKNOWN_PID else f"pid {holder}"
        return f"session {self.session_id} is open in another backend-pair ({pid}); quit that one first"

    def acquire(self) -> None:
        """Hold the session for this process (taking over a stale lock); released when the process exits.

        Raises:
            JournalError: Another running backend-pair holds it, or the lock file cannot be made.
        """
        try:
            SessionLock(self.lock_path).acquire()
        except SessionLockError as err:
            raise JournalError(self.held_message(err.pid)) from None
        except OSError as err:
            raise JournalError(f"cannot lock the session journal {self.lock_path}: {err.strerror}") from err

    def release(self) -> None:
        """Let the session go (only our own lock is removed)."""
        SessionLock(self.lock_path).release()

    @classmethod
    def create(cls, root: Path) -> SessionJournal:
        """A new, empty journal for a new session in the repository at ``root``.

        Raises:
            JournalError: the folder cannot be created.
        """
        directory = sessions_dir(root)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise JournalError(f"cannot create the session journal in {directory}: {err.strerror}") from err
        _remove_orphan_locks(directory)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return cls(directory / f"{stamp}-{secrets.token_hex(3)}.jsonl")

    @classmethod
    def open(cls, root: Path, session_id: str | None = None) -> SessionJournal:
        """An existing journal: ``session_id`` (or a unique prefix of it), or the most recent one when ``None``/``""``.

        Raises:
            JournalError: there is no such session (the message lists how to find one).
        """
        sessions = list_sessions(root)
        if not sessions:
            raise JournalError(f"no session to resume in {root} (none was journaled yet)")
        if not session_id:
            # The latest session with anything in it: one started and quit at once does not hide the work.
            return cls(next((s for s in sessions if s.has_work), sessions[0]).path)
        for summary in sessions:
            if summary.session_id == session_id or summary.session_id.startswith(session_id):
                return cls(summary.path)
        known = ", ".join(summary.session_id for summary in sessions[:5])
        raise JournalError(f"no session {session_id!r} to resume; recent ones: {known}")

    def append(self, kind: str, payload: dict[str, Any]) -> None:
        """Append one record and flush it to the OS (so a ``kill -9`` right after loses nothing).

        Raises:
            JournalError: the file cannot be written.
        """
        record = {"kind": kind, "at": datetime.now(UTC).isoformat(timespec="seconds"), "payload": payload}
        line = _scrub(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)) + "\n"
        with self._lock:
            if not self.path.exists() and (kind in PREAMBLE_KINDS or (kind == "proposals" and _empty(payload))):
                # Nothing worth resuming yet: hold it, so a session opened and quit leaves no file behind.
                self._held.append(line)
                return
            line, self._held = "".join(self._held) + line, []
            try:
                if not self._checked_end:
                    line = self._after_torn_line() + line
                    self._checked_end = True
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(line)
                    handle.flush()
            except OSError as err:
                raise JournalError(f"cannot write the session journal {self.path}: {err.strerror}") from err

    def _after_torn_line(self) -> str:
        """``"\\n"`` when the file ends mid-line (a crash cut the last write), so the next record starts clean."""
        try:
            with self.path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() == 0:
                    return ""
                handle.seek(-1, os.SEEK_END)
                return "" if handle.read(1) == b"\n" else "\n"
        except FileNotFoundError:
            return ""

    def records(self) -> list[dict[str, Any]]:
        """Every readable record in order (held ones too); a torn or corrupt line is skipped (and logged)."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            lines = []
        lines += [line.rstrip("\n") for line in self._held]
        out: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                log.warning("%s:%d: skipped an unreadable journal line", self.path, number)
                continue
            if isinstance(record, dict) and isinstance(record.get("kind"), str):
                out.append(record)
        return out


def _remove_orphan_locks(directory: Path) -> None:
    """Remove the locks of sessions that never had anything to journal and whose app was killed (nobody holds them).

    An empty session leaves no journal; killed with ``kill -9``, it could not remove its lock file either.
    """
    for lock in directory.glob("*.lock"):
        if lock.with_suffix(".jsonl").exists():
            continue
        try:
            if SessionLock(lock).holder() is None:
                lock.unlink()
        except OSError as err:
            log.info("left the lock %s (%s)", lock, err)


def _scan(path: Path) -> tuple[str, bool, int]:
    """A journal's title (the first user message), whether it has work in it, and its pending files."""
    title, has_work, pending = "", False, 0
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(record, dict):
                    continue
                kind, payload = record.get("kind"), record.get("payload")
                if kind not in PREAMBLE_KINDS and not (kind == "proposals" and _empty(payload)):
                    has_work = True
                if kind == "message" and isinstance(payload, dict) and payload.get("role") == "user" and not title:
                    raw = payload.get("title")
                    title = raw if isinstance(raw, str) else ""
                if kind == "proposals" and isinstance(payload, dict):
                    entries = payload.get("entries")
                    commands = payload.get("commands")
                    pending = (len(entries) if isinstance(entries, list) else 0) + (
                        len(commands) if isinstance(commands, list) else 0
                    )
    except OSError as err:
        log.warning("cannot read %s: %s", path, err)
    return title, has_work, pending


def list_sessions(root: Path) -> list[SessionSummary]:
    """The journaled sessions of the repository at ``root``, most recent first."""
    directory = sessions_dir(root)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob("*.jsonl"):
        title, has_work, pending = _scan(path)
        found.append(SessionSummary(path.stem, path, path.stat().st_mtime, title, has_work, pending))
    return sorted(found, key=lambda summary: (summary.modified, summary.session_id), reverse=True)


def pending_reminder(root: Path) -> str | None:
    """``3 files pending review from 14:02 (session ID): backend-pair --resume`` for the latest session with
    work, when it left proposals pending; None otherwise."""
    latest = next((summary for summary in list_sessions(root) if summary.has_work), None)
    if latest is None or not latest.pending_files:
        return None
    when = datetime.fromtimestamp(latest.modified).strftime("%Y-%m-%d %H:%M")
    count = latest.pending_files
    return (
        f"{count} file{'s' if count != 1 else ''} pending review from {when} (session {latest.session_id}): "
        "backend-pair --resume"
    )
