"""A small stand-in for ``backend_pair.workspace.Workspace`` (the contract's subset the agent loop uses)."""

from __future__ import annotations

import difflib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_pair.errors import BackendPairError


class PathRefused(BackendPairError):
    """Outside the repository, or in .git/."""


class FileRefused(BackendPairError):
    """Binary or undecodable."""


class FileNotFoundInRepo(BackendPairError):
    """No such file."""


@dataclass(frozen=True)
class Proposal:
    """A proposal as the tools see it."""

    path: str
    base: str | None
    proposed: str
    hunks: tuple[Any, ...] = field(default=())

    @property
    def is_new(self) -> bool:
        """Whether the file is new."""
        return self.base is None


class OverlayWorkspace:
    """Proposals in memory over the working tree; confinement like the real one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proposed: dict[str, Proposal] = {}
        self.feedback: list[str] = []

    def resolve(self, path: str) -> str:
        if "\x00" in path:
            raise PathRefused(f"{path!r}: NUL byte in path")
        candidate = Path(path)
        full = candidate if candidate.is_absolute() else self.root / candidate
        real, top = os.path.realpath(full), os.path.realpath(self.root)
        if real != top and not real.startswith(top + os.sep):
            raise PathRefused(f"{path}: outside the repository")
        rel = os.path.relpath(real, top).replace(os.sep, "/")
        if rel == ".git" or rel.startswith(".git/"):
            raise PathRefused(f"{path}: inside .git/")
        return rel

    def read_text(self, rel: str) -> str:
        if rel in self._proposed:
            return self._proposed[rel].proposed
        path = self.root / rel
        if not path.is_file():
            raise FileNotFoundInRepo(f"{rel}: no such file")
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            raise FileRefused(f"{rel}: binary file")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise FileRefused(f"{rel}: not UTF-8") from err

    def exists(self, rel: str) -> bool:
        return rel in self._proposed or (self.root / rel).is_file()

    def list_files(self) -> list[str]:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=self.root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return sorted({name for name in out.split("\0") if name} | set(self._proposed))

    def propose(self, rel: str, content: str) -> Proposal:
        path = self.root / rel
        base = path.read_text(encoding="utf-8") if path.is_file() else None
        matcher = difflib.SequenceMatcher(None, (base or "").splitlines(), content.splitlines())
        hunks = tuple(matcher.get_grouped_opcodes(3)) if base is not None else ("new",)
        proposal = Proposal(rel, base, content, hunks)
        self._proposed[rel] = proposal
        return proposal

    def proposals(self) -> list[Proposal]:
        return [self._proposed[key] for key in sorted(self._proposed)]

    def proposal(self, rel: str) -> Proposal | None:
        return self._proposed.get(rel)

    def take_feedback(self) -> str:
        text = "\n".join(self.feedback)
        self.feedback.clear()
        return text

    def to_json(self) -> dict[str, Any]:
        return {"files": [{"path": p.path, "base": p.base, "proposed": p.proposed} for p in self.proposals()]}

    def restore_json(self, data: dict[str, Any]) -> None:
        self._proposed = {
            entry["path"]: Proposal(entry["path"], entry["base"], entry["proposed"], ("restored",))
            for entry in data.get("files", [])
        }
