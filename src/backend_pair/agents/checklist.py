"""The live checklist: seeded from the agent file, ticked by the developer, the agent (TodoWrite) or evidence."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from backend_pair.agents.definition import AgentDefinition
from backend_pair.agents.evidence import RULES, gather_evidence

AGENT_GROUP = "Agent tasks"
"""The group that holds items the agent added with TodoWrite."""


class ItemStatus(StrEnum):
    """Where a checklist item stands."""

    pending = "pending"
    in_progress = "in_progress"
    done = "done"
    skipped = "skipped"


class TickedBy(StrEnum):
    """Who set an item's current status."""

    none = "none"
    agent = "agent"
    developer = "developer"
    evidence = "evidence"


@dataclass(frozen=True)
class ChecklistItem:
    """One checklist item."""

    id: str
    """Stable id: `1.2` for the second seed item of the first group, `a3` for the agent's third."""
    group: str
    """The group's title."""
    text: str
    """What is to be done."""
    status: ItemStatus = ItemStatus.pending
    """Current status."""
    ticked_by: TickedBy = TickedBy.none
    """Who set the status."""
    reason: str = ""
    """Why (for evidence: `tests/test_orders.py accepted`)."""
    added_by_agent: bool = False
    """True for items the agent created with TodoWrite."""
    problem: bool = False
    """True when ``reason`` is a problem that keeps the item open (an invalid contract), not why it was ticked."""


_TODO_STATUS = {"pending": ItemStatus.pending, "in_progress": ItemStatus.in_progress, "completed": ItemStatus.done}
_DEVELOPER_CYCLE = {
    ItemStatus.pending: ItemStatus.done,
    ItemStatus.in_progress: ItemStatus.done,
    ItemStatus.done: ItemStatus.skipped,
    ItemStatus.skipped: ItemStatus.pending,
}


def normalize_text(text: str) -> str:
    """The form items are matched by: case-folded, single-spaced, without trailing punctuation or markup."""
    cleaned = re.sub(r"[*_`]", "", text)
    return " ".join(cleaned.casefold().split()).rstrip(".:;!")


class Checklist:
    """The session's checklist; thread-safe, every mutation returns whether anything changed."""

    def __init__(self, items: Iterable[ChecklistItem] = ()) -> None:
        """Create a checklist from items (in display order).

        Args:
            items: The items; ids must be unique.
        """
        self._lock = threading.RLock()
        self._items: list[ChecklistItem] = list(items)
        self._next_agent_id = 1 + max(
            (int(item.id[1:]) for item in self._items if re.fullmatch(r"a\d+", item.id)), default=0
        )

    @classmethod
    def from_definition(cls, definition: AgentDefinition) -> Checklist:
        """Seed a checklist from an agent's checklist groups (`- [x]` seeds start done).

        Args:
            definition: The agent.

        Returns:
            The checklist.
        """
        items: list[ChecklistItem] = []
        for group_number, group in enumerate(definition.checklist, start=1):
            for item_number, seed in enumerate(group.items, start=1):
                status = ItemStatus.done if seed.checked else ItemStatus.pending
                reason = "checked in the agent definition" if seed.checked else ""
                items.append(
                    ChecklistItem(f"{group_number}.{item_number}", group.title, seed.text, status, reason=reason)
                )
        return cls(items)

    def items(self) -> tuple[ChecklistItem, ...]:
        """Every item, in display order."""
        with self._lock:
            return tuple(self._items)

    def groups(self) -> list[tuple[str, list[ChecklistItem]]]:
        """Items grouped by group title, groups in order of first appearance."""
        grouped: dict[str, list[ChecklistItem]] = {}
        for item in self.items():
            grouped.setdefault(item.group, []).append(item)
        return list(grouped.items())

    def item(self, item_id: str) -> ChecklistItem:
        """The item with this id.

        Raises:
            KeyError: No such item.
        """
        with self._lock:
            return self._items[self._index(item_id)]

    def toggle(self, item_id: str) -> ChecklistItem:
        """The developer's toggle: pending -> done -> skipped -> pending (in progress -> done).

        Args:
            item_id: The item.

        Returns:
            The updated item.

        Raises:
            KeyError: No such item.
        """
        with self._lock:
            current = self._items[self._index(item_id)]
            return self.set_status(item_id, _DEVELOPER_CYCLE[current.status], TickedBy.developer, "")

    def set_status(self, item_id: str, status: ItemStatus, by: TickedBy, reason: str = "") -> ChecklistItem:
        """Set an item's status.

        Args:
            item_id: The item.
            status: The new status.
            by: Who sets it.
            reason: Why (shown beside the item).

        Returns:
            The updated item.

        Raises:
            KeyError: No such item.
        """
        with self._lock:
            index = self._index(item_id)
            updated = replace(
                self._items[index], status=ItemStatus(status), ticked_by=TickedBy(by), reason=reason, problem=False
            )
            self._items[index] = updated
            return updated

    def apply_todos(self, todos: list[dict[str, Any]]) -> bool:
        """Apply a TodoWrite call: the agent's whole todo list.

        Each todo (`{"content", "status", ...}`) is matched to an item by normalised text; unmatched ones are added
        to the `Agent tasks` group. Agent-added items missing from the new list are dropped (TodoWrite always
        sends the full list) unless the developer ticked them. A developer's or evidence's tick is never
        overridden by the agent. Entries without a text `content` are ignored.

        Args:
            todos: The `todos` list from the TodoWrite input.

        Returns:
            True when anything changed.
        """
        with self._lock:
            before = list(self._items)
            mentioned: set[str] = set()
            for todo in todos:
                if not isinstance(todo, dict) or not isinstance(todo.get("content"), str):
                    continue
                text = " ".join(todo["content"].split())
                if not text:
                    continue
                status = _TODO_STATUS.get(str(todo.get("status", "pending")), ItemStatus.pending)
                index = self._find(text)
                if index is None:
                    item = ChecklistItem(f"a{self._next_agent_id}", AGENT_GROUP, text, added_by_agent=True)
                    self._next_agent_id += 1
                    self._items.append(item)
                    index = len(self._items) - 1
                mentioned.add(self._items[index].id)
                current = self._items[index]
                if current.ticked_by in (TickedBy.developer, TickedBy.evidence) or current.status == status:
                    continue
                by = (
                    TickedBy.agent
                    if status != ItemStatus.pending or current.ticked_by != TickedBy.none
                    else TickedBy.none
                )
                self._items[index] = replace(current, status=status, ticked_by=by, reason="", problem=False)
            self._items = [
                item
                for item in self._items
                if not item.added_by_agent or item.id in mentioned or item.ticked_by == TickedBy.developer
            ]
            return self._items != before

    def apply_evidence(self, root: Path, accepted_paths: Iterable[str]) -> bool:
        """Tick items the repository proves done (see `agents/evidence.py`); note the problem on items it cannot.

        Only open items (pending or in progress, not set by the developer) are checked, so a rule whose item is
        done costs nothing. A rule that finds a problem (an OpenAPI document that does not validate) leaves the
        item open with the problem as its reason; the reason goes when the problem does.

        Args:
            root: The repository root.
            accepted_paths: Paths accepted this session.

        Returns:
            True when an item changed (ticked, or its problem appeared, changed or went away).
        """
        with self._lock:
            open_texts = {
                normalize_text(item.text)
                for item in self._items
                if item.status in (ItemStatus.pending, ItemStatus.in_progress) and item.ticked_by != TickedBy.developer
            }
        rules = [rule for rule in RULES if normalize_text(rule.item) in open_texts]
        if not rules:
            return False
        found = gather_evidence(root, accepted_paths, rules)
        changed = False
        with self._lock:
            for rule in rules:
                index = self._find(rule.item)
                if index is None:
                    continue
                item = self._items[index]
                if item.status in (ItemStatus.done, ItemStatus.skipped) or item.ticked_by == TickedBy.developer:
                    continue
                finding = found.get(rule.item)
                if finding is not None and finding.proven:
                    done, by = ItemStatus.done, TickedBy.evidence
                    updated = replace(item, status=done, ticked_by=by, reason=finding.reason, problem=False)
                elif finding is not None:
                    updated = replace(item, reason=finding.reason, problem=True)
                elif item.problem:
                    updated = replace(item, reason="", problem=False)
                else:
                    continue
                if updated != item:
                    self._items[index] = updated
                    changed = True
        return changed

    def to_json(self) -> list[dict[str, Any]]:
        """Every item as a JSON-ready dict (for the journal)."""
        return [
            {
                "id": item.id,
                "group": item.group,
                "text": item.text,
                "status": str(item.status),
                "ticked_by": str(item.ticked_by),
                "reason": item.reason,
                "added_by_agent": item.added_by_agent,
                "problem": item.problem,
            }
            for item in self.items()
        ]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Checklist:
        """Rebuild a checklist saved with `to_json`.

        Args:
            data: The saved items.

        Returns:
            The checklist.

        Raises:
            ValueError: The data is not what `to_json` writes.
        """
        try:
            items = [
                ChecklistItem(
                    id=str(entry["id"]),
                    group=str(entry["group"]),
                    text=str(entry["text"]),
                    status=ItemStatus(entry.get("status", "pending")),
                    ticked_by=TickedBy(entry.get("ticked_by", "none")),
                    reason=str(entry.get("reason", "")),
                    added_by_agent=bool(entry.get("added_by_agent", False)),
                    problem=bool(entry.get("problem", False)),
                )
                for entry in data
            ]
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a saved checklist: {error}") from None
        return cls(items)

    def _index(self, item_id: str) -> int:
        for index, item in enumerate(self._items):
            if item.id == item_id:
                return index
        raise KeyError(item_id)

    def _find(self, text: str) -> int | None:
        wanted = normalize_text(text)
        for index, item in enumerate(self._items):
            if normalize_text(item.text) == wanted:
                return index
        return None
