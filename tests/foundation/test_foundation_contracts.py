"""Contract validation: OpenAPI 3.x with openapi-spec-validator, DBML with pydbml, first problem as FILE:LINE."""

from __future__ import annotations

import json

import pytest

from backend_pair.agents.contracts import ContractKind, check_contract, contract_kind

VALID_OPENAPI = """openapi: 3.0.3
info:
  title: Orders
  version: "1"
paths:
  /orders/{order_id}:
    get:
      parameters:
        - name: order_id
          in: path
          required: true
          schema: {type: string}
      responses:
        "200":
          description: The order
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Order"
components:
  schemas:
    Order:
      type: object
      properties:
        status: {type: string, enum: [pending, paid, cancelled]}
"""

VALID_DBML = """Table users {
  id integer [pk]
}

Table orders {
  id integer [pk]
  user_id integer [ref: > users.id]
  status varchar
}
"""


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("db/schema.dbml", "", ContractKind.DBML),
        ("api/openapi.yaml", "openapi: 3.0.3\n", ContractKind.OPENAPI),
        ("spec.json", '{"openapi": "3.1.0"}', ContractKind.OPENAPI),
        ("README.md", "openapi: 3.0.3\n", None),
        ("config.yaml", "name: x\n", None),
    ],
)
def test_contract_kind_from_path_and_content(path: str, text: str, kind: ContractKind | None) -> None:
    assert contract_kind(path, text) is kind


def test_valid_documents_have_no_problem() -> None:
    openapi = check_contract("api/openapi.yaml", VALID_OPENAPI)
    assert openapi is not None and openapi.valid and openapi.version == "3.0.3"
    dbml = check_contract("db/schema.dbml", VALID_DBML)
    assert dbml is not None and dbml.valid
    as_json = json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    checked = check_contract("api/openapi.json", as_json)
    assert checked is not None and checked.valid and checked.version == "3.1.0"


def test_openapi_error_names_the_line_and_the_deepest_cause() -> None:
    text = VALID_OPENAPI.replace("schema: {type: string}", "schema: {type: strng}")
    checked = check_contract("api/openapi.yaml", text)
    assert checked is not None and not checked.valid
    line = text.splitlines().index("          schema: {type: strng}") + 1
    assert checked.problem is not None
    assert checked.problem.startswith(f"api/openapi.yaml:{line}: 'strng' is not one of")
    assert "'$ref' is a required property" not in checked.problem


def test_openapi_missing_required_field() -> None:
    text = VALID_OPENAPI.replace('  version: "1"\n', "")
    checked = check_contract("openapi.yaml", text)
    assert checked is not None
    assert checked.problem == "openapi.yaml:2: 'version' is a required property (at info)"


def test_openapi_yaml_syntax_error_has_its_line() -> None:
    checked = check_contract("openapi.yaml", "openapi: 3.0.3\ninfo: [\n")
    assert checked is not None and checked.problem is not None
    assert checked.problem.startswith("openapi.yaml:3: not valid YAML")


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "https://example.invalid/schema.json", "other.yaml#/X"])
def test_external_refs_are_reported_not_followed(ref: str) -> None:
    text = VALID_OPENAPI.replace('$ref: "#/components/schemas/Order"', f"$ref: {json.dumps(ref)}")
    checked = check_contract("openapi.yaml", text)
    assert checked is not None and checked.problem is not None
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if ref in row)
    assert checked.problem.startswith(f"openapi.yaml:{line}: $ref {ref!r} cannot be resolved")


def test_a_dangling_internal_ref_is_a_problem_without_dumping_the_document() -> None:
    text = VALID_OPENAPI.replace("#/components/schemas/Order", "#/components/schemas/Missing")
    checked = check_contract("openapi.yaml", text)
    assert checked is not None and checked.problem is not None
    assert "Missing" in checked.problem and len(checked.problem) < 300


def test_unknown_openapi_version_and_swagger_two() -> None:
    checked = check_contract("openapi.yaml", "openapi: 3.9.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    assert (
        checked is not None and checked.problem == "openapi.yaml:1: OpenAPI 3.9.0 is not a version this tool validates"
    )
    assert check_contract("openapi.yaml", "openapi: 2.0\n") is None
    assert check_contract("openapi.yaml", "- a list\n") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Table orders {\n  id integer [pk\n}\n", "db/schema.dbml:3: Expected ']'"),
        (
            "Table orders {\n  id integer [pk]\n  user_id int [ref: > users.id]\n}\n",
            "db/schema.dbml:3: TableNotFoundError: Table public.users not present in the database",
        ),
    ],
)
def test_dbml_problems(text: str, expected: str) -> None:
    checked = check_contract("db/schema.dbml", text)
    assert checked is not None and checked.problem == expected


def test_hostile_messages_are_cut() -> None:
    text = VALID_OPENAPI.replace("enum: [pending, paid, cancelled]", "enum: " + "x" * 5000)
    checked = check_contract("openapi.yaml", text)
    assert checked is not None and checked.problem is not None
    assert len(checked.problem) < 400
