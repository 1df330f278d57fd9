"""Example values generated from schemas (for the Markdown reference and curl lines)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MAX_DEPTH = 8
_STRING_FORMATS = {
    "date-time": "2024-01-31T12:00:00Z",
    "date": "2024-01-31",
    "time": "12:00:00",
    "duration": "PT1H",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/callback",
    "url": "https://example.com/callback",
    "email": "user@example.com",
    "byte": "aGVsbG8=",
    "binary": "aGVsbG8=",
}


def example_value(schema: Any, schemas: Mapping[str, Any] | None = None) -> Any:
    """A plausible JSON value for ``schema`` (3.0 or 3.1 form).

    Uses the schema's own ``examples``/``example``/``default``/``const``/``enum`` first,
    then builds one from its type, respecting lower bounds.

    Args:
        schema: A Schema Object.
        schemas: ``components.schemas``, to follow ``#/components/schemas/X`` references.
    """
    return _example(schema, schemas or {}, 0)


def _example(schema: Any, schemas: Mapping[str, Any], depth: int) -> Any:
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        values = [v for v in schema["enum"] if v is not None] or schema["enum"]
        return values[0]
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return _example(schemas.get(name), schemas, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _example(part, schemas, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None:
                return value
        return merged
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if b != {"type": "null"}] or schema[key]
            return _example(branches[0], schemas, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        if "properties" in schema:
            kind = "object"
        elif "items" in schema or "prefixItems" in schema:
            kind = "array"
    return _typed(kind, schema, schemas, depth)


def _typed(kind: Any, schema: dict[str, Any], schemas: Mapping[str, Any], depth: int) -> Any:
    if kind == "object":
        out = {
            name: _example(sub, schemas, depth + 1)
            for name, sub in schema.get("properties", {}).items()
        }
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict):
            out["key"] = _example(extra, schemas, depth + 1)
        return out
    if kind == "array":
        if "prefixItems" in schema:
            return [_example(s, schemas, depth + 1) for s in schema["prefixItems"]]
        items = schema.get("items")
        count = max(1, int(schema.get("minItems", 1)))
        return [_example(items, schemas, depth + 1) for _ in range(min(count, 3))]
    if kind == "string":
        if schema.get("contentEncoding") == "base64":
            return _STRING_FORMATS["byte"]
        text = _STRING_FORMATS.get(schema.get("format", ""), "string")
        return text * max(1, -(-int(schema.get("minLength", 0)) // len(text)))
    if kind in ("integer", "number"):
        return _number(kind, schema)
    if kind == "boolean":
        return True
    return None


def _number(kind: str, schema: dict[str, Any]) -> int | float:
    low = schema.get("minimum")
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        low, exclusive = exclusive, True
    value: int | float = 0 if low is None else low + (1 if exclusive is True else 0)
    high = schema.get("maximum")
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if kind == "integer" else float(value)
