"""Confinement: every path the agent names must resolve to a place inside the working tree, outside ``.git/``."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from backend_pair.workspace.errors import FileRefused, PathRefused
from backend_pair.workspace.gitrepo import GitRepository

_GIT_SHORT_NAME = re.compile(r"git~\d+", re.IGNORECASE)


def is_git_name(part: str) -> bool:
    """Whether a path component names the repository's ``.git`` on some file system.

    Not a string compare: case-insensitive file systems (macOS, Windows) open ``.GIT`` as ``.git``; Windows drops
    trailing dots and spaces (``.git.``, ``.git ``); and its 8.3 short name is ``GIT~1``. Git itself refuses all of
    these in a tree; so does backend-pair, on every system.
    """
    return part.rstrip(". ").casefold() == ".git" or _GIT_SHORT_NAME.fullmatch(part.rstrip(". ")) is not None


def has_git_part(rel: str) -> bool:
    """Whether any component of ``rel`` names ``.git`` (see :func:`is_git_name`)."""
    return any(is_git_name(part) for part in PurePosixPath(rel).parts)


def confine(root: Path, path: str) -> str:
    """Resolve ``path`` (relative to ``root`` or absolute inside it) to a repo-relative POSIX path.

    Symlinks are followed: a link inside the repository to a file inside it resolves to the target's path (so a
    write replaces the target, not the link); a link leading out is refused.

    Args:
        root: The working tree root, already fully resolved.
        path: What the agent or the developer typed.

    Returns:
        The repo-relative POSIX path, or ``"."`` for the root itself.

    Raises:
        PathRefused: Empty path, ``..`` escaping the root, absolute elsewhere, a symlink leading out, or anything
            under ``.git/``.
    """
    text = path.strip()
    if not text:
        raise PathRefused("empty path; give a path relative to the repository root")
    if "\x00" in text:
        raise PathRefused(f"{path!r}: path contains a NUL byte")
    candidate = Path(text)
    joined = candidate if candidate.is_absolute() else root / candidate
    lexical = Path(os.path.normpath(joined))
    real = Path(os.path.realpath(joined))
    try:
        lexical_rel = lexical.relative_to(root).as_posix()
    except ValueError:
        # An absolute path through a symlinked parent of the root (``/tmp`` -> ``/private/tmp``) is still inside.
        if not candidate.is_absolute() or not real.is_relative_to(root):
            raise PathRefused(f"{path}: outside the repository {root}") from None
        lexical_rel = real.relative_to(root).as_posix()
    if has_git_part(lexical_rel):
        raise PathRefused(f"{path}: inside .git/, which the pair never reads or writes")
    try:
        real_rel = real.relative_to(root).as_posix()
    except ValueError:
        raise PathRefused(f"{path}: a symlink leads outside the repository (to {real})") from None
    if has_git_part(real_rel):
        raise PathRefused(f"{path}: a symlink leads into .git/, which the pair never reads or writes")
    return real_rel if real_rel else "."


def check_proposable(git: GitRepository, rel: str) -> None:
    """Refuse a confined path the agent may not propose.

    Refused: the root, a submodule's insides, a path under a file, a file with a git ``filter`` attribute (Git
    LFS and the like: the staged form is not the file's text), and a file git ignores (accepting always stages,
    and force-adding an ignored file such as ``.env`` would surprise the developer).

    Raises:
        FileRefused: With the reason and what to do instead.
    """
    if rel == ".":
        raise FileRefused("the repository root is a folder, not a file")
    for sub in git.submodule_paths():
        if rel == sub or rel.startswith(sub + "/"):
            raise FileRefused(f"{rel}: inside the submodule {sub}; edit it in that repository")
    parent = PurePosixPath(rel).parent
    while parent != PurePosixPath("."):
        if (git.root / parent).exists() and not (git.root / parent).is_dir():
            raise FileRefused(f"{rel}: {parent} is a file, so nothing can be created inside it")
        parent = parent.parent
    filter_name = git.filter_attribute(rel)
    if filter_name is not None:
        raise FileRefused(
            f"{rel}: goes through the git filter {filter_name!r} (.gitattributes), so its staged form differs from "
            "the file; backend-pair cannot stage exactly a hunk of it"
        )
    if rel in git.ignored([rel]):
        raise FileRefused(
            f"{rel}: ignored by git (.gitignore); backend-pair stages what you accept, so it does not propose "
            "ignored files — create it yourself or un-ignore it"
        )


def require_plain(root: Path, paths: list[str]) -> None:
    """Check that saved paths (from a journal) are plain repo-relative paths that confine to themselves.

    Raises:
        PathRefused: A path escapes, goes through a symlink, or is not in its plain form.
    """
    for path in paths:
        try:
            plain = confine(root, path) == path
        except PathRefused:
            plain = False
        if not plain:
            raise PathRefused(f"saved workspace state names {path!r}, which is not a plain repository path")
