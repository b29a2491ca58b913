"""Bundled defaults for the references the Backend Engineer cites (`.ai/standards/openapi.md`, `stacks/...`).

The seed agent tells the model to follow `.ai/workflows/contract-driven.md`, `.ai/standards/openapi.md`,
`.ai/standards/dbml.md` and `stacks/<stack>/`. Most repositories have none of them, so Read, Glob and Grep show
short defaults written for backend-pair in their place, each marked as such. A repository file at the same path
(or any file in the same stack folder) always wins; defaults are never proposed, written or staged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from backend_pair.workspace.errors import WorkspaceError
from backend_pair.workspace.search import compile_pattern, expand_braces, grep_text, matches

REFERENCES: dict[str, str] = {
    ".ai/workflows/contract-driven.md": "contract-driven.md",
    ".ai/standards/openapi.md": "openapi.md",
    ".ai/standards/dbml.md": "dbml.md",
    "stacks/python-fastapi/README.md": "python-fastapi.md",
    "stacks/node-express/README.md": "node-express.md",
    "stacks/php-laravel/README.md": "php-laravel.md",
}
"""Repository path the agent may ask for -> bundled file in ``backend_pair/agents/references/``."""

STACK_FOLDERS: tuple[str, ...] = ("stacks/python-fastapi/", "stacks/node-express/", "stacks/php-laravel/")
"""Folders the seed cites as a whole: any repository file inside one hides its bundled default."""


class RepositoryFiles(Protocol):
    """What the references need from the workspace: which files the repository has."""

    def list_files(self) -> list[str]: ...


@dataclass(frozen=True)
class Reference:
    """A bundled default the agent sees in place of a missing repository file."""

    path: str
    """The repository path it stands in for."""
    text: str
    """Its content."""

    @property
    def notice(self) -> str:
        """The line that marks it in every result."""
        return f"[bundled default; add your own file at {self.path} to override]"


@functools.cache
def _text(name: str) -> str:
    return resources.files("backend_pair.agents").joinpath("references", name).read_text(encoding="utf-8")


def _hidden_by(path: str) -> str:
    """The repository path (a file, or a stack folder ending in ``/``) whose presence hides ``path``'s default."""
    return next((folder for folder in STACK_FOLDERS if path.startswith(folder)), path)


def visible_references(files: list[str]) -> list[Reference]:
    """The defaults the repository does not override, given its file list (proposed new files included)."""
    present = set(files)
    shown = []
    for path, name in REFERENCES.items():
        hider = _hidden_by(path)
        overridden = any(f.startswith(hider) for f in files) if hider.endswith("/") else hider in present
        if not overridden:
            shown.append(Reference(path, _text(name)))
    return shown


def find_reference(workspace: RepositoryFiles, rel: str) -> Reference | None:
    """The default standing in for ``rel`` (a file, or a stack folder), when the repository lacks it."""
    wanted = rel.strip("/")
    for reference in visible_references(workspace.list_files()):
        folder = _hidden_by(reference.path)
        if wanted == reference.path or (folder.endswith("/") and wanted == folder.rstrip("/")):
            return reference
    return None


def grep_references(
    references: list[Reference], pattern: str, prefix: str | None, glob: str | None, ignore_case: bool
) -> list[tuple[str, int, str]]:
    """``(path, line number, line)`` matches in the given defaults, filtered as the workspace's grep filters.

    Args:
        references: The visible defaults.
        pattern: A regular expression (Python ``re``; a pattern it cannot compile finds nothing here).
        prefix: The confined file or folder searched, None for everything.
        glob: The file name pattern, if any.
        ignore_case: Case-insensitive.
    """
    try:
        regex = compile_pattern(pattern, ignore_case)
    except WorkspaceError:
        return []
    globs = expand_braces(glob) if glob else []
    found: list[tuple[str, int, str]] = []
    for reference in references:
        path = reference.path
        is_file = prefix == path
        if prefix is not None and not is_file and not path.startswith(prefix + "/"):
            continue
        if matches(path, prefix, not is_file, globs):
            found.extend(grep_text(path, reference.text, regex))
    return found
