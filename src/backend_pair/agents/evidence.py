"""Evidence rules: checklist items that the repository itself can prove done, as data."""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backend_pair.agents.contracts import ContractCheck, ContractKind, check_contract

SKIPPED_DIRS: frozenset[str] = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", "__pycache__", ".tox", ".nox", ".mypy_cache"}
    | {".pytest_cache", ".ruff_cache", "dist", "build", ".idea", ".vscode", "vendor", "target", ".next", "coverage"}
)
"""Folders never searched for evidence: version control, dependencies, caches and build output."""

MAX_FILES_VISITED = 20_000
"""Stop walking a huge repository after this many files: evidence is a convenience, not an audit."""

MAX_SPEC_BYTES = 2_000_000
"""Contract files larger than this are not read."""

TEST_PATH_PATTERNS: tuple[str, ...] = ("test_*.py", "*_test.py", "*_test.go", "*.test.*", "*.spec.*", "*Test.java")
"""File names that look like tests (besides anything under a `tests/` or `test/` folder)."""

TEST_DIRS: frozenset[str] = frozenset({"tests", "test", "__tests__", "spec"})
"""Folder names whose files count as tests."""

OPENAPI_PATTERNS: tuple[str, ...] = ("openapi.yaml", "openapi.yml", "*openapi*.yaml", "*openapi*.yml", "*openapi*.json")
"""File names that may hold an OpenAPI document (compared case-insensitively)."""


@dataclass(frozen=True)
class Finding:
    """What a rule found: proof that the item is done, or the problem that keeps it open."""

    reason: str
    """Shown on the item: ``tests/test_orders.py accepted``, or ``openapi.yaml:12: 'version' is a required ...``."""
    proven: bool = True
    """True when the item is done; False when the reason is a problem to fix (an invalid contract)."""


Check = Callable[[Path, list[str]], Finding | None]
"""A rule's test: (repository root, accepted paths) -> what it found, or None when there is nothing to say."""


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


def _accepted_test(root: Path, accepted: list[str]) -> Finding | None:
    test = next((path for path in accepted if looks_like_test(path)), None)
    return Finding(f"{test} accepted") if test else None


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


@functools.lru_cache(maxsize=256)
def _checked(path: Path, relative: str, mtime_ns: int, size: int) -> ContractCheck | None:
    """Validate one file; cached by its modification time and size, so an unchanged spec is validated once."""
    if size > MAX_SPEC_BYTES:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return check_contract(relative, text)


def check_contract_file(root: Path, relative: str) -> ContractCheck | None:
    """Validate the contract at ``root/relative`` (OpenAPI 3.x or DBML); None when it is not one or unreadable."""
    path = root / relative
    try:
        info = path.stat()
    except OSError:
        return None
    return _checked(path, relative, info.st_mtime_ns, info.st_size)


def _contract_finding(
    root: Path, accepted: list[str], kind: ContractKind, wanted: Callable[[str], bool]
) -> Finding | None:
    """Proof from the first valid contract of ``kind`` (accepted files first), else the first one's problem."""
    candidates = [path for path in walk_files(root) if wanted(path)]
    chosen = set(accepted)
    candidates.sort(key=lambda path: path not in chosen)
    problem: str | None = None
    for relative in candidates:
        check = check_contract_file(root, relative)
        if check is None or check.kind is not kind:
            continue
        if check.valid:
            what = f"OpenAPI {check.version}" if kind is ContractKind.OPENAPI else "DBML"
            return Finding(f"{relative} validates as {what}")
        problem = problem or check.problem
    return Finding(problem, proven=False) if problem else None


def _openapi_name(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in OPENAPI_PATTERNS)


def _openapi_file(root: Path, accepted: list[str]) -> Finding | None:
    return _contract_finding(root, accepted, ContractKind.OPENAPI, _openapi_name)


def _dbml_file(root: Path, accepted: list[str]) -> Finding | None:
    return _contract_finding(root, accepted, ContractKind.DBML, lambda path: path.lower().endswith(".dbml"))


RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule("Unit tests written", _accepted_test),
    EvidenceRule("API contract defined (OpenAPI)", _openapi_file),
    EvidenceRule("Data model defined (DBML)", _dbml_file),
)
"""Every evidence rule; add one here to teach the checklist a new proof."""


def gather_evidence(
    root: Path, accepted_paths: Iterable[str], rules: Iterable[EvidenceRule] = RULES
) -> dict[str, Finding]:
    """Run the rules against the repository.

    Args:
        root: The repository root.
        accepted_paths: Paths accepted this session (repo-relative).
        rules: The rules to run (all of `RULES` by default).

    Returns:
        Item text -> finding, for every rule that found something (a proof or a problem).
    """
    accepted = list(accepted_paths)
    found: dict[str, Finding] = {}
    for rule in rules:
        finding = rule.check(root, accepted)
        if finding is not None:
            found[rule.item] = finding
    return found
