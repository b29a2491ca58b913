"""The review pane's diff: highlighting, rows (unified or side by side), the document drawn from them, conflicts,
word marks and wrapping."""
