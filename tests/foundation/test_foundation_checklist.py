"""The live checklist: seeding, the developer's toggle, TodoWrite, evidence, and the journal round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backend_pair.agents.checklist import AGENT_GROUP, Checklist, ChecklistItem, ItemStatus, TickedBy
from backend_pair.agents.definition import parse_definition, parse_definition_text
from backend_pair.agents.discovery import BUNDLED_DIR


def seed_checklist() -> Checklist:
    return Checklist.from_definition(parse_definition(BUNDLED_DIR / "backend-engineer.md"))


def by_text(checklist: Checklist, text: str) -> ChecklistItem:
    return next(item for item in checklist.items() if item.text == text)


def test_seeded_from_the_definition() -> None:
    checklist = seed_checklist()
    assert [(title, len(items)) for title, items in checklist.groups()] == [
        ("Before Starting", 4),
        ("Implementation", 5),
        ("Quality", 5),
    ]
    first = checklist.items()[0]
    assert (first.id, first.status, first.ticked_by, first.added_by_agent) == ("1.1", "pending", "none", False)
    assert len({item.id for item in checklist.items()}) == 14


def test_checked_seed_items_start_done() -> None:
    definition = parse_definition_text(
        Path("a.md"), "---\nname: a\ndescription: d\n---\n## Checklist\n- [x] done\n- [ ] open\n"
    )
    statuses = [item.status for item in Checklist.from_definition(definition).items()]
    assert statuses == [ItemStatus.done, ItemStatus.pending]


def test_developer_toggle_cycles_pending_done_skipped() -> None:
    checklist = seed_checklist()
    seen = [checklist.toggle("1.1").status for _ in range(3)]
    assert seen == [ItemStatus.done, ItemStatus.skipped, ItemStatus.pending]
    assert checklist.item("1.1").ticked_by == TickedBy.developer


def test_todos_match_by_normalised_text_and_add_the_rest() -> None:
    checklist = seed_checklist()
    todos: list[Any] = [
        {"content": "  input   VALIDATION. ", "status": "completed", "activeForm": "Validating"},
        {"content": "Proper error handling", "status": "in_progress"},
        {"content": "Write the orders migration", "status": "pending"},
        {"status": "completed"},
        "not a dict",
    ]
    changed = checklist.apply_todos(todos)
    assert changed
    validation = by_text(checklist, "Input validation")
    assert (validation.status, validation.ticked_by) == (ItemStatus.done, TickedBy.agent)
    assert by_text(checklist, "Proper error handling").status == ItemStatus.in_progress
    added = checklist.items()[-1]
    assert (added.id, added.group, added.text, added.added_by_agent) == (
        "a1",
        AGENT_GROUP,
        "Write the orders migration",
        True,
    )
    assert checklist.groups()[-1][0] == AGENT_GROUP
    assert not checklist.apply_todos(
        [
            {"content": "Input validation", "status": "completed"},
            {"content": "Proper error handling", "status": "in_progress"},
            {"content": "Write the orders migration", "status": "pending"},
        ]
    )


def test_agent_tasks_dropped_from_the_list_disappear_unless_the_developer_ticked_them() -> None:
    checklist = seed_checklist()
    checklist.apply_todos([{"content": "one", "status": "pending"}, {"content": "two", "status": "pending"}])
    checklist.toggle("a2")
    assert checklist.apply_todos([])
    assert [item.text for item in checklist.items() if item.added_by_agent] == ["two"]
    checklist.apply_todos([{"content": "three", "status": "pending"}])
    assert by_text(checklist, "three").id == "a3"


def test_the_agent_never_overrides_the_developer() -> None:
    checklist = seed_checklist()
    checklist.toggle("1.1")
    checklist.toggle("1.1")  # skipped by the developer
    assert not checklist.apply_todos([{"content": "API contract defined (OpenAPI)", "status": "completed"}])
    assert checklist.item("1.1").status == ItemStatus.skipped


def test_evidence_ticks_open_items_with_a_reason(tmp_path: Path) -> None:
    checklist = seed_checklist()
    (tmp_path / "schema.dbml").write_text("Table a {\n  id int\n}\n", encoding="utf-8")
    assert checklist.apply_evidence(tmp_path, ["app/orders.py", "tests/test_orders.py"])
    tests_item = by_text(checklist, "Unit tests written")
    assert (tests_item.status, tests_item.ticked_by, tests_item.reason) == (
        ItemStatus.done,
        TickedBy.evidence,
        "tests/test_orders.py accepted",
    )
    assert by_text(checklist, "Data model defined (DBML)").reason == "schema.dbml validates as DBML"
    assert by_text(checklist, "API contract defined (OpenAPI)").status == ItemStatus.pending
    assert not checklist.apply_evidence(tmp_path, ["tests/test_orders.py"])


def test_an_invalid_contract_keeps_the_item_open_with_its_first_error(tmp_path: Path) -> None:
    checklist = seed_checklist()
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: Orders}\npaths: {}\n", encoding="utf-8")
    assert checklist.apply_evidence(tmp_path, ["openapi.yaml"])
    item = by_text(checklist, "API contract defined (OpenAPI)")
    assert (item.status, item.ticked_by, item.problem) == (ItemStatus.pending, TickedBy.none, True)
    assert item.reason == "openapi.yaml:2: 'version' is a required property (at info)"
    assert not checklist.apply_evidence(tmp_path, ["openapi.yaml"])  # the same problem is no change
    restored = Checklist.from_json(checklist.to_json())
    assert by_text(restored, "API contract defined (OpenAPI)") == item
    spec.write_text("openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths: {}\n", encoding="utf-8")
    assert checklist.apply_evidence(tmp_path, ["openapi.yaml"])
    item = by_text(checklist, "API contract defined (OpenAPI)")
    assert (item.status, item.ticked_by, item.problem) == (ItemStatus.done, TickedBy.evidence, False)
    assert item.reason == "openapi.yaml validates as OpenAPI 3.0.3"


def test_a_problem_goes_when_its_file_does(tmp_path: Path) -> None:
    checklist = seed_checklist()
    (tmp_path / "schema.dbml").write_text("Table a {\n  id int [pk\n}\n", encoding="utf-8")
    assert checklist.apply_evidence(tmp_path, [])
    assert by_text(checklist, "Data model defined (DBML)").reason == "schema.dbml:3: Expected ']'"
    (tmp_path / "schema.dbml").unlink()
    assert checklist.apply_evidence(tmp_path, [])
    item = by_text(checklist, "Data model defined (DBML)")
    assert (item.reason, item.problem, item.status) == ("", False, ItemStatus.pending)


def test_evidence_respects_the_developer(tmp_path: Path) -> None:
    checklist = seed_checklist()
    item = by_text(checklist, "Unit tests written")
    checklist.set_status(item.id, ItemStatus.pending, TickedBy.developer, "not yet")
    assert not checklist.apply_evidence(tmp_path, ["tests/test_a.py"])
    assert checklist.item(item.id).reason == "not yet"


OPERATION = st.one_of(
    st.tuples(st.just("toggle"), st.integers(0, 20)),
    st.tuples(
        st.just("todos"),
        st.lists(
            st.fixed_dictionaries(
                {
                    "content": st.sampled_from(
                        ["Input validation", "x", "y", "Quality thing", "Auth/authz implemented"]
                    ),
                    "status": st.sampled_from(["pending", "in_progress", "completed"]),
                }
            ),
            max_size=4,
        ),
    ),
)


@settings(derandomize=True, deadline=None)
@given(operations=st.lists(OPERATION, max_size=12))
def test_json_round_trip_and_invariants(operations: list[tuple[str, Any]]) -> None:
    checklist = seed_checklist()
    developer_set: dict[str, ItemStatus] = {}
    for kind, argument in operations:
        if kind == "toggle":
            items = checklist.items()
            item = items[argument % len(items)]
            developer_set[item.id] = checklist.toggle(item.id).status
        else:
            checklist.apply_todos(argument)
    ids = [item.id for item in checklist.items()]
    assert len(ids) == len(set(ids))
    for item_id, status in developer_set.items():
        assert checklist.item(item_id).status == status
    restored = Checklist.from_json(checklist.to_json())
    assert restored.items() == checklist.items()
    assert restored.groups() == checklist.groups()
