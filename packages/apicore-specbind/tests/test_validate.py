"""The compiled fast check and jsonschema agree on what is valid."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from apicore_specbind import Spec
from apicore_specbind._validate import _fast_meta
from apicore_test_support import json_values

JSON = json_values(
    max_int=2**70,
    max_text=12,
    also=st.sampled_from(
        ["2021-03-04", "2021-03-04T05:06:07Z", "AP8=", "not a date", "dog", "cat"]
    ),
    keys=st.sampled_from(["id", "name", "tag", "born", "kind", "age", "x"]),
    max_items=3,
    max_keys=5,
    max_leaves=12,
)


def validators(spec: Spec) -> list[Any]:
    cache = spec._context.validators._cache
    return [v for v in cache.values() if v._fast is not None]


@pytest.mark.parametrize("name", ["petstore", "pets30"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=JSON)
def test_fast_and_complete_validation_agree(
    name: str, value: Any, request: pytest.FixtureRequest
) -> None:
    spec: Spec = request.getfixturevalue(name)
    checks = validators(spec)
    assert checks, "no schema was compiled"
    for check in checks:
        complete = list(check.validator.iter_errors(value))
        assert (list(check.iter_errors(value)) == []) == (complete == [])


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}},
        {"$dynamicAnchor": "meta", "prefixItems": [{"type": "string"}], "items": False},
        {"$anchor": "pet", "$defs": {"x": {"enum": [1]}}, "dependentRequired": {"a": ["b"]}},
        {"properties": {"a": True}, "unevaluatedProperties": False},
        True,
        {"type": 5},
        {"exclusiveMinimum": True},
        {"required": True},
        {"properties": {"a": {"type": "strin"}}},
        {"$recursiveAnchor": True},
        {"items": {"minLength": -1}},
        {"$defs": {"x": {"enum": 3}}},
        {"prefixItems": []},
        {"allOf": []},
        {"$ref": 5},
        {"dependentRequired": {"a": [1]}},
        {"type": ["string", "string"]},
        {"definitions": {"a": {"type": 1}}},
        {"unevaluatedProperties": {"type": 2}},
        {"contentSchema": {"type": 3}},
        {"$schema": 3},
        {"dependencies": {"a": 5}},
    ],
)
def test_the_compiled_2020_12_meta_schema_agrees_with_jsonschema(schema: Any) -> None:
    fast = _fast_meta(jsonschema.Draft202012Validator)
    assert fast is not None
    exact = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    try:
        fast(schema)
    except fastjsonschema.JsonSchemaException:
        compiled_ok = False
    else:
        compiled_ok = True
    assert compiled_ok == (not list(exact.iter_errors(schema)))
