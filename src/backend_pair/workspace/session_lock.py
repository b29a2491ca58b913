"""Which running backend-pair holds a session: a lock file beside its journal, with the holder's pid in it.

Where the system has ``flock`` (Linux, macOS, the BSDs), the file is locked for as long as the process lives: the
kernel lets go when it dies, ``kill -9`` included, so a lock nobody holds is free whatever pid it names (a crash's
pid reused by another program never keeps a session out), and two processes starting at the same moment cannot
both take it. The pid in the file only names the holder in the refusal. Elsewhere, the pid alone decides: a lock
whose process is gone is taken over.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

UNKNOWN_PID = -1
""":meth:`SessionLock.holder` of a lock held by a process that has not written its pid yet."""

_HELD: dict[Path, int] = {}
"""Lock file -> the descriptor this process holds it with (``-1`` without ``flock``)."""

_HELD_GUARD = threading.Lock()

TAKE_ATTEMPTS = 8
"""Tries to lock the file the name leads to while other processes keep replacing it."""

_TAKEN = (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
"""What ``flock(LOCK_NB)`` fails with when another process holds the lock."""


class SessionLockError(OSError):
    """Another running process holds the session (``pid``: its pid, :data:`UNKNOWN_PID` when not yet written)."""

    def __init__(self, pid: int) -> None:
        """Name the holder."""
        super().__init__(f"held by pid {pid}")
        self.pid = pid


def _is_zombie(pid: int) -> bool:
    """A process killed but not yet reaped (``kill -9`` of an app whose parent has not waited): it holds nothing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return any(line.startswith("State:") and "Z" in line.split()[1:2] for line in status.splitlines())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


class SessionLock:
    """The lock file of one session."""

    def __init__(self, path: Path) -> None:
        """Use the lock file at ``path`` (made when the session is first held)."""
        self.path = path

    def recorded_pid(self) -> int | None:
        """The pid written in the file, None when there is no file or no pid in it."""
        try:
            return int(self.path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def holder(self) -> int | None:
        """The pid of another running process holding the session; None when it is free or this process holds it.

        Returns:
            The holder's pid, :data:`UNKNOWN_PID` when it holds the lock but has not written its pid yet, or None.
        """
        if self.path in _HELD:
            return None
        if fcntl is None:
            pid = self.recorded_pid()
            return pid if pid is not None and pid != os.getpid() and _alive(pid) else None
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in _TAKEN:
                raise
            pid = self.recorded_pid()
            return UNKNOWN_PID if pid is None else pid
        finally:
            os.close(fd)  # closing lets go of a probe that succeeded
        return None

    def acquire(self) -> None:
        """Hold the session for this process (a lock nobody holds is taken over); let go when the process exits.

        Raises:
            SessionLockError: Another running process holds it.
            OSError: The lock file cannot be made.
        """
        with _HELD_GUARD:
            if self.path in _HELD:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _HELD[self.path] = self._take()
        atexit.register(self.release)

    def _take(self) -> int:
        if fcntl is None:
            holder = self.holder()
            if holder is not None:
                raise SessionLockError(holder)
            self.path.write_text(str(os.getpid()), encoding="utf-8")
            return -1
        for _attempt in range(TAKE_ATTEMPTS):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                os.close(fd)
                if err.errno not in _TAKEN:
                    raise
                pid = self.recorded_pid()
                raise SessionLockError(UNKNOWN_PID if pid is None else pid) from None
            # The previous holder removes the file as it lets go: if that happened between our open and our lock,
            # we hold a file nobody can find any more. Lock the one the name leads to.
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(fd)
            if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode("ascii"))
                return fd
            os.close(fd)
        raise OSError(errno.EAGAIN, "the lock file kept being replaced", str(self.path))

    def release(self) -> None:
        """Let the session go (removing the lock file), if this process holds it."""
        with _HELD_GUARD:
            fd = _HELD.pop(self.path, None)
            if fd is None:
                return
            if fd < 0:
                if self.recorded_pid() == os.getpid():
                    with contextlib.suppress(OSError):
                        self.path.unlink()
                return
            with contextlib.suppress(OSError):
                self.path.unlink()  # while still holding it, so nobody locks a file about to vanish
            os.close(fd)
