"""Helpers for grep through the overlay: glob patterns, git pathspecs, and searching proposed text."""

from __future__ import annotations

import fnmatch
import re

from backend_pair.workspace.errors import WorkspaceError

_BRACES = re.compile(r"\{([^{}]*)\}")


def expand_braces(pattern: str) -> list[str]:
    """``*.{ts,tsx}`` -> ``["*.ts", "*.tsx"]`` (nested and repeated braces expand too)."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [expanded for option in match.group(1).split(",") for expanded in expand_braces(head + option + tail)]


def pathspecs(prefix: str | None, is_dir: bool, globs: list[str]) -> list[str]:
    """Git pathspecs for a search limited to ``prefix`` (file or folder) and file ``globs``."""
    if prefix is not None and not is_dir:
        return [f":(literal){prefix}"]
    if not globs:
        return [f":(literal){prefix}"] if prefix else []
    base = f"{prefix}/" if prefix else ""
    return [f":(glob){base}{g if '/' in g else '**/' + g}" for g in globs]


def matches(rel: str, prefix: str | None, is_dir: bool, globs: list[str]) -> bool:
    """Whether ``rel`` passes the glob filter (a glob without ``/`` matches the file name at any depth)."""
    if not globs or (prefix is not None and not is_dir):
        return True
    under = rel[len(prefix) + 1 :] if prefix and rel.startswith(prefix + "/") else rel
    name = rel.rsplit("/", 1)[-1]
    for glob in globs:
        if "/" not in glob:
            if fnmatch.fnmatchcase(name, glob):
                return True
        elif fnmatch.fnmatchcase(under, glob) or fnmatch.fnmatchcase(under, glob.replace("**/", "")):
            return True
    return False


def compile_pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Compile a search pattern with Python ``re`` (used on proposed text).

    Raises:
        WorkspaceError: The pattern is not a valid regular expression.
    """
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as err:
        raise WorkspaceError(f"invalid search pattern {pattern!r}: {err}") from None


def grep_text(rel: str, text: str, regex: re.Pattern[str]) -> list[tuple[str, int, str]]:
    """Matching lines of ``text`` as ``(rel, line number, line)``."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [(rel, number, line) for number, line in enumerate(lines, start=1) if regex.search(line)]
