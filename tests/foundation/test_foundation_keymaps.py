"""Keymaps: the defaults are the contract's, every file is documented, bad files name their line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_pair.keymaps.ids import BINDINGS, BUILTIN_KEYMAPS, DEFAULT_KEYS, TABLE, markdown_table
from backend_pair.keymaps.loader import (
    KeymapError,
    builtin_keymap_path,
    load_keymap,
    normalize_key,
    normalize_keys,
    read_keymap_file,
    user_keymap_path,
)

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"
ERROR_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<message>\S.*)$")


def write(tmp_path: Path, text: str, name: str = "keys.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def keymap_error(base: str, user_file: Path | None = None) -> KeymapError:
    with pytest.raises(KeymapError) as caught:
        load_keymap(base, user_file)
    assert "\n" not in str(caught.value)
    return caught.value


def test_default_keymap_the_template_and_the_contract_are_the_table() -> None:
    assert load_keymap("default", None) == DEFAULT_KEYS
    template = read_keymap_file(builtin_keymap_path("default"))
    assert {binding_id: entry.keys for binding_id, entry in template.items()} == DEFAULT_KEYS
    assert markdown_table() in CONTRACTS.read_text(encoding="utf-8"), (
        "docs/contracts.md: run keymaps.ids.markdown_table()"
    )
    assert set(BINDINGS) == set(TABLE)


@pytest.mark.parametrize("name", [name for name in BUILTIN_KEYMAPS if name != "default"])
def test_vim_and_emacs_hold_only_what_differs_from_the_default(name: str) -> None:
    entries = read_keymap_file(builtin_keymap_path(name))
    assert entries and set(entries) <= set(TABLE)
    assert all(entry.keys != DEFAULT_KEYS[binding_id] for binding_id, entry in entries.items())


@pytest.mark.parametrize("name", BUILTIN_KEYMAPS)
def test_builtin_keymaps_comment_every_binding(name: str) -> None:
    path = builtin_keymap_path(name)
    assert set(read_keymap_file(path)) <= set(TABLE)
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            assert re.search(r'"\s+#\s+\S', line), f"{name}.toml: uncommented binding: {line}"
    header = path.read_text(encoding="utf-8").split("\n\n")[0]
    assert "single chord" in header.lower() or "single-chord" in header.lower() or "sequences" in header.lower()


def test_vim_and_emacs_keep_the_essentials_and_add_their_own() -> None:
    vim = load_keymap("vim", None)
    emacs = load_keymap("emacs", None)
    assert vim["review.next_hunk"].split(",")[0] == "j"
    assert "x" in vim["review.reject_hunk"].split(",")
    assert "ctrl+g" in emacs["prompt.cancel"].split(",")
    assert emacs["review.accept_hunk"].startswith("s")
    for keymap in (vim, emacs):
        assert keymap["app.quit"] == "ctrl+q"
        assert keymap["approval.run_once"] == "y"


def test_user_file_layers_on_top_of_the_base(tmp_path: Path) -> None:
    user = write(tmp_path, '[review]\naccept_hunk = "enter"\n"reject_hunk" = "backspace"\n')
    keymap = load_keymap("vim", user)
    assert keymap["review.accept_hunk"] == "enter"
    assert keymap["review.reject_hunk"] == "backspace"
    assert keymap["review.next_hunk"] == "j,n,right_square_bracket"


def test_top_level_quoted_ids_and_literal_characters(tmp_path: Path) -> None:
    base = write(tmp_path, '"app.help" = "?, F1"\n"review.copy" = ["Y", "ctrl+shift+c"]\n')
    keymap = load_keymap(str(base), None)
    assert keymap["app.help"] == "question_mark,f1"
    assert keymap["review.copy"] == "Y,ctrl+shift+c"


def test_missing_user_file_is_ignored(tmp_path: Path) -> None:
    assert load_keymap("default", tmp_path / "absent.toml") == DEFAULT_KEYS


def test_user_keymap_path_is_in_the_config_folder() -> None:
    assert user_keymap_path() == Path.home() / ".config" / "backend-pair" / "keymap.toml"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('[app]\nquit = "ctrl+q"\nquiet = "q"\n', 3, "unknown binding id `app.quiet` (did you mean `app.quit`?)"),
        ('"review.nope" = "x"\n', 1, "unknown binding id `review.nope`"),
        ('"app.\\nquit" = "x"\n', 1, "unknown binding id `app.\\nquit`"),
        ('[review]\n\n# comment\naccept_hunk = "ctrl+"\n', 4, "ends with '+'"),
        ('[review]\naccept_hunk = "cmd+a"\n', 2, "unknown modifier 'cmd'"),
        ('[review]\naccept_hunk = "enterr"\n', 2, "unknown key 'enterr' (did you mean `enter`?)"),
        ('[review]\naccept_hunk = "a,,b"\n', 2, "empty key"),
        ('[review]\naccept_hunk = ""\n', 2, "empty key"),
        ("[review]\naccept_hunk = 5\n", 2, "must be a string of keys"),
        ('[review]\naccept_hunk = "ctrl+ctrl+a"\n', 2, "repeated"),
        ('[review]\naccept_hunk = "ctrl+R"\n', 2, "lower case"),
        ('[review]\naccept_hunk = "a"\nreject_hunk = "a"\n', 3, "`a` is bound to both"),
        ('[review]\naccept_hunk = "ctrl+q"\n', 2, "`ctrl+q` is bound to both `app.quit` and `review.accept_hunk`"),
        ('[review]\naccept_hunk = "a"\n[review.x]\ny = "b"\n', 3, "is a table"),
        ('[review\naccept_hunk = "a"\n', 1, "TOML syntax error"),
        ('# inline table\n\nreview = { accept_hunk = "cmd+a" }\n', 3, "unknown modifier"),
        ('[review]\naccept_hunk = "a"\nreject_hunk = \n', 3, "TOML syntax error"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, text)
    error = keymap_error("default", path)
    assert str(error).startswith(f"{path}:{line}: "), str(error)
    assert fragment in str(error)


def test_conflict_with_the_base_blames_the_user_line(tmp_path: Path) -> None:
    path = write(tmp_path, '\n[review]\naccept_hunk = "d"\n')
    assert str(keymap_error("default", path)).startswith(f"{path}:3: `d` is bound to both")


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert str(keymap_error(str(missing))) == f"{missing}:1: no such keymap file"
    assert "unknown keymap" in str(keymap_error("colemak"))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b'[app]\nquit = "\xff"\n')
    assert str(keymap_error("default", binary)).startswith(f"{binary}:1: not UTF-8")
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    assert str(keymap_error("default", folder)).startswith(f"{folder}:1: is a directory")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ctrl+r", "ctrl+r"),
        ("Ctrl+r", "ctrl+r"),
        ("shift+ctrl+up", "ctrl+shift+up"),
        ("right_square_bracket", "right_square_bracket"),
        ("]", "right_square_bracket"),
        ("A", "A"),
        ("F1", "f1"),
        ("?", "question_mark"),
        ("+", "plus"),
        ("alt+p", "alt+p"),
        ("é", "é"),
    ],
)
def test_normalize_key(key: str, expected: str) -> None:
    assert normalize_key(key) == expected


KEY_PIECES = st.sampled_from(
    ["ctrl", "shift", "alt", "meta", "a", "A", "?", "]", "enter", "f13", "up", "comma", "question_mark", "x", "9"]
)
KEYS = st.lists(st.lists(KEY_PIECES, min_size=1, max_size=3).map("+".join), min_size=1, max_size=3).map(",".join)


@settings(derandomize=True, deadline=None)
@given(keys=KEYS)
def test_normalisation_is_idempotent(keys: str) -> None:
    try:
        once = normalize_keys(keys)
    except ValueError:
        return
    assert normalize_keys(once) == once


IDS = st.sampled_from([*BINDINGS, "app.nope", "review", "x.y.z"])
VALUES = st.one_of(KEYS, st.text(max_size=12), st.integers(), st.booleans())
LINES = st.one_of(
    st.builds(lambda i, v: f"{i} = {v!r}".replace("'", '"'), IDS, VALUES),
    st.builds(lambda i, v: f'"{i}" = "{v}"', IDS, KEYS),
    st.sampled_from(["[app]", "[review]", "[checklist]", "# comment", "", "[[x]]", "= 1", "[app", 'quit = "'])
    | st.text(max_size=20),
)


@settings(
    derandomize=True, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(lines=st.lists(LINES, max_size=10))
def test_fuzzed_keymap_files_load_or_fail_with_a_located_error(tmp_path: Path, lines: list[str]) -> None:
    text = "\n".join(lines)
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        keymap = load_keymap("default", path)
    except KeymapError as error:
        match = ERROR_LINE.match(str(error))
        assert match is not None, str(error)
        assert match["file"] == str(path)
        assert 1 <= int(match["line"]) <= max(1, len(text.splitlines()) + 1)
    else:
        assert set(keymap) == set(BINDINGS)
        assert all(normalize_keys(keys) == keys for keys in keymap.values())


def test_key_names_agree_with_textual() -> None:
    """The loader copies Textual's naming (the headless core may not import it); this catches drift."""
    from textual.keys import Keys, _character_to_key

    from backend_pair.keymaps.loader import NAMED_KEYS, character_key

    for code in range(33, 127):
        assert character_key(chr(code)) == _character_to_key(chr(code))
    textual_names = {key.value for key in Keys}
    assert textual_names >= NAMED_KEYS


def test_the_readme_names_every_binding_of_the_table() -> None:
    readme = (CONTRACTS.parents[1] / "README.md").read_text(encoding="utf-8")
    keys_section = readme.split("## Keys", 1)[1].split("\n## ", 1)[0]
    missing = [binding_id for binding_id in TABLE if f"`{binding_id}`" not in keys_section]
    assert missing == [], f"README's key table lacks {missing}"
