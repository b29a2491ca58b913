"""Grep and Glob over the repository as the agent sees it: tracked and unignored files, proposals applied."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from backend_pair.agents.references import Reference, grep_references, visible_references
from backend_pair.agents.tools.base import (
    MAX_PATH_CHARS,
    ToolContext,
    ToolInputError,
    ToolResult,
    optional_bool,
    optional_int,
    optional_str,
    require_str,
)

MAX_OUTPUT_CHARS = 30_000
MAX_GLOB_RESULTS = 200
MAX_MATCH_LINE_CHARS = 500
FILE_TYPES = {
    "py": ("*.py", "*.pyi"),
    "js": ("*.js", "*.mjs", "*.cjs", "*.jsx"),
    "ts": ("*.ts", "*.tsx"),
    "go": ("*.go",),
    "rust": ("*.rs",),
    "java": ("*.java",),
    "md": ("*.md", "*.markdown"),
    "yaml": ("*.yaml", "*.yml"),
    "json": ("*.json",),
    "toml": ("*.toml",),
    "sql": ("*.sql",),
    "sh": ("*.sh", "*.bash"),
}


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob (``**``, ``*``, ``?``, ``[...]``, ``{a,b}``) to a regex over POSIX relative paths."""
    return re.compile(_translate(pattern) + r"\Z", re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif char == "{" and "}" in pattern[i:]:
            end = _closing_brace(pattern, i)
            options = _split_top_level(pattern[i + 1 : end])
            out.append("(?:" + "|".join(_translate(option) for option in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _closing_brace(pattern: str, start: int) -> int:
    depth = 0
    for index in range(start, len(pattern)):
        if pattern[index] == "{":
            depth += 1
        elif pattern[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(pattern) - 1


def _split_top_level(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in body:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (char == "{") - (char == "}")
        current += char
    parts.append(current)
    return parts


def _scope(ctx: ToolContext, data: dict[str, Any]) -> tuple[str, list[str], list[Reference]]:
    """The search directory (``""`` = root), the files under it (or the one file ``path`` names), and the bundled
    defaults under it that the repository does not override."""
    raw = optional_str(data, "path", max_chars=MAX_PATH_CHARS)
    files = ctx.workspace.list_files()
    references = visible_references(files)
    if raw is None or raw.strip() in ("", "."):
        return "", files, references
    rel = ctx.workspace.resolve(raw).strip("/")
    if rel in ("", "."):
        return "", files, references
    if rel in files:
        return rel.rpartition("/")[0], [rel], []
    prefix = rel + "/"
    inside = [path for path in files if path.startswith(prefix)]
    bundled = [r for r in references if r.path.startswith(prefix)]
    if not inside and not bundled and not (ctx.workspace.root / rel).is_dir():
        raise ToolInputError(f"path {raw!r} does not exist in the repository")
    return rel, inside, bundled


def _bundled_section(paths: list[str]) -> str:
    """Results that come from bundled defaults, after the repository's, saying how to override them."""
    lines = "\n".join(paths)
    return (
        "Bundled defaults (not in the repository; backend-pair shows them in place of the missing files — add your "
        f"own file at the same path to override):\n{lines}"
    )


def _refuse_escape(ctx: ToolContext, key: str, pattern: str) -> None:
    """A pattern that reaches outside the repository is an error naming why, never "No files found".

    Raises:
        ToolInputError: The pattern is absolute outside the repository, or climbs out with ``..``.
    """
    if pattern.startswith("/"):
        raise ToolInputError(
            f"`{key}` {pattern!r} is outside the repository {ctx.workspace.root}; only files inside it can be searched"
        )
    if ".." in pattern.replace("\\", "/").split("/"):
        raise ToolInputError(
            f"`{key}` {pattern!r} climbs out with '..'; only files inside the repository {ctx.workspace.root} can be "
            "searched (give paths relative to its root)"
        )


def _relative_to(directory: str, path: str) -> str:
    return path[len(directory) + 1 :] if directory else path


def run_glob(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Glob {pattern, path?}``: matching repo-relative paths, ignored files left out, proposed new files in."""
    pattern = require_str(data, "pattern")
    directory, files, references = _scope(ctx, data)
    root_prefix = str(ctx.workspace.root).rstrip("/") + "/"
    if pattern.startswith(root_prefix):
        pattern = pattern[len(root_prefix) :]
        directory = ""
    _refuse_escape(ctx, "pattern", pattern)
    regex = glob_to_regex(pattern.lstrip("./") if pattern.startswith("./") else pattern)
    matches = sorted(path for path in files if regex.match(_relative_to(directory, path)))
    matches = _readable(ctx, matches)
    bundled = sorted(r.path for r in references if regex.match(_relative_to(directory, r.path)))
    if not matches and not bundled:
        return ToolResult("No files found.")
    shown = matches[:MAX_GLOB_RESULTS]
    text = "\n".join(shown)
    if len(matches) > len(shown):
        text += f"\n… [{len(matches) - len(shown)} more; narrow the pattern or the path]"
    if bundled:
        text = "\n".join(part for part in (text, _bundled_section(bundled)) if part)
    return ToolResult(text)


def _type_filter(data: dict[str, Any]) -> list[re.Pattern[str]]:
    kind = optional_str(data, "type")
    if not kind:
        return []
    if kind not in FILE_TYPES:
        raise ToolInputError(f"unknown file type {kind!r}; known: {', '.join(sorted(FILE_TYPES))}")
    return [glob_to_regex("**/" + suffix) for suffix in FILE_TYPES[kind]]


def run_grep(ctx: ToolContext, data: dict[str, Any]) -> ToolResult:
    """``Grep {pattern, path?, glob?, type?, output_mode?, -i?, -n?, -A?, -B?, -C?, head_limit?}``.

    The workspace searches (``git grep`` over the working tree, the overlay on top), so ignored files stay out and
    pending proposals are seen.
    """
    pattern = require_str(data, "pattern")
    mode = optional_str(data, "output_mode") or "files_with_matches"
    if mode not in ("content", "files_with_matches", "count"):
        raise ToolInputError("`output_mode` must be one of content, files_with_matches, count")
    ignore_case = bool(optional_bool(data, "-i"))
    numbers = optional_bool(data, "-n")
    show_numbers = True if numbers is None else numbers
    context = optional_int(data, "-C", minimum=0, maximum=100) or 0
    before = optional_int(data, "-B", minimum=0, maximum=100) or context
    after = optional_int(data, "-A", minimum=0, maximum=100) or context
    head_limit = optional_int(data, "head_limit", minimum=0, maximum=10**6) or None
    path = optional_str(data, "path", max_chars=MAX_PATH_CHARS)
    glob = optional_str(data, "glob")
    if glob:
        _refuse_escape(ctx, "glob", glob)
    type_filters = _type_filter(data)
    hits = ctx.workspace.grep(pattern, path or None, glob or None, ignore_case)
    readable = set(_readable(ctx, sorted({rel for rel, _, _ in hits})))
    hits = [hit for hit in hits if hit[0] in readable]
    prefix = ctx.workspace.resolve(path).strip("/") if path and path.strip() not in ("", ".") else None
    references = {r.path: r for r in visible_references(ctx.workspace.list_files())}
    bundled_hits = grep_references(list(references.values()), pattern, prefix or None, glob or None, ignore_case)
    sources: list[tuple[list[tuple[str, int, str]], Callable[[str], str]]] = [
        (hits, ctx.workspace.read_text),
        (bundled_hits, lambda rel: references[rel].text),
    ]
    sections: list[list[str]] = []
    budget = head_limit
    for found_hits, text_of in sources:
        by_file: dict[str, list[tuple[int, str]]] = {}
        for rel, number, line in found_hits:
            if type_filters and not any(f.match(rel) for f in type_filters):
                continue
            by_file.setdefault(rel, []).append((number, line))
        out: list[str] = []
        for rel, found in by_file.items():
            if mode == "files_with_matches":
                out.append(rel)
            elif mode == "count":
                out.append(f"{rel}:{len(found)}")
            elif before or after:
                lines = text_of(rel).splitlines()
                hit_rows = [number - 1 for number, _ in found]
                out.extend(_content_lines(rel, lines, hit_rows, before, after, show_numbers))
            else:
                out.extend(_match_line(rel, number, line, show_numbers) for number, line in found)
            if budget and len(out) >= budget:
                out = [*out[:budget], f"… [stopped at head_limit={head_limit}]"]
                break
        sections.append(out)
        if budget:
            budget -= len(out)
            if budget <= 0:
                break
    repository, bundled = sections[0], sections[1] if len(sections) > 1 else []
    if not repository and not bundled:
        return ToolResult("No matches found.")
    text = "\n".join(part for part in ("\n".join(repository), _bundled_section(bundled) if bundled else "") if part)
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + "\n… [output cut; narrow the pattern, path or glob, or use head_limit]"
    return ToolResult(text)


def _readable(ctx: ToolContext, paths: list[str]) -> list[str]:
    """``paths`` without those a ``Read(...)`` deny rule covers (a search must not show what Read refuses)."""
    if not ctx.permissions.rules:
        return paths
    root = ctx.workspace.root
    return [rel for rel in paths if ctx.permissions.check_path("Read", rel, root) is None]


def _match_line(rel: str, number: int, line: str, numbers: bool) -> str:
    if len(line) > MAX_MATCH_LINE_CHARS:
        line = line[:MAX_MATCH_LINE_CHARS] + "…"
    return f"{rel}:{number}:{line}" if numbers else f"{rel}:{line}"


def _content_lines(path: str, lines: list[str], hits: list[int], before: int, after: int, numbers: bool) -> list[str]:
    """``path:12:match`` lines, context as ``path-11-line``, separate groups split by ``--``."""
    wanted: set[int] = set()
    for hit in hits:
        wanted.update(range(max(0, hit - before), min(len(lines), hit + after + 1)))
    hit_set = set(hits)
    out: list[str] = []
    previous = -2
    for index in sorted(wanted):
        if (before or after) and out and index != previous + 1:
            out.append("--")
        line = lines[index]
        if len(line) > MAX_MATCH_LINE_CHARS:
            line = line[:MAX_MATCH_LINE_CHARS] + "…"
        sep = ":" if index in hit_set else "-"
        out.append(f"{path}{sep}{index + 1}{sep}{line}" if numbers else f"{path}{sep}{line}")
        previous = index
    return out
