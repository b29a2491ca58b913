"""Keymaps: binding id -> keys, as TOML files (default, vim, emacs) plus a validating loader."""

from backend_pair.keymaps.ids import BINDINGS, BUILTIN_KEYMAPS
from backend_pair.keymaps.loader import Keymap, KeymapError, load_keymap, user_keymap_path

__all__ = ["BINDINGS", "BUILTIN_KEYMAPS", "Keymap", "KeymapError", "load_keymap", "user_keymap_path"]
