"""keymaps."""
