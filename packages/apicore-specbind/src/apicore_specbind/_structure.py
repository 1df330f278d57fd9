"""Structural validation against the official Swagger 2.0 / OpenAPI 3.0 / 3.1 meta-schemas.

The meta-schemas are the ones published by the OpenAPI Initiative, as shipped (and kept up to
date) by the ``openapi-spec-validator`` package; they are read from its folder without
importing it. Schema Objects are left to the dialect check that already runs on every schema a
spec uses (:meth:`ValidatorFactory.check_schema`), so the structure check stays fast: draft 4
meta-schemas (2.0, 3.0) are compiled once per process with ``fastjsonschema`` for the valid
case, and jsonschema only runs on a document that fails, to name every problem's path.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema.exceptions

from apicore_specbind._errors import SpecIssue
from apicore_specbind._validate import passes, rewrite_tree

_FOLDERS = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1"}
_MAX_ISSUES = 50


def _schema_folder() -> Path:
    found = importlib.util.find_spec("openapi_spec_validator")
    locations = found.submodule_search_locations if found is not None else None
    if not locations:  # pragma: no cover - a declared dependency
        raise ImportError(
            "apicore-specbind needs openapi-spec-validator for the OpenAPI meta-schemas: "
            "pip install openapi-spec-validator"
        )
    return Path(next(iter(locations))) / "resources" / "schemas"


@functools.cache
def meta_schema(version: str) -> dict[str, Any]:
    """The official meta-schema of a spec version, Schema Objects reduced to "an object".

    A Schema Object must still not be a Reference Object where the meta-schema says "one of
    the two" (so ``{$ref: ...}`` keeps matching exactly one alternative).
    """
    path = _schema_folder() / _FOLDERS[version] / "schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if version == "3.1":
        # Schema Objects are "$dynamicRef: #meta" to an object-or-boolean schema; with no
        # dialect extending it, a plain $ref means the same and validates about 5x faster.
        schema = rewrite_tree(schema, _static_meta_ref, frozenset())
    elif version == "3.0":
        schema["definitions"]["Schema"] = {"type": "object", "not": {"required": ["$ref"]}}
    elif version == "2.0":
        # body/response schemas; a file schema ({type: file}) is the other alternative
        schema["definitions"]["schema"] = {
            "type": "object",
            "not": {"required": ["type"], "properties": {"type": {"enum": ["file"]}}},
        }
    return schema


def _static_meta_ref(node: dict[str, Any]) -> dict[str, Any]:
    if node.get("$dynamicRef") == "#meta":
        del node["$dynamicRef"]
        node["$ref"] = "#/$defs/schema"
    return node


@functools.cache
def _fast(version: str) -> Callable[[Any], Any] | None:
    if version == "3.1":
        return None  # 2020-12: fastjsonschema does not support it
    draft4 = jsonschema.Draft4Validator.META_SCHEMA

    def handler(uri: str) -> Any:
        if uri.rstrip("#") == "http://json-schema.org/draft-04/schema":
            return draft4
        raise ValueError(f"unexpected reference {uri}")  # pragma: no cover

    try:
        return fastjsonschema.compile(
            meta_schema(version), handlers={"http": handler}, use_default=False, use_formats=False
        )
    except Exception:  # pragma: no cover - fall back to jsonschema alone
        return None


@functools.cache
def _slow(version: str) -> Any:
    schema = meta_schema(version)
    cls: Any = jsonschema.Draft202012Validator if version == "3.1" else jsonschema.Draft4Validator
    return cls(schema)


def structure_issues(document: Mapping[str, Any], version: str) -> list[SpecIssue]:
    """Every place where ``document`` breaks its version's official meta-schema.

    Plus the one rule of the specification the meta-schemas cannot say: a server variable's
    ``default`` is one of its ``enum`` values.
    """
    extra = _server_variable_issues(document) if version != "2.0" else []
    if passes(_fast(version), document):
        return extra
    issues: list[SpecIssue] = list(extra)
    for error in _slow(version).iter_errors(document):
        best = jsonschema.exceptions.best_match(error.context) if error.context else error
        issues.append(SpecIssue(tuple(best.absolute_path), _message(best)))
        if len(issues) >= _MAX_ISSUES:
            break
    issues.sort(key=lambda issue: [str(p) for p in issue.path])
    return issues


def _server_variable_issues(document: Mapping[str, Any]) -> list[SpecIssue]:
    places: list[tuple[tuple[str | int, ...], Any]] = [(("servers",), document.get("servers"))]
    paths = document.get("paths")
    if isinstance(paths, Mapping):
        for template, item in paths.items():
            if isinstance(item, Mapping):
                places.append((("paths", template, "servers"), item.get("servers")))
                places.extend(
                    (("paths", template, method, "servers"), op.get("servers"))
                    for method, op in item.items()
                    if isinstance(op, Mapping)
                )
    issues: list[SpecIssue] = []
    for where, servers in places:
        if not isinstance(servers, list):
            continue
        for index, server in enumerate(servers):
            variables = server.get("variables") if isinstance(server, Mapping) else None
            if not isinstance(variables, Mapping):
                continue
            for name, variable in variables.items():
                if not isinstance(variable, Mapping):
                    continue
                enum, default = variable.get("enum"), variable.get("default")
                if isinstance(enum, list) and enum and default not in enum:
                    issues.append(
                        SpecIssue(
                            (*where, index, "variables", name, "default"),
                            f"the default {default!r} is not one of the enum values {enum!r}",
                        )
                    )
    return issues


def _message(error: jsonschema.exceptions.ValidationError) -> str:
    message = f"does not fit the OpenAPI meta-schema: {error.message}"
    return message if len(message) <= 300 else message[:297] + "..."
