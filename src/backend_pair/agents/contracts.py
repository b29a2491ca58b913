"""Contract validation: OpenAPI documents (openapi-spec-validator) and DBML (pydbml), first problem as FILE:LINE."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

MAX_CONTRACT_CHARS = 2_000_000
"""Documents longer than this are not validated (the problem says so)."""

MAX_MESSAGE_CHARS = 240
"""A validator's message is cut to this many characters: some quote the whole offending document."""

OPENAPI_SUFFIXES: frozenset[str] = frozenset({".yaml", ".yml", ".json"})
"""File suffixes that may hold an OpenAPI document."""

_OPENAPI_KEY = re.compile(r"""(?:^|[{,])\s*["']?openapi["']?\s*:""", re.MULTILINE)


class ContractKind(StrEnum):
    """What kind of contract a file holds."""

    OPENAPI = "openapi"
    """An OpenAPI 3.x document."""
    DBML = "dbml"
    """A DBML data model."""


@dataclass(frozen=True)
class ContractCheck:
    """The outcome of validating one contract file."""

    path: str
    """Repo-relative path."""
    kind: ContractKind
    """OpenAPI or DBML."""
    version: str
    """The OpenAPI version declared (``3.0.3``); empty for DBML."""
    problem: str | None
    """The first problem as ``FILE:LINE: message`` (``FILE: message`` when no line is known); None when valid."""

    @property
    def valid(self) -> bool:
        """Whether the document validated."""
        return self.problem is None


def contract_kind(path: str, text: str) -> ContractKind | None:
    """Whether ``path`` with ``text`` is a contract: a ``.dbml`` file, or YAML/JSON with a top-level ``openapi`` key.

    Cheap: no parsing, only the suffix and a look for the key.
    """
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".dbml":
        return ContractKind.DBML
    if suffix in OPENAPI_SUFFIXES and _OPENAPI_KEY.search(text[:20_000]):
        return ContractKind.OPENAPI
    return None


def check_contract(path: str, text: str) -> ContractCheck | None:
    """Validate ``text`` as the contract its path and content say it is.

    Nothing is fetched: ``$ref`` to other files or URLs is reported as unresolvable, never followed.

    Args:
        path: Repo-relative path (used in the problem line).
        text: The file's content.

    Returns:
        The outcome, or None when the file is not a contract (nor an OpenAPI 3.x document).
    """
    kind = contract_kind(path, text)
    if kind is None:
        return None
    if len(text) > MAX_CONTRACT_CHARS:
        return ContractCheck(path, kind, "", f"{path}: too large to validate ({len(text):,} characters)")
    if kind is ContractKind.DBML:
        return ContractCheck(path, kind, "", _dbml_problem(path, text))
    return _check_openapi(path, text)


@functools.lru_cache(maxsize=64)
def check_contract_cached(path: str, text: str) -> ContractCheck | None:
    """:func:`check_contract`, remembered per (path, text): the review pane asks again on every refresh."""
    return check_contract(path, text)


def contract_problems(documents: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Path -> first problem, for the given ``(path, text)`` pairs that are contracts and do not validate."""
    problems: dict[str, str] = {}
    for path, text in documents:
        check = check_contract_cached(path, text)
        if check is not None and check.problem is not None:
            problems[path] = check.problem
    return problems


def _where(path: str, line: int | None, message: str) -> str:
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"


# DBML ---------------------------------------------------------------------------------------------------------------


def _dbml_problem(path: str, text: str) -> str | None:
    import pyparsing
    from pydbml import PyDBML

    try:
        PyDBML(text)
    except pyparsing.ParseBaseException as err:
        return _where(path, err.lineno, err.msg)
    except RecursionError:
        return _where(path, None, "nested too deeply to parse")
    # pydbml's own checks (an unknown table in a reference, a table defined twice) raise plain Exception
    # subclasses without a common base; any of them means the model does not hold together.
    except Exception as err:
        return _where(path, _dbml_line(text, str(err)), f"{type(err).__name__}: {err}")
    return None


def _dbml_line(text: str, message: str) -> int | None:
    """The first line that refers to the table the message names (``public.users`` -> a ``users.`` reference)."""
    lines = text.splitlines()
    for name in re.findall(r"\b\w+\.(\w+)\b", message):
        for pattern in (rf"\b{re.escape(name)}\.", rf"\b{re.escape(name)}\b"):
            for number, line in enumerate(lines, start=1):
                if re.search(pattern, line) and not line.lstrip().startswith("//"):
                    return number
    return None


# OpenAPI ------------------------------------------------------------------------------------------------------------


def _check_openapi(path: str, text: str) -> ContractCheck | None:
    import yaml

    try:
        document = json.loads(text) if path.lower().endswith(".json") else yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark is not None else None
        return ContractCheck(path, ContractKind.OPENAPI, "", _where(path, line, f"not valid YAML: {err.problem}"))
    except json.JSONDecodeError as err:
        return ContractCheck(path, ContractKind.OPENAPI, "", _where(path, err.lineno, f"not valid JSON: {err.msg}"))
    except (yaml.YAMLError, RecursionError, ValueError) as err:
        return ContractCheck(path, ContractKind.OPENAPI, "", _where(path, None, f"cannot be parsed: {err}"))
    if not isinstance(document, dict) or "openapi" not in document:
        return None
    version = document["openapi"]
    version = str(version) if isinstance(version, str | int | float) and not isinstance(version, bool) else ""
    if not version.startswith("3."):
        return None
    validator = _validator(version)
    if validator is None:
        problem = _where(path, _line_of(text, ["openapi"]), f"OpenAPI {version} is not a version this tool validates")
        return ContractCheck(path, ContractKind.OPENAPI, version, problem)
    return ContractCheck(path, ContractKind.OPENAPI, version, _openapi_problem(path, text, document, validator))


def _validator(version: str) -> type[Any] | None:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator, OpenAPIV32SpecValidator

    bases: dict[str, type[Any]] = {
        "3.0": OpenAPIV30SpecValidator,
        "3.1": OpenAPIV31SpecValidator,
        "3.2": OpenAPIV32SpecValidator,
    }
    base = bases.get(".".join(version.split(".")[:2]))
    if base is None:
        return None
    # No resolver handlers: a `$ref` to a file or URL is unresolvable instead of read or fetched (hostile input).
    return type(f"LocalOnly{base.__name__}", (base,), {"resolver_handlers": {}})


def _openapi_problem(path: str, text: str, document: dict[str, Any], validator: type[Any]) -> str | None:
    from referencing.exceptions import Unresolvable

    try:
        first = next(iter(validator(document).iter_errors()), None)
    except Unresolvable as err:
        ref = str(getattr(err, "ref", "") or "")
        return _where(
            path, _line_quoting(text, ref), f"$ref {ref!r} cannot be resolved (only #/... references in this file)"
        )
    except RecursionError:
        return _where(path, None, "nested too deeply to validate")
    # The validator walks hostile input with third-party code; whatever it raises is reported, never a crash.
    except Exception as err:
        return _where(path, None, f"could not be validated ({type(err).__name__}: {err})")
    if first is None:
        return None
    detail, location = _deepest(first)
    where = " > ".join(str(part) for part in location)
    message = f"{detail.message} (at {where})" if where else detail.message
    return _where(path, _line_of(text, location), message)


def _deepest(error: ValidationError) -> tuple[ValidationError, list[str | int]]:
    """The most specific error under ``error`` (``oneOf``/``anyOf`` keep theirs in ``context``), and its path.

    At each level the alternative that got deepest into the document wins; a schema that may also be a Reference
    lists "'$ref' is a required property" as one alternative, which the developer never means.
    """
    while error.context:
        candidates = [e for e in error.context if not (e.validator == "required" and "'$ref'" in e.message)]
        error = max(candidates or error.context, key=lambda e: len(e.absolute_path))
    return error, list(error.absolute_path)


def _line_of(text: str, location: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of ``location`` that exists in the YAML/JSON text."""
    import yaml

    try:
        node: Any = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        node, line = child
    return line


def _child(node: Any, part: str | int) -> tuple[Any, int] | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value, key.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def _line_quoting(text: str, needle: str) -> int | None:
    if not needle:
        return None
    return next((number for number, line in enumerate(text.splitlines(), start=1) if needle in line), None)
