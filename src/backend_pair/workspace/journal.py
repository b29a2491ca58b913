"""The session journal: append-only JSONL under ``.git/backend-pair/sessions/`` so ``--resume`` brings a session back.

Each line is ``{"kind": ..., "at": ISO time, "payload": {...}}``. Kinds written by the agent loop: ``meta``,
``message`` (one API message), ``tool_call``, ``proposals`` (a ``Workspace.to_json`` snapshot), ``review``,
``checklist``, ``usage``. A torn last line (a crash mid-write) is skipped, never fatal.
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

log = logging.getLogger(__name__)


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
        """Use the journal file at ``path`` (created on first append)."""
        self.path = path
        self.session_id = path.stem
        self._lock = threading.Lock()
        self._checked_end = False

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
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        journal = cls(directory / f"{stamp}-{secrets.token_hex(3)}.jsonl")
        journal.path.touch()
        return journal

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
            return cls(sessions[0].path)
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
        """Every readable record in order; a torn or corrupt line is skipped (and logged)."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
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


def _title(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                payload = record.get("payload") if isinstance(record, dict) else None
                if record.get("kind") == "message" and isinstance(payload, dict) and payload.get("role") == "user":
                    title = payload.get("title")
                    if isinstance(title, str):
                        return title
    except OSError as err:
        log.warning("cannot read %s: %s", path, err)
    return ""


def list_sessions(root: Path) -> list[SessionSummary]:
    """The journaled sessions of the repository at ``root``, most recent first."""
    directory = sessions_dir(root)
    if not directory.is_dir():
        return []
    found = [SessionSummary(path.stem, path, path.stat().st_mtime, _title(path)) for path in directory.glob("*.jsonl")]
    return sorted(found, key=lambda summary: (summary.modified, summary.session_id), reverse=True)
