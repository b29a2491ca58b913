"""Helpers for grep through the overlay: glob patterns, git pathspecs, and searching proposed text."""

from __future__ import annotations

import fnmatch
import re

from backend_pair.workspace.errors import WorkspaceError
from backend_pair.workspace.gitrepo import GitRepository

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


def grep_overlay(
    git: GitRepository, overlay: dict[str, str], pattern: str, prefix: str | None, glob: str | None, ignore_case: bool
) -> list[tuple[str, int, str]]:
    """``git grep`` over the working tree, with the files in ``overlay`` searched in their overlay text instead.

    Args:
        git: The repository.
        overlay: Repo-relative path -> the text the agent sees (pending proposals).
        pattern: Regular expression.
        prefix: Confined file or folder to search in; None for everything.
        glob: File pattern (``*.py``, ``src/**/*.ts``, ``*.{ts,tsx}``).
        ignore_case: Case-insensitive.

    Returns:
        ``(path, line number, line)`` sorted by path then line.
    """
    is_dir = prefix is not None and (git.root / prefix).is_dir()
    globs = expand_braces(glob) if glob else []
    found = [
        hit
        for hit in git.grep(pattern, pathspecs(prefix, is_dir, globs), ignore_case)
        if hit[0] not in overlay and matches(hit[0], prefix, is_dir, globs)
    ]
    inside = [
        rel
        for rel in overlay
        if (prefix is None or rel == prefix or rel.startswith(prefix + "/"))
        and matches(rel, prefix, is_dir or prefix is None, globs)
    ]
    if inside:
        regex = compile_pattern(pattern, ignore_case)
        for rel in inside:
            found.extend(grep_text(rel, overlay[rel], regex))
    return sorted(found, key=lambda hit: (hit[0], hit[1]))
