from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings, strategies as st

from apicore_openapi import ApiInfo, RouteDoc, build_document, example_value


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer"}, 0),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "number", "exclusiveMinimum": 0}, 1.0),
        ({"type": "integer", "minimum": 5, "maximum": 3}, 3),
        ({"type": "string", "format": "uuid"}, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ({"type": "string", "contentEncoding": "base64"}, "aGVsbG8="),
        ({"type": "string", "minLength": 10}, "stringstring"),
        ({"type": ["null", "boolean"]}, True),
        ({"anyOf": [{"type": "null"}, {"type": "string"}]}, "string"),
        ({"enum": [None, "a"]}, "a"),
        ({"const": 7}, 7),
        ({"type": "integer", "examples": [42], "default": 1}, 42),
        ({"type": "integer", "example": 43}, 43),
        (
            {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
            [0, "string"],
        ),
        ({"type": "array", "items": {"type": "boolean"}, "minItems": 2}, [True, True]),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, {"key": 0}),
        (
            {"allOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {}}}]},
            {"a": 0, "b": None},
        ),
        ({}, None),
    ],
)
def test_example_values(schema: dict[str, Any], expected: Any) -> None:
    assert example_value(schema) == expected


def test_references_are_followed_and_recursion_is_bounded() -> None:
    schemas = {
        "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
    }
    value = example_value({"$ref": "#/components/schemas/Node"}, schemas)
    depth = 0
    while isinstance(value, dict):
        value = value["next"]
        depth += 1
    assert 1 < depth < 20


def test_examples_of_the_representative_app_validate_against_their_schemas(
    info: ApiInfo, endpoints: list[RouteDoc]
) -> None:
    document = build_document(info, endpoints)
    schemas = document["components"]["schemas"]
    registry_root = {"components": {"schemas": schemas}}
    checked = 0
    for item in document["paths"].values():
        for op in item.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            schema = {**body["schema"], "components": registry_root["components"]}
            jsonschema.validate(example_value(body["schema"], schemas), schema)
            checked += 1
    assert checked >= 3


_SCALARS = st.sampled_from(
    [
        {"type": "integer"},
        {"type": "number", "minimum": 1.5},
        {"type": "string", "format": "date"},
        {"type": "boolean"},
        {"type": ["string", "null"]},
        {"enum": ["x", "y"]},
    ]
)
_SCHEMAS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.builds(lambda s: {"type": "array", "items": s}, inner),
        st.builds(
            lambda props: {"type": "object", "properties": props, "required": sorted(props)},
            st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
        ),
        st.builds(lambda a, b: {"anyOf": [a, b]}, inner, inner),
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(_SCHEMAS)
def test_generated_examples_are_valid(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(example_value(schema))
