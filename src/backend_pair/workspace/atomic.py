"""Atomic file writes: temporary file beside the target, then rename; the file mode is kept.

Like git writing the working tree, no fsync: a reader sees the old or the new bytes, never a mix. A write may be
conditional (compare and swap): it replaces the file only if the file still holds the bytes the new content was
built from, checked immediately before the rename. A writer that lands between that check and ``rename(2)`` (or that
opened the file before the rename and writes just after it) writes into the old file, which we keep open: after the
rename it is read again until it settles, and what it gained is handed back (``late``) for the caller to carry over.
What is left is a writer that opened the file before the rename and stalls for longer than :data:`SETTLE_SECONDS`
before writing; like any editor's save, that write goes to a file nobody sees any more.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Final

from backend_pair.workspace.errors import FileChangedUnderneath


class _Anything:
    """The default of ``expected``: replace whatever the file holds."""


ANYTHING: Final = _Anything()
"""``atomic_write(..., expected=ANYTHING)``: an unconditional write."""

SETTLE_SECONDS: Final = 0.002
"""After a conditional rename, how long the old file must stay unchanged before late writes to it are ruled out."""

SETTLE_ROUNDS: Final = 50
"""At most this many settle periods (a writer that keeps writing to the old file is not waited on forever)."""


def current_bytes(path: Path) -> bytes | None:
    """The file's bytes now, None when it does not exist."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def atomic_write(path: Path, data: bytes, expected: bytes | _Anything | None = ANYTHING) -> bytes | None:
    """Replace ``path`` with ``data`` so that readers see the old or the new bytes, never a mix.

    The permission bits of an existing file are kept; a new file gets the usual ``0o666 & ~umask`` (the kernel
    applies the umask when the temporary file is created: the process-wide umask is never touched).
    Missing parent folders are created.

    Args:
        path: Absolute path of the file to write.
        data: The complete new content.
        expected: The bytes the file must still hold (None: it must not exist) for the write to happen.

    Returns:
        For a conditional write over an existing file, what the replaced file holds once writes to it have
        settled, when that differs from ``expected`` (another writer wrote to it around the rename: the caller
        carries that over onto ``data``); otherwise None.

    Raises:
        FileChangedUnderneath: ``expected`` was given and the file holds something else; nothing was written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.bp-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    old: int | None = None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        if not isinstance(expected, _Anything):
            old = _open_existing(path)
            if _held_bytes(path, old) != expected:
                raise FileChangedUnderneath(f"{path} changed on disk while it was being written; nothing was written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if old is not None:
            os.close(old)
        raise
    if old is None:
        return None
    try:
        late = _settled(old)
    finally:
        os.close(old)
    return None if late == expected else late


def _open_existing(path: Path) -> int | None:
    """A read descriptor on the file now at ``path``, None when there is none (or it is not a regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _held_bytes(path: Path, fd: int | None) -> bytes | None:
    """The bytes of the file ``fd`` holds open, if ``path`` still leads to that very file; else the path's bytes."""
    if fd is None:
        return current_bytes(path)
    mine = os.fstat(fd)
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return None
    if (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
        return current_bytes(path)  # replaced meanwhile (an editor's own rename): compare with what is there now
    return _read_all(fd)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _settled(fd: int) -> bytes:
    """What the replaced file holds once it has stopped changing (writes that reached it around the rename)."""
    seen = _read_all(fd)
    for _round in range(SETTLE_ROUNDS):
        time.sleep(SETTLE_SECONDS)
        again = _read_all(fd)
        if again == seen:
            return seen
        seen = again
    return seen
