"""Evidence rules: test files accepted, an OpenAPI 3 document, a DBML file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_pair.agents.evidence import gather_evidence, looks_like_test, openapi_version


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
    assert proven == {"Unit tests written": "tests/test_orders.py accepted"}


def test_nothing_proven_in_an_empty_repository(tmp_path: Path) -> None:
    assert gather_evidence(tmp_path, ["app/orders.py"]) == {}


@pytest.mark.parametrize(
    ("name", "text", "version"),
    [
        ("openapi.yaml", "openapi: 3.0.3\ninfo: {title: x}\n", "3.0.3"),
        ("api/orders-openapi.yml", "openapi: '3.1.0'\n", "3.1.0"),
        ("docs/OpenAPI.json", json.dumps({"openapi": "3.1.0"}), "3.1.0"),
        ("openapi.yaml", "openapi: 3.0\n", "3.0"),
    ],
)
def test_openapi_document_is_evidence(tmp_path: Path, name: str, text: str, version: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert openapi_version(path) == version
    assert gather_evidence(tmp_path, []) == {"API contract defined (OpenAPI)": f"{name} declares OpenAPI {version}"}


@pytest.mark.parametrize(
    "text", ["swagger: '2.0'\n", "openapi: 2.0\n", "openapi: [3\n", "- a list\n", "openapi: 3.0.0\n  bad: indent\n"]
)
def test_invalid_or_old_specs_are_not_evidence(tmp_path: Path, text: str) -> None:
    (tmp_path / "openapi.yaml").write_text(text, encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {}


def test_specs_in_skipped_folders_do_not_count(tmp_path: Path) -> None:
    for folder in ("node_modules/pkg", ".git", ".venv/lib", ".hidden"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "openapi.yaml").write_text("openapi: 3.0.0\n", encoding="utf-8")
        (tmp_path / folder / "schema.dbml").write_text("Table a {}\n", encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {}


def test_dbml_file_is_evidence(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.dbml").write_text("Table orders { id int }\n", encoding="utf-8")
    assert gather_evidence(tmp_path, []) == {"Data model defined (DBML)": "db/schema.dbml exists"}
