"""Running the developer's editor on a temporary file: ``$VISUAL``, else ``$EDITOR``, else ``vi``.

The text to edit (a hunk of the agent's proposal: untrusted) is written to a file in a fresh temporary folder outside
the repository and its path is passed as one argument; nothing goes through a shell. The command itself is split
like a shell would (``code --wait``), never run by one.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from backend_pair.workspace.errors import WorkspaceError

FALLBACK_EDITOR = "vi"
"""The editor when neither ``$VISUAL`` nor ``$EDITOR`` is set (as git does)."""

_SUFFIX = re.compile(r"\.[A-Za-z0-9_+-]{1,12}")


class EditorFailed(WorkspaceError):
    """The editor could not be started, or it failed; nothing was changed."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor command as arguments, from ``$VISUAL``, ``$EDITOR`` or :data:`FALLBACK_EDITOR`.

    Raises:
        EditorFailed: The variable cannot be split into words (an unclosed quote).
    """
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as err:
                raise EditorFailed(f"${name} cannot be read as a command ({err}): {value!r}") from None
            if words:
                return words
    return [FALLBACK_EDITOR]


def editor_suffix(path: str) -> str:
    """A file name ending for the temporary file, so the editor highlights it (``.py``); ``.txt`` when odd."""
    suffix = Path(path).suffix
    return suffix if _SUFFIX.fullmatch(suffix) else ".txt"


def edit_text(text: str, suffix: str = ".txt", environ: Mapping[str, str] | None = None) -> str:
    """Let the developer edit ``text`` in their editor and return what they saved.

    The editor runs in the foreground with this process's terminal (the caller suspends its own screen first).

    Args:
        text: What the file starts with.
        suffix: The temporary file's ending (see :func:`editor_suffix`).
        environ: Where to read ``$VISUAL`` / ``$EDITOR`` (default: the process environment).

    Returns:
        The file's text when the editor exited with status 0.

    Raises:
        EditorFailed: The editor was not found, could not run, exited with another status, or left no readable file.
    """
    command = editor_command(environ)
    program = command[0]
    if shutil.which(program) is None:
        raise EditorFailed(f"editor not found: {program} (set $VISUAL or $EDITOR); nothing changed")
    with tempfile.TemporaryDirectory(prefix="backend-pair-edit-") as folder:
        target = Path(folder) / f"edit{suffix}"
        target.write_text(text, encoding="utf-8")
        try:
            status = subprocess.run([*command, str(target)], check=False).returncode
        except OSError as err:
            raise EditorFailed(f"the editor {program} could not run ({err.strerror or err}); nothing changed") from None
        if status != 0:
            raise EditorFailed(f"the editor {program} exited with status {status}; nothing changed")
        try:
            return target.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as err:
            raise EditorFailed(f"the edited file could not be read back ({err}); nothing changed") from None
