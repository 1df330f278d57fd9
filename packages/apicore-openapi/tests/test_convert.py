from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from openapi_spec_validator import validate

from apicore_openapi import rewrite_refs, schema_30, to_openapi_30


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["string", "null"]}, {"type": "string", "nullable": True}),
        (
            {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
            {"type": "integer", "default": None, "nullable": True},
        ),
        (
            {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]},
            {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": True},
        ),
        (
            {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
            {"anyOf": [{"type": "integer"}, {"type": "string"}], "nullable": True},
        ),
        ({"type": "null"}, {"enum": [None], "nullable": True}),
        ({"const": "x"}, {"enum": ["x"]}),
        ({"enum": ["a", None]}, {"enum": ["a", None], "nullable": True}),
        ({"type": "integer", "examples": [3, 4]}, {"type": "integer", "example": 3}),
        (
            {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
            {"type": "string", "format": "byte"},
        ),
        (
            {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            {
                "type": "number",
                "exclusiveMinimum": True,
                "minimum": 0,
                "exclusiveMaximum": True,
                "maximum": 10,
            },
        ),
        (
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "string"}],
                "items": False,
            },
            {
                "type": "array",
                "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "maxItems": 2,
            },
        ),
        (
            {"type": "array", "prefixItems": [{"type": "integer"}], "items": {"type": "integer"}},
            {"type": "array", "items": {"type": "integer"}},
        ),
        ({"type": "array"}, {"type": "array", "items": {}}),
        ({"type": ["integer", "string"]}, {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        (
            {"$ref": "#/components/schemas/Color", "default": "red"},
            {"default": "red", "allOf": [{"$ref": "#/components/schemas/Color"}]},
        ),
        (
            {"type": "object", "patternProperties": {"^x": {"type": "integer"}}},
            {"type": "object", "additionalProperties": {"type": "integer"}},
        ),
        (
            {"$schema": "x", "$defs": {}, "$comment": "c", "propertyNames": {}, "x-ok": 1},
            {"x-ok": 1},
        ),
        (True, {}),
        (False, {"not": {}}),
        (
            {
                "type": "object",
                "properties": {"a": {"type": ["integer", "null"]}},
                "additionalProperties": {"const": 1},
            },
            {
                "type": "object",
                "properties": {"a": {"type": "integer", "nullable": True}},
                "additionalProperties": {"enum": [1]},
            },
        ),
    ],
)
def test_schema_30(schema: Any, expected: dict[str, Any]) -> None:
    assert schema_30(schema) == expected


def test_schema_30_rejects_non_schemas() -> None:
    with pytest.raises(TypeError, match="must be a dict or a bool"):
        schema_30([1])


def test_rewrite_refs_copies() -> None:
    schema = {"items": {"$ref": "#/$defs/A"}, "other": [{"$ref": "#/$defs/B"}, {"$ref": "x.json"}]}
    out = rewrite_refs(schema)
    assert out == {
        "items": {"$ref": "#/components/schemas/A"},
        "other": [{"$ref": "#/components/schemas/B"}, {"$ref": "x.json"}],
    }
    assert schema["items"] == {"$ref": "#/$defs/A"}


def test_to_openapi_30_does_not_touch_its_input() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {"type": ["string", "null"]}}},
    }
    converted = to_openapi_30(document)
    assert converted["openapi"] == "3.0.3"
    assert converted["components"]["schemas"]["A"] == {"type": "string", "nullable": True}
    assert document["components"]["schemas"]["A"] == {"type": ["string", "null"]}  # type: ignore[index]


_LEAVES = st.sampled_from(
    [
        {"type": "integer", "exclusiveMinimum": 0},
        {"type": "number", "exclusiveMaximum": 1.5, "examples": [1]},
        {"type": ["string", "null"], "format": "date-time"},
        {"type": "string", "contentEncoding": "base64"},
        {"const": "x"},
        {"enum": ["a", None]},
        {"type": "null"},
        {"$ref": "#/components/schemas/Leaf", "description": "d"},
        {"type": ["integer", "string", "null"]},
        {"type": "boolean", "default": True},
        {},
    ]
)
_SCHEMAS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda s: {"type": "array", "items": s}, inner),
        st.builds(
            lambda a, b: {"type": "array", "prefixItems": [a, b], "items": False}, inner, inner
        ),
        st.builds(
            lambda props, extra: {
                "type": "object",
                "properties": props,
                "additionalProperties": extra,
            },
            st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
            st.one_of(st.booleans(), inner),
        ),
        st.builds(lambda a: {"anyOf": [a, {"type": "null"}]}, inner),
        st.builds(lambda a, b: {"oneOf": [a, b]}, inner, inner),
    ),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(_SCHEMAS)
def test_converted_schemas_are_valid_openapi_30(schema: dict[str, Any]) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Leaf": {"type": "integer"}, "S": schema}},
    }
    converted = to_openapi_30(document)
    validate(converted)
    text = json.dumps(converted)
    for keyword in ("prefixItems", "const", "examples", "contentEncoding", '"null"'):
        assert keyword not in text
