"""The git side of the workspace, through GitPython: listing, ignores, index entries, blobs, staging, grep."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git

from backend_pair.workspace.errors import GitFailed, IndexLocked, NotARepository

INDEX_LOCK_WAIT_SECONDS = 2.0
"""How long staging waits for another process to release ``.git/index.lock`` before giving up."""

_LOCK_MESSAGE = re.compile(r"index\.lock': File exists|Unable to create .*index\.lock")


@dataclass(frozen=True)
class IndexEntry:
    """One stage-0 entry of the index."""

    mode: str
    """Octal mode as git prints it (``100644``, ``100755``, ``120000``, ``160000``)."""
    sha: str
    """Hex object id of the staged blob."""


def open_repo(path: Path) -> tuple[git.Repo, Path]:
    """Open the repository whose working tree contains ``path``.

    Args:
        path: Any folder inside the working tree.

    Returns:
        The GitPython repository and the resolved working tree root.

    Raises:
        NotARepository: Missing folder, not inside a repository, or a bare repository.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise NotARepository(f"{folder}: no such folder; give the path of a git working tree")
    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotARepository(
            f"{folder.resolve()}: not a git repository; run `git init` there (or open a folder inside a repository)"
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        raise NotARepository(
            f"{folder.resolve()}: a bare repository has no working tree; clone it (`git clone {folder} DIR`) "
            "and open the clone"
        )
    return repo, Path(os.path.realpath(repo.working_tree_dir))


class GitRepository:
    """Thin, typed wrapper over the git commands the workspace needs. Not thread-safe: the workspace locks."""

    def __init__(self, repo: git.Repo, root: Path) -> None:
        """Wrap an open repository.

        Args:
            repo: The GitPython repository.
            root: Its resolved working tree root.
        """
        self.repo = repo
        self.root = root
        self.git_dir = Path(repo.git_dir)
        self._pcre: bool | None = None

    def close(self) -> None:
        """Stop GitPython's persistent helper processes."""
        self.repo.close()

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        ok_codes: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Run ``git ARGS`` in the working tree through ``repo.git``.

        Args:
            *args: Arguments after ``git``.
            stdin: Bytes fed to the command's standard input.
            ok_codes: Exit codes that are not failures.
            env: Variables added to git's environment (``GIT_INDEX_FILE`` for a private index).

        Returns:
            The exit code and the raw standard output.

        Raises:
            GitFailed: Any other exit code (with git's own message).
        """
        kwargs: dict[str, Any] = {
            "with_extended_output": True,
            "with_exceptions": False,
            "stdout_as_string": False,
            "strip_newline_in_stdout": False,
        }
        if env:
            kwargs["env"] = env
        command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args]  # honours GIT_PYTHON_GIT_EXECUTABLE
        if stdin is None:
            status, out, err = self.repo.git.execute(command, **kwargs)
        else:
            with tempfile.TemporaryFile() as handle:
                handle.write(stdin)
                handle.seek(0)
                status, out, err = self.repo.git.execute(command, istream=handle, **kwargs)
        if status not in ok_codes:
            message = err if isinstance(err, str) else bytes(err).decode("utf-8", "replace")
            first = message.strip().splitlines()[0] if message.strip() else f"exit code {status}"
            raise GitFailed(f"git {args[0] if args else ''} failed: {first}")
        return int(status), bytes(out or b"")

    def branch(self) -> str:
        """The current branch name (also on an unborn branch), or ``detached at SHA``."""
        status, out = self.run("symbolic-ref", "--quiet", "--short", "HEAD", ok_codes=(0, 1))
        if status == 0:
            return out.decode("utf-8", "replace").strip()
        _, sha = self.run("rev-parse", "--short", "HEAD")
        return f"detached at {sha.decode().strip()}"

    def head(self) -> str | None:
        """The commit id HEAD points at, or None on an unborn branch."""
        status, out = self.run("rev-parse", "-q", "--verify", "HEAD", ok_codes=(0, 1))
        return out.decode().strip() if status == 0 else None

    def submodule_paths(self) -> set[str]:
        """Paths of gitlink entries (submodules) in the index."""
        if not (self.root / ".gitmodules").exists():
            return set()
        _, out = self.run("ls-files", "-s", "-z")
        paths = set()
        for record in out.split(b"\0"):
            if record.startswith(b"160000 "):
                paths.add(record.split(b"\t", 1)[1].decode("utf-8", "surrogateescape"))
        return paths

    def list_files(self) -> list[str]:
        """Tracked files present on disk plus untracked files that are not ignored (no submodules, no nested repos)."""
        _, out = self.run("ls-files", "-z", "--cached", "--others", "--exclude-standard")
        _, deleted = self.run("ls-files", "-z", "--deleted")
        gone = set(deleted.split(b"\0"))
        submodules = self.submodule_paths()
        files = []
        for raw in out.split(b"\0"):
            if not raw or raw.endswith(b"/") or raw in gone:
                continue
            name = raw.decode("utf-8", "surrogateescape")
            if name not in submodules:
                files.append(name)
        return sorted(set(files))

    def ignored(self, paths: list[str]) -> set[str]:
        """Which of ``paths`` git ignores (tracked files never count as ignored)."""
        if not paths:
            return set()
        data = b"\0".join(p.encode("utf-8", "surrogateescape") for p in paths) + b"\0"
        _, out = self.run("check-ignore", "-z", "--stdin", stdin=data, ok_codes=(0, 1))
        return {raw.decode("utf-8", "surrogateescape") for raw in out.split(b"\0") if raw}

    def filter_attribute(self, path: str) -> str | None:
        """The git ``filter`` attribute of ``path`` (``lfs``, ...), or None when no filter applies."""
        _, out = self.run("check-attr", "-z", "filter", "--", path)
        parts = out.split(b"\0")
        value = parts[2].decode("utf-8", "replace") if len(parts) > 2 else "unspecified"
        return None if value in ("unspecified", "unset") else value

    def index_entries(self, paths: list[str]) -> dict[str, IndexEntry]:
        """Stage-0 index entries of ``paths`` (absent paths are missing from the result).

        Raises:
            GitFailed: A path has unresolved merge conflicts in the index.
        """
        if not paths:
            return {}
        _, out = self.run("--literal-pathspecs", "ls-files", "-s", "-z", "--", *paths)
        entries: dict[str, IndexEntry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, name_raw = record.split(b"\t", 1)
            mode, sha, stage = meta.decode().split()
            name = name_raw.decode("utf-8", "surrogateescape")
            if stage != "0":
                raise GitFailed(f"{name}: has unresolved merge conflicts in the index; resolve them with git first")
            entries[name] = IndexEntry(mode, sha)
        return entries

    def read_blob(self, sha: str) -> bytes:
        """The content of a blob.

        Raises:
            GitFailed: No such object (for instance pruned by ``git gc``).
        """
        try:
            data: bytes = self.repo.odb.stream(bytes.fromhex(sha)).read()
        except (git.exc.BadObject, ValueError):
            raise GitFailed(f"git object {sha} is missing from the repository") from None
        return data

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a blob (``git hash-object -w``, no filters) and return its id."""
        return self.write_blobs([data])[0]

    def write_blobs(self, blobs: list[bytes]) -> list[str]:
        """Store several blobs with one ``git hash-object -w --no-filters`` call; returns their ids in order."""
        if not blobs:
            return []
        if len(blobs) == 1:
            _, out = self.run("hash-object", "-w", "--no-filters", "--stdin", stdin=blobs[0])
            return [out.decode().strip()]
        with tempfile.TemporaryDirectory(prefix="bp-blobs-") as folder:
            names = []
            for number, data in enumerate(blobs):
                file = Path(folder) / str(number)
                file.write_bytes(data)
                names.append(str(file))
            _, out = self.run("hash-object", "-w", "--no-filters", "--stdin-paths", stdin="\n".join(names).encode())
        ids = out.decode().split()
        if len(ids) != len(blobs):
            raise GitFailed(f"git hash-object returned {len(ids)} ids for {len(blobs)} blobs")
        return ids

    def _wait_for_index_lock(self) -> None:
        lock = self.git_dir / "index.lock"
        deadline = time.monotonic() + INDEX_LOCK_WAIT_SECONDS
        while lock.exists():
            if time.monotonic() >= deadline:
                raise IndexLocked(
                    f"{lock} is held by another git process (waited {INDEX_LOCK_WAIT_SECONDS:g} s); nothing was "
                    "staged or written — retry when it finishes, or delete the lock if no git process is running"
                )
            time.sleep(0.05)

    def update_index(self, entries: dict[str, IndexEntry | None]) -> None:
        """Set (or remove, for ``None``) index entries in one ``git update-index --index-info`` call.

        Waits for ``.git/index.lock`` up to :data:`INDEX_LOCK_WAIT_SECONDS`; git itself writes the index
        atomically, so a failure leaves it untouched.

        Raises:
            IndexLocked: The lock stayed held.
        """
        if not entries:
            return
        lines = []
        for path, entry in entries.items():
            name = path.encode("utf-8", "surrogateescape")
            if entry is None:
                lines.append(b"0 " + b"0" * 40 + b"\t" + name + b"\0")
            else:
                lines.append(f"{entry.mode} {entry.sha}\t".encode() + name + b"\0")
        data = b"".join(lines)
        deadline = time.monotonic() + INDEX_LOCK_WAIT_SECONDS
        while True:
            self._wait_for_index_lock()
            try:
                self.run("update-index", "-z", "--index-info", stdin=data)
                return
            except GitFailed as err:
                if not _LOCK_MESSAGE.search(str(err)) or time.monotonic() >= deadline:
                    if _LOCK_MESSAGE.search(str(err)):
                        raise IndexLocked(
                            f"{self.git_dir / 'index.lock'} is held by another git process; nothing was staged"
                        ) from None
                    raise
                time.sleep(0.05)

    def has_pcre(self) -> bool:
        """Whether this git was built with PCRE (``git grep -P``)."""
        if self._pcre is None:
            status, _ = self.run("grep", "--no-index", "-q", "-P", "x", "--", "/dev/null", ok_codes=(0, 1, 128))
            self._pcre = status in (0, 1)
        return self._pcre

    def grep(self, pattern: str, pathspecs: list[str], ignore_case: bool) -> list[tuple[str, int, str]]:
        """``git grep`` over the working tree (tracked and untracked-not-ignored, text files only).

        Args:
            pattern: A regular expression (PCRE when available, else extended).
            pathspecs: Git pathspecs limiting the search (empty = everything).
            ignore_case: Case-insensitive match.

        Returns:
            ``(path, line number, line)`` triples in git's order.

        Raises:
            GitFailed: An invalid pattern (git's message says why).
        """
        args = ["grep", "--untracked", "-I", "-n", "-z", "--no-color", "-P" if self.has_pcre() else "-E"]
        if ignore_case:
            args.append("-i")
        args += ["-e", pattern, "--", *pathspecs]
        _, out = self.run(*args, ok_codes=(0, 1))
        results = []
        for row in out.split(b"\n"):
            parts = row.split(b"\0", 2)
            if len(parts) != 3:
                continue
            text = parts[2].decode("utf-8", "replace").removesuffix("\r")
            results.append((parts[0].decode("utf-8", "surrogateescape"), int(parts[1]), text))
        return results

    def merge_file(self, ours: str, base: str, theirs: str) -> tuple[str, bool]:
        """Three-way merge of texts with ``git merge-file -p``.

        Args:
            ours: The current version (the developer's disk content).
            base: The common ancestor.
            theirs: The other version (the proposal).

        Returns:
            The merged text (with conflict markers if any) and whether it merged cleanly.
        """
        with tempfile.TemporaryDirectory(prefix="bp-merge-") as folder:
            names = []
            for label, text in (("ours", ours), ("base", base), ("theirs", theirs)):
                file = Path(folder) / label
                file.write_bytes(text.encode("utf-8", "surrogatepass"))
                names.append(str(file))
            status, out = self.run(
                "merge-file", "-p", "-L", "disk", "-L", "base", "-L", "proposal", *names, ok_codes=tuple(range(0, 128))
            )
        return out.decode("utf-8", "surrogateescape"), status == 0
