"""Text files as the workspace sees them: decoding rules, line endings, and splitting into lines."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from backend_pair.workspace.errors import FileRefused

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest file the workspace reads or proposes (2 MiB): bigger files are refused as too large to review."""

BOM = "\ufeff"
"""A UTF-8 byte order mark as decoded text: hidden from the agent, kept on disk."""

BINARY_SNIFF_BYTES = 8000
"""Like git, a NUL byte within the first 8000 bytes marks a file as binary."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def check_size(rel: str, size: int) -> None:
    """Refuse a file over :data:`MAX_FILE_BYTES`.

    Args:
        rel: Repo-relative path, for the message.
        size: Size in bytes.

    Raises:
        FileRefused: When the file is too large.
    """
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            f"{rel}: {size:,} bytes is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit for reviewable files"
        )


def read_file_bytes(rel: str, path: Path) -> bytes | None:
    """A file's bytes as it is now, without ever waiting on something that is not a plain file.

    Opening a named pipe waits for a writer, and reading a device can wait forever; a FIFO made in the working tree
    (``mkfifo``) would hold the workspace until then. The file is opened without blocking and refused unless it is
    a regular file; the size limit is checked before a byte is read.

    Args:
        rel: Repo-relative path, for the message.
        path: Where the file is.

    Returns:
        The bytes, or None when there is no such file (or a component of the path is not a folder).

    Raises:
        FileRefused: A folder, a named pipe, socket or device, a file that cannot be opened (permissions, a symlink
            loop), or a file over the size limit.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:  # Windows; POSIX opens a folder and fstat says what it is
        raise FileRefused(f"{rel}: is a folder, not a file") from None
    except OSError as err:  # no permission, a socket (ENXIO), a symlink loop: this file cannot be read, others can
        raise FileRefused(f"{rel}: cannot be read ({err.strerror or err})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(f"{rel}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{rel}: not a regular file (a named pipe, socket or device); only text files are read")
        check_size(rel, info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def decode_text(rel: str, data: bytes) -> str:
    """Decode a file's bytes as UTF-8 text, refusing binary, other encodings and huge files.

    Args:
        rel: Repo-relative path, for the message.
        data: The raw bytes.

    Returns:
        The text exactly as stored (line endings untouched).

    Raises:
        FileRefused: Binary content, a UTF-16/32 byte order mark, invalid UTF-8, or over the size limit.
    """
    check_size(rel, len(data))
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise FileRefused(f"{rel}: encoded as {name} (byte order mark); only UTF-8 text can be reviewed")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise FileRefused(f"{rel}: binary file (NUL bytes); only UTF-8 text can be reviewed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        raise FileRefused(
            f"{rel}: not valid UTF-8 (utf-8 codec failed on byte 0x{bad} at offset {err.start}); "
            "only UTF-8 text can be reviewed"
        ) from None


def detect_eol(raw: str) -> str:
    r"""The file's line ending: ``"\r\n"`` when most of its lines end that way, else ``"\n"``."""
    crlf = raw.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= raw.count("\n") else "\n"


def normalize(raw: str) -> str:
    r"""The text with ``\r\n`` turned into ``\n`` (what the agent and the diff see)."""
    return raw.replace("\r\n", "\n")


def split_lines(text: str) -> list[str]:
    r"""Split on ``\n`` only, keeping the ending; a last line without ``\n`` stays as it is.

    Unlike :meth:`str.splitlines`, form feeds, lone ``\r`` and Unicode separators do not split a line.
    """
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def with_eol(line: str, eol: str) -> str:
    r"""A normalised line (ending in ``\n`` or not at all) rewritten with the line ending ``eol``."""
    if eol != "\n" and line.endswith("\n") and not line.endswith("\r\n"):
        return line[:-1] + eol
    return line
