"""Project memory as Claude Code reads it: ``CLAUDE.md`` files (else ``AGENTS.md``) with their ``@path`` imports.

Order in the system prompt, general first so that the more specific text comes last (and wins, as in Claude Code):
``~/.claude/CLAUDE.md``, then for each folder from the repository root down to the working directory its
``CLAUDE.md`` (at the root also ``.claude/CLAUDE.md``) and its ``CLAUDE.local.md``. When the repository holds no
``CLAUDE.md`` in any of those places, its ``AGENTS.md`` files are read in their place.

An ``@path`` in a memory file (outside code) imports that file right after the one naming it: relative to the
importing file's folder, or ``@~/...`` from the home folder. Imports stay inside the repository or ``~/.claude/``
(for repository files) or the home folder (for the user's file), never under ``.git/``, at most
:data:`MAX_IMPORT_DEPTH` hops deep, each file once. A missing or refused import is noted, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from backend_pair.workspace.paths import is_git_name

MAX_IMPORT_DEPTH = 5
"""Import hops followed from a memory file (Claude Code's limit)."""

MAX_MEMORY_BYTES = 256 * 1024
"""A memory file larger than this is skipped (with a note): it would crowd out the conversation."""

_IMPORT = re.compile(r"(?<![\w`@])@((?:~/)?[A-Za-z0-9_.][A-Za-z0-9_./\-]*)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")


@dataclass(frozen=True)
class MemoryFile:
    """One file read into the system prompt."""

    path: Path
    """Where it was read from."""
    label: str
    """How it is named to the developer and the model: repository-relative, or ``~/...``."""
    text: str
    """Its content."""
    imported_by: str = ""
    """The label of the file whose ``@path`` imported it (``""`` for a file read for its own name)."""


@dataclass(frozen=True)
class ProjectMemory:
    """The memory files in use, in prompt order, and notes on imports that could not be followed."""

    files: tuple[MemoryFile, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """The files' labels, in prompt order."""
        return tuple(memory.label for memory in self.files)

    def prompt_text(self) -> str:
        """The text that follows the agent's body in the system prompt (``""`` when there is no memory)."""
        if not self.files:
            return ""
        parts = [
            "Project memory follows: instructions the developer keeps in memory files (CLAUDE.md and the files "
            "they import), general first, the most specific last."
        ]
        for memory in self.files:
            origin = f" (imported by {memory.imported_by})" if memory.imported_by else ""
            parts.append(f'<memory-file path="{memory.label}"{origin}>\n{memory.text.strip()}\n</memory-file>')
        return "\n\n".join(parts)

    def describe(self) -> str:
        """One line for the developer: which memory files are in use."""
        if not self.files:
            return "memory: none (no CLAUDE.md, CLAUDE.local.md, AGENTS.md or ~/.claude/CLAUDE.md)"
        return "memory: " + ", ".join(self.labels)


def load_memory(root: Path, cwd: Path | None = None, home: Path | None = None) -> ProjectMemory:
    """Read the memory files of the repository at ``root`` for a session started in ``cwd``.

    Args:
        root: The repository root.
        cwd: The working directory; folders from ``root`` down to it are read (``root`` alone when ``None`` or
            outside the repository).
        home: The home folder (default ``Path.home()``).

    Returns:
        The files in prompt order and notes on what could not be read.
    """
    root = root.resolve()
    home = (home or Path.home()).resolve()
    loader = _Loader(root, home)
    loader.add(home / ".claude" / "CLAUDE.md", home)
    folders = _folders(root, cwd)
    names = ["CLAUDE.md"] if _has_claude_md(root, folders) else ["AGENTS.md"]
    for folder in folders:
        for name in names:
            loader.add(folder / name, root)
            if folder == root and name == "CLAUDE.md":
                loader.add(root / ".claude" / "CLAUDE.md", root)
        loader.add(folder / "CLAUDE.local.md", root)
    return ProjectMemory(tuple(loader.files), tuple(loader.notes))


def _folders(root: Path, cwd: Path | None) -> list[Path]:
    """The repository root, then each folder down to ``cwd`` (when it is inside the repository)."""
    folders = [root]
    if cwd is None:
        return folders
    here = cwd.resolve()
    if here == root or not here.is_relative_to(root):
        return folders
    current = root
    for part in here.relative_to(root).parts:
        if is_git_name(part):
            break
        current = current / part
        folders.append(current)
    return folders


def _has_claude_md(root: Path, folders: list[Path]) -> bool:
    candidates = [folder / "CLAUDE.md" for folder in folders] + [root / ".claude" / "CLAUDE.md"]
    return any(candidate.is_file() for candidate in candidates)


class _Loader:
    """Collects memory files and follows their imports, each file once."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.files: list[MemoryFile] = []
        self.notes: list[str] = []
        self._seen: set[Path] = set()

    def label(self, path: Path) -> str:
        if path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        if path.is_relative_to(self.home):
            return "~/" + path.relative_to(self.home).as_posix()
        return str(path)

    def add(self, path: Path, confine: Path, imported_by: str = "", depth: int = 0) -> None:
        """Read ``path`` (silently absent when it is not an import) and the files it imports."""
        if not path.is_file():
            if imported_by:
                self.notes.append(f"{imported_by}: @{self._shown(path)} not found")
            return
        real = path.resolve()
        if not self._allowed(real, confine):
            where = "the repository (or ~/.claude)" if confine == self.root else "the home folder"
            self.notes.append(f"{imported_by or self.label(path)}: {self._shown(path)} is outside {where}; not read")
            return
        if real in self._seen:
            return
        self._seen.add(real)
        label = self.label(real)
        try:
            if real.stat().st_size > MAX_MEMORY_BYTES:
                self.notes.append(f"{label}: larger than {MAX_MEMORY_BYTES // 1024} KiB; not read")
                return
            text = real.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.notes.append(f"{label}: not UTF-8 text; not read")
            return
        except OSError as err:
            self.notes.append(f"{label}: cannot be read ({err.strerror or err}); not read")
            return
        self.files.append(MemoryFile(real, label, text, imported_by))
        for target in _imports(text):
            if depth >= MAX_IMPORT_DEPTH:
                self.notes.append(f"{label}: @{target} not followed (imports nest deeper than {MAX_IMPORT_DEPTH})")
                continue
            base = self.home if target.startswith("~/") else real.parent
            self.add(base / target.removeprefix("~/"), confine, label, depth + 1)

    def _allowed(self, real: Path, confine: Path) -> bool:
        """Inside ``confine`` and not under ``.git/``; repository files may also import from ``~/.claude/``.

        ``~/.claude/`` is where Claude Code keeps personal instructions a project's ``CLAUDE.md`` imports
        (``@~/.claude/my-project.md``); the rest of the home folder (``~/.ssh``...) is out of a repository's reach.
        """
        areas = [confine] if confine != self.root else [self.root, self.home / ".claude"]
        return any(
            real.is_relative_to(area) and not any(is_git_name(part) for part in real.relative_to(area).parts)
            for area in areas
        )

    def _shown(self, path: Path) -> str:
        return self.label(Path(_normalise(path)))


def _normalise(path: Path) -> str:
    """``path`` with ``..`` folded away without following symlinks (for naming it)."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if len(parts) > 1:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return str(Path(*parts)) if parts else str(path)


def _imports(text: str) -> list[str]:
    """The ``@path`` targets of a memory file, in order, outside fenced code blocks and code spans."""
    targets: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in _IMPORT.finditer(_CODE_SPAN.sub("", line)):
            target = match.group(1).rstrip(".")
            if target and target not in targets:
                targets.append(target)
    return targets
