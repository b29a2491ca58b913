"""Evidence rules: checklist items that the repository itself can prove done, as data."""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SKIPPED_DIRS: frozenset[str] = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", "__pycache__", ".tox", ".nox", ".mypy_cache"}
    | {".pytest_cache", ".ruff_cache", "dist", "build", ".idea", ".vscode", "vendor", "target", ".next", "coverage"}
)
"""Folders never searched for evidence: version control, dependencies, caches and build output."""

MAX_FILES_VISITED = 20_000
"""Stop walking a huge repository after this many files: evidence is a convenience, not an audit."""

MAX_SPEC_BYTES = 2_000_000
"""OpenAPI files larger than this are not parsed."""

TEST_PATH_PATTERNS: tuple[str, ...] = ("test_*.py", "*_test.py", "*_test.go", "*.test.*", "*.spec.*", "*Test.java")
"""File names that look like tests (besides anything under a `tests/` or `test/` folder)."""

TEST_DIRS: frozenset[str] = frozenset({"tests", "test", "__tests__", "spec"})
"""Folder names whose files count as tests."""

OPENAPI_PATTERNS: tuple[str, ...] = ("openapi.yaml", "openapi.yml", "*openapi*.yaml", "*openapi*.yml", "*openapi*.json")
"""File names that may hold an OpenAPI document (compared case-insensitively)."""

Check = Callable[[Path, list[str]], str | None]
"""A rule's test: (repository root, accepted paths) -> a reason when the item is proven, else None."""


@dataclass(frozen=True)
class EvidenceRule:
    """A checklist item the repository can prove, and how."""

    item: str
    """The checklist item's text, matched after normalisation (case, spacing, trailing punctuation)."""
    check: Check
    """Returns the reason shown to the developer, e.g. `tests/test_orders.py accepted`, or None."""


def looks_like_test(path: str) -> bool:
    """True when a repo-relative path looks like a test file (`tests/...`, `test_*.py`, `*.spec.ts`, ...)."""
    pure = PurePosixPath(path)
    if any(part in TEST_DIRS for part in pure.parts[:-1]):
        return True
    return any(fnmatch.fnmatchcase(pure.name, pattern) for pattern in TEST_PATH_PATTERNS)


def _accepted_test(root: Path, accepted: list[str]) -> str | None:
    test = next((path for path in accepted if looks_like_test(path)), None)
    return f"{test} accepted" if test else None


def walk_files(root: Path) -> Iterator[str]:
    """Yield repo-relative POSIX paths of files, skipping `SKIPPED_DIRS`, hidden folders and symlinked folders.

    Args:
        root: The repository root.

    Yields:
        Paths, at most `MAX_FILES_VISITED` of them.
    """
    visited = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        relative = Path(folder).relative_to(root)
        for name in sorted(files):
            visited += 1
            if visited > MAX_FILES_VISITED:
                return
            yield (relative / name).as_posix()


def openapi_version(path: Path) -> str | None:
    """The `openapi` version a file declares when it parses as a mapping with `openapi: 3.x`, else None."""
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    import yaml  # lazily: only needed when a candidate file exists

    document: object
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, RecursionError, yaml.YAMLError):
        return None
    if not isinstance(document, dict):
        return None
    version = document.get("openapi")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if isinstance(version, str) and version.startswith("3."):
        return version
    return None


def _openapi_file(root: Path, accepted: list[str]) -> str | None:
    for relative in walk_files(root):
        name = PurePosixPath(relative).name.lower()
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in OPENAPI_PATTERNS):
            continue
        version = openapi_version(root / relative)
        if version:
            return f"{relative} declares OpenAPI {version}"
    return None


def _dbml_file(root: Path, accepted: list[str]) -> str | None:
    found = next((path for path in walk_files(root) if path.lower().endswith(".dbml")), None)
    return f"{found} exists" if found else None


RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule("Unit tests written", _accepted_test),
    EvidenceRule("API contract defined (OpenAPI)", _openapi_file),
    EvidenceRule("Data model defined (DBML)", _dbml_file),
)
"""Every evidence rule; add one here to teach the checklist a new proof."""


def gather_evidence(root: Path, accepted_paths: Iterable[str], rules: Iterable[EvidenceRule] = RULES) -> dict[str, str]:
    """Run the rules against the repository.

    Args:
        root: The repository root.
        accepted_paths: Paths accepted this session (repo-relative).
        rules: The rules to run (all of `RULES` by default).

    Returns:
        Item text -> reason, for every rule that holds.
    """
    accepted = list(accepted_paths)
    proven: dict[str, str] = {}
    for rule in rules:
        reason = rule.check(root, accepted)
        if reason:
            proven[rule.item] = reason
    return proven
