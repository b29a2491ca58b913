"""Evidence rules: test files accepted, an OpenAPI 3 document, a DBML file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_pair.agents.evidence import Finding, gather_evidence, looks_like_test


@pytest.mark.parametrize(
    "path",
    ["tests/test_orders.py", "app/tests/helpers.py", "test_x.py", "pkg/orders_test.py", "web/a.test.ts", "a.spec.js"],
)
def test_test_like_paths(path: str) -> None:
    assert looks_like_test(path)


@pytest.mark.parametrize("path", ["app/orders.py", "contest.py", "latest/notes.md", "testing.py", "src/spec_utils.py"])
def test_paths_that_are_not_tests(path: str) -> None:
    assert not looks_like_test(path)


def test_unit_tests_rule_names_the_accepted_file(tmp_path: Path) -> None:
    proven = gather_evidence(tmp_path, ["app/orders.py", "tests/test_orders.py"])
    assert proven == {"Unit tests written": Finding("tests/test_orders.py accepted")}


def test_nothing_proven_in_an_empty_repository(tmp_path: Path) -> None:
    assert gather_evidence(tmp_path, ["app/orders.py"]) == {}


MINIMAL = {"info": {"title": "x", "version": "1"}, "paths": {}}


@pytest.mark.parametrize(
    ("name", "text", "version"),
    [
        ("openapi.yaml", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n", "3.0.3"),
        ("api/orders-openapi.yml", "openapi: '3.1.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "3.1.0"),
        ("docs/OpenAPI.json", json.dumps({"openapi": "3.1.0", **MINIMAL}), "3.1.0"),
    ],
)
def test_a_valid_openapi_document_is_evidence(tmp_path: Path, name: str, text: str, version: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    expected = Finding(f"{name} validates as OpenAPI {version}")
    assert gather_evidence(tmp_path, []) == {"API contract defined (OpenAPI)": expected}


@pytest.mark.parametrize("text", ["swagger: '2.0'\n", "openapi: 2.0\n", "- a list\n", "name: x\n"])
def test_old_specs_and_other_yaml_say_nothing(tmp_path: Path, text: str) -> None:
    (tmp_path / "openapi.yaml").write_text(text, encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n", "openapi.yaml:2: 'version' is a required property (at info)"),
        ("openapi: [3\n", "openapi.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ("openapi: 3.0.0\n  bad: indent\n", "openapi.yaml:2: not valid YAML: mapping values are not allowed here"),
    ],
)
def test_an_invalid_openapi_document_is_a_problem_not_evidence(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "openapi.yaml").write_text(text, encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {"API contract defined (OpenAPI)": Finding(problem, proven=False)}


def test_a_valid_document_wins_over_an_invalid_one_and_accepted_ones_come_first(tmp_path: Path) -> None:
    (tmp_path / "a-openapi.yaml").write_text("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n", encoding="utf-8")
    (tmp_path / "b-openapi.yaml").write_text("openapi: 3.0.3\n" + "info: {title: x, version: '1'}\npaths: {}\n")
    found = gather_evidence(tmp_path, [])["API contract defined (OpenAPI)"]
    assert found == Finding("b-openapi.yaml validates as OpenAPI 3.0.3")
    (tmp_path / "b-openapi.yaml").write_text("openapi: 3.0.3\npaths: {}\n", encoding="utf-8")
    found = gather_evidence(tmp_path, ["b-openapi.yaml"])["API contract defined (OpenAPI)"]
    assert found == Finding("b-openapi.yaml:1: 'info' is a required property", proven=False)


def test_specs_in_skipped_folders_do_not_count(tmp_path: Path) -> None:
    for folder in ("node_modules/pkg", ".git", ".venv/lib", ".hidden"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "openapi.yaml").write_text("openapi: 3.0.0\n", encoding="utf-8")
        (tmp_path / folder / "schema.dbml").write_text("Table a {}\n", encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {}


def test_a_dbml_file_that_parses_is_evidence(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.dbml").write_text("Table orders {\n  id int [pk]\n}\n", encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {"Data model defined (DBML)": Finding("db/schema.dbml validates as DBML")}


def test_a_dbml_file_that_does_not_parse_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "schema.dbml").write_text("Table orders {\n  id int [pk\n}\n", encoding="utf-8")
    found = gather_evidence(tmp_path, [])
    assert found == {"Data model defined (DBML)": Finding("schema.dbml:3: Expected ']'", proven=False)}
