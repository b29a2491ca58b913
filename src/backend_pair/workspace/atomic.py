"""Atomic file writes: temporary file beside the target, then rename; the file mode is kept.

Like git writing the working tree, no fsync: a reader sees the old or the new bytes, never a mix. A write may be
conditional (compare and swap): it replaces the file only if the file still holds the bytes the new content was
built from, checked immediately before the rename. The window left between that check and ``rename(2)`` is a few
microseconds; a writer that lands exactly there loses its write to ours, as with any editor's save.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Final

from backend_pair.workspace.errors import FileChangedUnderneath


class _Anything:
    """The default of ``expected``: replace whatever the file holds."""


ANYTHING: Final = _Anything()
"""``atomic_write(..., expected=ANYTHING)``: an unconditional write."""


def current_bytes(path: Path) -> bytes | None:
    """The file's bytes now, None when it does not exist."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def atomic_write(path: Path, data: bytes, expected: bytes | _Anything | None = ANYTHING) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new bytes, never a mix.

    The permission bits of an existing file are kept; a new file gets the usual ``0o666 & ~umask`` (the kernel
    applies the umask when the temporary file is created: the process-wide umask is never touched).
    Missing parent folders are created.

    Args:
        path: Absolute path of the file to write.
        data: The complete new content.
        expected: The bytes the file must still hold (None: it must not exist) for the write to happen.

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
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        if not isinstance(expected, _Anything) and current_bytes(path) != expected:
            raise FileChangedUnderneath(f"{path} changed on disk while it was being written; nothing was written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
