"""Load and validate keymap files (TOML, binding id -> Textual key names), layered default < base < user."""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from backend_pair.errors import BackendPairError
from backend_pair.keymaps.ids import BINDINGS, BUILTIN_KEYMAPS, scope_of

Keymap = dict[str, str]
"""Binding id -> comma-separated Textual key names, e.g. `{"review.next_hunk": "right_square_bracket,j"}`."""

KEYMAP_DIR = Path(__file__).parent
"""Where the built-in keymaps (`default.toml`, `vim.toml`, `emacs.toml`) live."""

MODIFIERS: tuple[str, ...] = ("alt", "ctrl", "hyper", "meta", "shift", "super")
"""Modifier names Textual reports, in the (sorted) order it joins them: `ctrl+shift+up`."""

NAMED_KEYS: frozenset[str] = frozenset(
    ["escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown"]
    + ["up", "down", "left", "right"]
    + [f"f{number}" for number in range(1, 25)]
)
"""Non-character keys, by Textual's names."""

# Textual's friendlier names for some characters (textual.keys.KEY_NAME_REPLACEMENTS), copied because the
# headless core must not import Textual.
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key(character: str) -> str:
    """Textual's key name for a printable character: `?` -> `question_mark`, `a` -> `a`.

    Args:
        character: One character.

    Returns:
        The name Textual uses in bindings and key events.
    """
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return _REPLACEMENTS.get(name, name)


CHARACTER_KEYS: frozenset[str] = frozenset(character_key(chr(code)) for code in range(33, 127))
"""Names of the printable ASCII keys: letters, digits and punctuation names such as `right_square_bracket`."""


class KeymapError(BackendPairError):
    """A keymap that cannot be used; `str()` is `FILE:LINE: message` (or a single line without a file)."""

    def __init__(self, message: str, path: Path | None = None, line: int = 1) -> None:
        """Record where and what.

        Args:
            message: What is wrong.
            path: The keymap file, when the problem is in one.
            line: The 1-based line of the problem.
        """
        message = message.replace("\r", "\\r").replace("\n", "\\n")  # one line, even for an id with a newline
        super().__init__(f"{path}:{line}: {message}" if path is not None else message)
        self.path = path
        self.line = line
        self.message = message


def normalize_key(key: str) -> str:
    """Validate one key (no commas) and return Textual's spelling of it.

    Accepts Textual names (`ctrl+r`, `right_square_bracket`, `A`, `f1`, `question_mark`) and a literal
    printable character (`?` becomes `question_mark`). Modifiers are lower-cased and sorted as Textual sorts
    them (`shift+ctrl+up` becomes `ctrl+shift+up`); named keys are lower-cased; a lone letter keeps its case
    (`A` is shift+a) but takes a modifier only in lower case (`ctrl+r`, `ctrl+shift+r`), as Textual reports it.

    Args:
        key: One key, e.g. `ctrl+r`.

    Returns:
        The normalised key.

    Raises:
        ValueError: The key is not one Textual can report; the message says why.
    """
    text = key.strip()
    if not text:
        raise ValueError("empty key")
    if len(text) == 1:
        return _base_key(text)
    *modifiers, base = text.split("+")
    if not base:
        raise ValueError(f"{key!r} ends with '+' (write `plus` for the plus key)")
    seen: list[str] = []
    for modifier in modifiers:
        lowered = modifier.strip().lower()
        if lowered not in MODIFIERS:
            raise ValueError(f"unknown modifier {modifier!r} in {key!r} (use {', '.join(MODIFIERS)})")
        if lowered in seen:
            raise ValueError(f"modifier {lowered!r} repeated in {key!r}")
        seen.append(lowered)
    base = base.strip()
    if len(base) == 1 and base.isupper():
        # Textual reports a modified capital as `shift+` plus the lower-case letter, never as `ctrl+R`.
        lower = base.lower()
        raise ValueError(f"{key!r}: with a modifier write the letter in lower case ({lower!r}, or 'shift+{lower}')")
    return "+".join([*sorted(seen), _base_key(base)])


def _base_key(base: str) -> str:
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            raise ValueError(f"{base!r} is not a printable key (write `space`, `tab`, ...)")
        return character_key(base)
    lowered = base.lower()
    if lowered in NAMED_KEYS or lowered in CHARACTER_KEYS:
        return lowered
    hint = difflib.get_close_matches(lowered, sorted(NAMED_KEYS | CHARACTER_KEYS), n=1)
    suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
    raise ValueError(f"unknown key {base!r}{suggestion}")


def normalize_keys(keys: str) -> str:
    """Validate a comma-separated list of alternatives and return it normalised.

    Args:
        keys: E.g. `question_mark, f1`.

    Returns:
        E.g. `question_mark,f1`.

    Raises:
        ValueError: An alternative is empty or not a valid key.
    """
    parts = keys.split(",")
    if any(not part.strip() for part in parts):
        raise ValueError(f"empty key in {keys!r} (write `comma` for the comma key)")
    normalized: list[str] = []
    for part in parts:
        key = normalize_key(part)
        if key not in normalized:
            normalized.append(key)
    return ",".join(normalized)


@dataclass(frozen=True)
class KeymapEntry:
    keys: str
    path: Path
    line: int
    layer: int = 0


def builtin_keymap_path(name: str) -> Path:
    """The file of a built-in keymap (`default`, `vim`, `emacs`)."""
    return KEYMAP_DIR / f"{name}.toml"


def user_keymap_path() -> Path:
    """Where the user's own keymap layer lives: `keymap.toml` in the platformdirs config folder."""
    import platformdirs

    return Path(platformdirs.user_config_dir("backend-pair")) / "keymap.toml"


def load_keymap(base: str, user_file: Path | None) -> Keymap:
    """Build the active keymap: the default keys, then `base`, then the user's file on top.

    Every file may be partial: an id it does not mention keeps the key from the layer below.

    Args:
        base: `default`, `vim`, `emacs`, or a path to a keymap file.
        user_file: The user's layer (usually `user_keymap_path()`), or None; ignored when it does not exist.

    Returns:
        Every binding id mapped to its keys.

    Raises:
        KeymapError: A file is unreadable or invalid (unknown id, bad key, a key bound twice in one scope).
    """
    layers = [builtin_keymap_path("default")]
    if base != "default":
        if base in BUILTIN_KEYMAPS:
            layers.append(builtin_keymap_path(base))
        else:
            path = Path(base).expanduser()
            if not path.exists() and (path.suffix == ".toml" or "/" in base):
                raise KeymapError("no such keymap file", path)
            if not path.exists():
                names = ", ".join(BUILTIN_KEYMAPS)
                raise KeymapError(f"unknown keymap {base!r}: use {names} or the path of a .toml keymap file")
            layers.append(path)
    if user_file is not None and user_file.exists():
        layers.append(user_file)
    entries: dict[str, KeymapEntry] = {}
    for layer, path in enumerate(layers):
        entries.update({key: replace(entry, layer=layer) for key, entry in read_keymap_file(path).items()})
    missing = sorted(set(BINDINGS) - set(entries))
    if missing:
        raise KeymapError(f"the default keymap lacks {', '.join(missing)}", layers[0])
    _check_conflicts(entries)
    return {binding_id: entries[binding_id].keys for binding_id in BINDINGS}


def read_keymap_file(path: Path) -> dict[str, KeymapEntry]:
    """Read and validate one keymap file.

    Args:
        path: A TOML file of `id = "keys"` (top level, quoted ids) or `[scope]` tables of `name = "keys"`.

    Returns:
        The ids it sets, with their normalised keys and where they were set.

    Raises:
        KeymapError: The file is unreadable, not TOML, or sets an unknown id or an invalid key.
    """
    if path.is_dir():
        raise KeymapError("is a directory, not a keymap file", path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise KeymapError(f"not UTF-8 text (byte at offset {error.start}); save it as UTF-8", path) from None
    except OSError as error:
        raise KeymapError(f"cannot read: {error.strerror or error}", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else max(1, text.count("\n") + (not text.endswith("\n")))
        problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise KeymapError(f"TOML syntax error: {problem}", path, line) from None
    except RecursionError:
        raise KeymapError("TOML syntax error: nested too deeply", path) from None
    lines = _assignment_lines(text)
    entries: dict[str, KeymapEntry] = {}
    for binding_id, value in _flatten(path, data, lines):
        line = lines.get(binding_id) or lines.get(binding_id.split(".", 1)[0]) or 1
        if binding_id not in BINDINGS:
            hint = difflib.get_close_matches(binding_id, list(BINDINGS), n=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
            raise KeymapError(f"unknown binding id `{binding_id}`{suggestion}", path, line)
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            value = ",".join(value)
        if not isinstance(value, str):
            raise KeymapError(f'`{binding_id}` must be a string of keys such as "ctrl+r" or "a,f1"', path, line)
        try:
            keys = normalize_keys(value)
        except ValueError as error:
            raise KeymapError(f"`{binding_id}`: {error}", path, line) from None
        entries[binding_id] = KeymapEntry(keys, path, line)
    return entries


def _flatten(path: Path, data: dict[str, object], lines: dict[str, int]) -> list[tuple[str, object]]:
    flat: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                binding_id = f"{key}.{sub_key}"
                if isinstance(sub_value, dict):
                    line = lines.get(binding_id, lines.get(f"{binding_id}.{next(iter(sub_value), '')}", 1))
                    raise KeymapError(f"`{binding_id}` is a table; binding ids have two parts", path, line)
                flat.append((binding_id, sub_value))
        else:
            flat.append((key, value))
    return flat


_TABLE = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$")
_KEY_PART = re.compile(r"\s*(?:\"(?P<dq>(?:[^\"\\]|\\.)*)\"|'(?P<sq>[^']*)'|(?P<bare>[A-Za-z0-9_-]+))\s*")


def _parse_key_path(text: str) -> list[str] | None:
    """Split a TOML key (`a.b`, `"a.b"`, `a . 'b'`) into its parts, or None when it is not a key."""
    parts: list[str] = []
    position = 0
    while True:
        match = _KEY_PART.match(text, position)
        if not match:
            return None
        parts.append(
            match["dq"] if match["dq"] is not None else match["sq"] if match["sq"] is not None else match["bare"]
        )
        position = match.end()
        if position == len(text):
            return parts
        if text[position] != ".":
            return None
        position += 1


def _assignment_lines(text: str) -> dict[str, int]:
    """Map each dotted key assigned in the file (table prefix included) to its 1-based line.

    `tomllib` keeps no positions, so errors find their line by scanning the text. Multi-line strings are rare
    in keymaps; a line inside one that looks like an assignment can only make a message point at the wrong
    line, never hide an error.
    """
    found: dict[str, int] = {}
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header:
            table = _parse_key_path(header["name"]) or []
            found.setdefault(".".join(table), number)
            continue
        key_text, equals, _ = line.partition("=")
        if not equals:
            continue
        parts = _parse_key_path(key_text)
        if parts:
            found.setdefault(".".join([*table, *parts]), number)
    return found


def _check_conflicts(entries: dict[str, KeymapEntry]) -> None:
    """Refuse a key bound to two ids where both would be live: in one scope, or in `app` and any other scope.

    A focused widget's binding shadows the app's, so `app.*` keys must be free everywhere.
    """
    owners: dict[tuple[str, str], str] = {}
    for binding_id in BINDINGS:
        scope = scope_of(binding_id)
        for key in entries[binding_id].keys.split(","):
            other = owners.get((scope, key))
            if other is not None:
                _raise_conflict(key, other, binding_id, entries)
            owners[(scope, key)] = binding_id
    for (scope, key), owner in owners.items():
        app_owner = owners.get(("app", key))
        if scope != "app" and app_owner is not None:
            _raise_conflict(key, app_owner, owner, entries)


def _raise_conflict(key: str, first: str, second: str, entries: dict[str, KeymapEntry]) -> None:
    # Point at whichever of the two was set in the later layer: that is the line the user just wrote.
    blame = max(entries[first], entries[second], key=lambda entry: (entry.layer, entry.line))
    raise KeymapError(f"`{key}` is bound to both `{first}` and `{second}`", blame.path, blame.line)
