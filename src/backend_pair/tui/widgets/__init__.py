"""Widgets of the screens: conversation, review, checklist, prompt, status line and their parts."""
