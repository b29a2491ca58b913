"""Screens: the main three-pane screen and the modal ones laid over it."""
