"""The terminal UI on Textual: the app (owns the workspace and the session) and what it shows them with."""
