"""The footer of key bindings: the most important keys first, cut to the width, always ending with the help key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.events import Resize

FIRST: tuple[str, ...] = (
    "approval.run_once",
    "approval.always",
    "approval.deny",
    "approval.cancel",
    "prompt.send",
    "prompt.cancel",
    "review.accept_hunk",
    "review.reject_hunk",
    "review.next_hunk",
    "review.prev_hunk",
    "review.comment",
    "review.undo",
    "review.redo",
    "review.edit_hunk",
    "review.accept_file",
    "review.reject_file",
    "checklist.toggle",
    "conversation.expand",
    "conversation.copy",
    "app.focus_review",
    "app.focus_checklist",
    "prompt.newline",
    "app.quit",
)
"""Binding ids in the order the footer offers them when they are active (others follow in their own order)."""


class KeyEntry(NamedTuple):
    """A key the footer may show."""

    binding: Binding
    display: str
    description: str
    enabled: bool
    tooltip: str


HELP_ID = "app.help"
"""The binding the footer always ends with."""


def _is_typed(key: str) -> bool:
    """True for a key a text input types (``?``, ``a``), as opposed to a named key or chord (``f1``, ``ctrl+r``)."""
    return len(key) == 1 or key in ("question_mark", "space") or (len(key) > 1 and "+" not in key and key.isupper())


class KeyFooter(Footer):
    """The active keys, most important first, as many as fit, then the help key (never one a text input types).

    Also drops the data-bind watchers of the keys each recompose removes: Footer binds every FooterKey to its
    ``compact`` reactive, and Textual drops a closed watcher only when that reactive changes, which it never does
    here. The footer recomposes whenever the bindings change (twice a turn: the prompt offers Esc only while a turn
    runs), so without this every key ever shown stays in memory, with its caches: about 0.3 MB a turn.
    """

    def __init__(self) -> None:
        """A footer for the screen it is mounted on (a modal has its own, showing the modal's keys)."""
        super().__init__(show_command_palette=False)
        self._composed_width = 0
        self._composed: list[KeyEntry] | None = None

    def compose(self) -> ComposeResult:
        """The keys by importance while they fit, then help."""
        if not self._bindings_ready:
            return
        self._composed_width = self.size.width or self.app.size.width
        self._composed = self._plan(self._composed_width)
        for entry in self._composed:
            yield self._key(*entry)

    def _plan(self, width: int) -> list[KeyEntry]:
        """The keys to show at ``width``, left to right."""
        shown, help_key = self._ordered()
        used = 0 if help_key is None else _key_width(help_key.display, help_key.description)
        plan: list[KeyEntry] = []
        for entry in shown:
            needed = _key_width(entry.display, entry.description)
            if used + needed > width:
                break
            used += needed
            plan.append(entry)
        if help_key is not None:
            plan.append(help_key)
        return plan

    def _key(self, binding: Binding, display: str, description: str, enabled: bool, tooltip: str) -> FooterKey:
        """One key, born with the footer's ``compact`` value and class.

        FooterKey starts compact and the data binding then makes it match the footer: two restylings of every key on
        every recompose, a quarter of the CPU of a Pilot test that moves focus. Set first, neither happens.
        """
        key = FooterKey(
            binding.key,
            display,
            description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
            classes="-compact" if self.compact else "",
        )
        key.set_reactive(FooterKey.compact, self.compact)
        return key.data_bind(compact=Footer.compact)

    def _ordered(self) -> tuple[list[KeyEntry], KeyEntry | None]:
        """The shown bindings (one per action) by importance, and the help key apart."""
        rank = {binding_id: index for index, binding_id in enumerate(FIRST)}
        entries: dict[str, KeyEntry] = {}
        help_keys: list[tuple[Binding, bool, str]] = []
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.id == HELP_ID:
                help_keys.append((binding, enabled, tooltip))
                continue
            if not binding.show or binding.action in entries:
                continue
            display = self.app.get_key_display(binding)
            entries[binding.action] = KeyEntry(binding, display, binding.description, enabled, tooltip)
        order = sorted(entries.values(), key=lambda entry: rank.get(entry.binding.id or "", len(FIRST)))
        return order, self._help_entry(help_keys)

    def _help_entry(self, help_keys: list[tuple[Binding, bool, str]]) -> KeyEntry | None:
        """The help key to show: a named key (F1) before one a text input would type (``?``)."""
        named = [entry for entry in help_keys if not _is_typed(entry[0].key)]
        if not named:
            return None
        binding, enabled, tooltip = named[0]
        display = self.app.get_key_display(binding)
        if display.startswith("f") and display[1:].isdigit():
            display = display.upper()
        return KeyEntry(binding, display, binding.description, enabled, tooltip)

    def on_resize(self, event: Resize) -> None:
        """Fit the keys to the new width."""
        if event.size.width != self._composed_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        """Recompose when the keys to show changed, then forget the watchers of the keys that were removed.

        Bindings "change" on every focus move and twice a turn, mostly to the same keys: rebuilding the footer then
        would only cost a restyle of every key.
        """
        if not self.is_attached:
            return
        if self._composed is not None and self._bindings_ready:
            width = self.size.width or self.app.size.width
            if self._plan(width) == self._composed:
                self._composed_width = width
                return
        await super().recompose()
        # Footer's data-bind watchers, ``_closing``/``_closed`` and ``FooterKey`` are private: Textual 8 never drops
        # the watchers of removed keys, which would pile up on every resize. Guarded by
        # tests/tui/test_tui_upstream_internals.py.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for name, watcher_list in watchers.items():
            watchers[name] = [
                (node, callback)
                for node, callback in watcher_list
                if not getattr(node, "_closing", False) and not getattr(node, "_closed", False)
            ]


def _key_width(display: str, description: str) -> int:
    """Columns a footer key takes: `` key description `` and the gap after it."""
    return cell_len(display) + cell_len(description) + 3


def keys_shown(footer: KeyFooter) -> Iterator[tuple[str, str]]:
    """(key as shown, description) of every key in the footer, left to right (for tests and help)."""
    for key in footer.query(FooterKey):
        yield key.key_display, key.description
