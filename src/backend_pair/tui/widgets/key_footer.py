"""The footer of key bindings, without the watcher leak of Textual's own."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, dropping the data-bind watchers of the keys each recompose removes.

    Footer binds every FooterKey it composes to its ``compact`` reactive, and Textual drops a closed watcher only
    when that reactive changes, which it never does here. The footer recomposes whenever the bindings change (twice
    a turn: the prompt offers Esc only while a turn runs), so without this every key ever shown stays in memory,
    with its caches: about 0.3 MB a turn.
    """

    async def recompose(self) -> None:
        """Recompose, then forget the watchers of the keys that were removed."""
        await super().recompose()
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for name, watcher_list in watchers.items():
            watchers[name] = [
                (node, callback)
                for node, callback in watcher_list
                if not getattr(node, "_closing", False) and not getattr(node, "_closed", False)
            ]
