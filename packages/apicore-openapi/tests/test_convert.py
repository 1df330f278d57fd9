from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from openapi_spec_validator import validate

from apicore_openapi import rewrite_refs, schema_30, schema_31, to_openapi_30
from apicore_openapi._convert import document_31

NULL_30 = {"type": "string", "nullable": True, "enum": [None]}


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
            {"anyOf": [{"$ref": "#/components/schemas/A"}, NULL_30]},
        ),
        (
            {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
            {"anyOf": [{"type": "integer"}, {"type": "string"}, NULL_30]},
        ),
        ({"type": "null"}, NULL_30),
        ({"type": "null", "default": None}, {**NULL_30, "default": None}),
        ({"const": "x"}, {"type": "string", "enum": ["x"]}),
        ({"enum": ["a", None]}, {"type": "string", "enum": ["a", None], "nullable": True}),
        ({"enum": [1, 2.5]}, {"type": "number", "enum": [1, 2.5]}),
        ({"enum": [1, "a", None]}, {"enum": [1, "a", None]}),
        (
            {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}], "default": None},
            {"default": None, "anyOf": [{"$ref": "#/components/schemas/A"}, NULL_30]},
        ),
        (
            {
                "anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}],
                "description": "d",
            },
            {"description": "d", "anyOf": [{"$ref": "#/components/schemas/A"}, NULL_30]},
        ),
        (
            {"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
            {"oneOf": [{"type": "integer"}, {"type": "string"}, NULL_30]},
        ),
        (
            schema_31({"type": "array", "prefixItems": [{"type": "integer"}], "items": False}),
            {"type": "array", "items": {"type": "integer"}, "maxItems": 1},
        ),
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
                "additionalProperties": {"type": "integer", "enum": [1]},
            },
        ),
    ],
)
def test_schema_30(schema: Any, expected: dict[str, Any]) -> None:
    assert schema_30(schema) == expected


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "string"}],
                "items": False,
            },
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "string"}],
                "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "maxItems": 2,
            },
        ),
        (
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}] * 2,
                "items": False,
                "maxItems": 2,
            },
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}] * 2,
                "items": {"type": "integer"},
                "maxItems": 2,
            },
        ),
        (
            {"type": "array", "prefixItems": [{"type": "integer"}]},
            {"type": "array", "prefixItems": [{"type": "integer"}], "items": {}},
        ),
        ({"type": ["array", "null"]}, {"type": ["array", "null"], "items": {}}),
        ({"enum": ["fast", "slow"]}, {"enum": ["fast", "slow"], "type": "string"}),
        ({"enum": ["a", None]}, {"enum": ["a", None], "type": ["string", "null"]}),
        ({"const": True}, {"const": True, "type": "boolean"}),
        ({"enum": [1, "a"]}, {"enum": [1, "a"]}),
        (
            {"properties": {"p": {"type": "array", "prefixItems": [{}], "items": False}}},
            {
                "properties": {
                    "p": {"type": "array", "prefixItems": [{}], "items": {}, "maxItems": 1}
                }
            },
        ),
        (
            {"anyOf": [{"items": {"const": 1}, "type": "array"}, {"type": "null"}]},
            {
                "anyOf": [
                    {"items": {"const": 1, "type": "integer"}, "type": "array"},
                    {"type": "null"},
                ]
            },
        ),
        (
            {"default": {"prefixItems": [1], "items": False}},
            {"default": {"prefixItems": [1], "items": False}},
        ),
        (True, True),
    ],
)
def test_schema_31(schema: Any, expected: Any) -> None:
    assert schema_31(schema) == expected


def _schemas_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(s for v in value.values() for s in _schemas_in(v))]
    if isinstance(value, list):
        return [s for v in value for s in _schemas_in(v)]
    return []


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


def _with_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A 3.1 document whose components hold ``schema`` (as ``S``) beside a ``Leaf``."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Leaf": {"type": "integer"}, "S": schema}},
    }


@settings(max_examples=40, deadline=None)
@given(_SCHEMAS)
def test_converted_schemas_are_valid_openapi_30(schema: dict[str, Any]) -> None:
    document = _with_schema(schema)
    converted = to_openapi_30(document)
    validate(converted)
    text = json.dumps(converted)
    for keyword in ("prefixItems", "const", "examples", "contentEncoding", '"null"'):
        assert keyword not in text
    for node in _schemas_in(converted["components"]["schemas"]):
        # Redocly's nullable-type-sibling, Spectral's oas3-valid-schema-example
        assert "type" in node or "nullable" not in node, node


@settings(max_examples=40, deadline=None)
@given(_SCHEMAS)
def test_31_schemas_give_every_array_items(schema: dict[str, Any]) -> None:
    document = _with_schema(schema)
    tools = document_31(document)
    validate(tools)
    for node in _schemas_in(tools["components"]["schemas"]):
        if node.get("type") == "array":
            # Spectral's array-items; openapi-python-client refuses `items: false`
            assert isinstance(node.get("items"), dict), node
    assert to_openapi_30(tools) == to_openapi_30(document)
