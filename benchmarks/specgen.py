"""Build a synthetic OpenAPI 3.0 document as large as Stripe's (deterministic, no downloads).

Stripe's ``spec3.json`` (4.2 MB) has 417 operations and 557 schemas. This generator builds a
document of the same shape: resources with list/create/retrieve/update/delete operations,
schemas with many described properties, ``$ref`` between schemas, ``allOf`` compositions,
nullable and enum properties, shared parameters and an error schema. References point to a
pool of 60 "leaf" schemas (as Stripe's point to shared objects such as addresses): long
reference chains make openapi-spec-validator (hence openapi-core) recurse past Python's
limit, which would leave no peer to compare with.

Run ``python benchmarks/specgen.py out.json`` to write one; the benchmarks call
:func:`build_spec` and write it to a temporary folder.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

_WORDS = (
    "account balance charge customer dispute invoice payment refund subscription transfer "
    "payout price product coupon discount session source token webhook event file review "
    "quote order item plan usage record tax rate country currency amount status created "
    "description metadata livemode object identifier reference merchant capture reason"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


_LEAVES = 60  # schemas that reference no other: every $ref targets one of them


def _property(rng: random.Random, index: int, names: list[str], own: int) -> dict[str, Any]:
    kind = index % 9
    if own < _LEAVES and kind in (4, 5, 8):
        kind = index % 4  # leaves hold plain values only
    leaves = names[:_LEAVES]
    described = {"description": _sentence(rng, rng.randint(18, 40))}
    if kind == 0:
        return {"type": "string", "maxLength": 5000, **described}
    if kind == 1:
        return {"type": "integer", "format": "int64", "minimum": 0, **described}
    if kind == 2:
        values = sorted({rng.choice(_WORDS) for _ in range(5)})
        return {"type": "string", "enum": values, **described}
    if kind == 3:
        return {"type": "boolean", **described}
    if kind == 4:
        target = leaves[(own + index * 7 + 1) % len(leaves)]
        return {
            "anyOf": [
                {"type": "string", "maxLength": 5000},
                {"$ref": f"#/components/schemas/{target}"},
            ],
            "nullable": True,
            **described,
        }
    if kind == 5:
        target = leaves[(own + index * 3 + 2) % len(leaves)]
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{target}"}, **described}
    if kind == 6:
        return {
            "type": "object",
            "additionalProperties": {"type": "string", "maxLength": 500},
            **described,
        }
    if kind == 7:
        return {"type": "string", "format": "date-time", "nullable": True, **described}
    target = leaves[(own + index + 3) % len(leaves)]
    return {"allOf": [{"$ref": f"#/components/schemas/{target}"}], "nullable": True, **described}


def _schemas(rng: random.Random, count: int) -> dict[str, Any]:
    names = [f"Resource{i:03d}" for i in range(count)]
    schemas: dict[str, Any] = {}
    for own, name in enumerate(names):
        props = {
            "id": {"type": "string", "maxLength": 5000, "description": "Unique identifier."},
            "object": {"type": "string", "enum": [name.lower()], "description": "Object type."},
        }
        props.update(
            {f"{rng.choice(_WORDS)}_{i}": _property(rng, i, names, own) for i in range(12)}
        )
        schema: dict[str, Any] = {
            "type": "object",
            "description": _sentence(rng, 60),
            "properties": props,
            "required": ["id", "object"],
            "title": name,
            "x-resourceId": name.lower(),
        }
        if own % 4 == 0 and own >= _LEAVES:
            # a composed schema: a parent (a leaf) plus its own properties
            schema = {
                "allOf": [
                    {"$ref": f"#/components/schemas/{names[own % _LEAVES]}"},
                    {"type": "object", "properties": props, "required": ["id"]},
                ],
                "description": schema["description"],
            }
        schemas[name] = schema
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["api_error", "card_error"]},
                    "message": {"type": "string", "maxLength": 40000},
                    "code": {"type": "string", "maxLength": 5000},
                },
                "required": ["type"],
            }
        },
        "required": ["error"],
    }
    return schemas


def _operations(rng: random.Random, resource: str, name: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{name}"}
    error = {
        "description": "Error response.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }

    def ok(schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "200": {
                "description": "Successful response.",
                "content": {"application/json": {"schema": schema}},
            },
            "default": error,
        }

    body = {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string", "maxLength": 5000},
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                        "expand": {"type": "array", "items": {"type": "string", "maxLength": 5000}},
                    },
                    "additionalProperties": False,
                }
            }
        },
    }
    item_id = {
        "in": "path",
        "name": "id",
        "required": True,
        "schema": {"type": "string", "maxLength": 5000},
    }
    listing = {
        "type": "object",
        "properties": {
            "object": {"type": "string", "enum": ["list"]},
            "data": {"type": "array", "items": ref},
            "has_more": {"type": "boolean"},
            "url": {"type": "string", "maxLength": 5000, "pattern": "^/v1/"},
        },
        "required": ["object", "data", "has_more", "url"],
    }
    return {
        f"/v1/{resource}": {
            "get": {
                "operationId": f"Get{name}s",
                "description": _sentence(rng, 30),
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/starting_after"},
                    {"$ref": "#/components/parameters/expand"},
                    {"in": "query", "name": "created", "schema": {"type": "integer"}},
                ],
                "responses": ok(listing),
            },
            "post": {
                "operationId": f"Post{name}s",
                "description": _sentence(rng, 30),
                "requestBody": body,
                "responses": ok(ref),
            },
        },
        f"/v1/{resource}/{{id}}": {
            "get": {
                "operationId": f"Get{name}",
                "parameters": [item_id, {"$ref": "#/components/parameters/expand"}],
                "responses": ok(ref),
            },
            "post": {
                "operationId": f"Post{name}",
                "parameters": [item_id],
                "requestBody": body,
                "responses": ok(ref),
            },
            "delete": {
                "operationId": f"Delete{name}",
                "parameters": [item_id],
                "responses": ok(
                    {
                        "type": "object",
                        "properties": {"deleted": {"type": "boolean", "enum": [True]}},
                    }
                ),
            },
        },
    }


def build_spec(*, operations: int = 420, schemas: int = 560, seed: int = 7) -> dict[str, Any]:
    """A Stripe-sized OpenAPI 3.0.3 document (about 4 MB of JSON with the defaults)."""
    rng = random.Random(seed)
    components = _schemas(rng, schemas)
    names = [n for n in components if n != "Error"]
    paths: dict[str, Any] = {}
    for index in range((operations + 4) // 5):
        name = names[index % len(names)]
        paths.update(_operations(rng, f"{name.lower()}_{index}", name))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Synthetic Stripe-sized API", "version": "2024-01-01"},
        "servers": [{"url": "https://api.example.com/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "parameters": {
                "limit": {
                    "in": "query",
                    "name": "limit",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                },
                "starting_after": {
                    "in": "query",
                    "name": "starting_after",
                    "schema": {"type": "string", "maxLength": 5000},
                },
                "expand": {
                    "in": "query",
                    "name": "expand",
                    "style": "deepObject",
                    "explode": True,
                    "schema": {"type": "array", "items": {"type": "string", "maxLength": 5000}},
                },
            },
        },
    }


def count(document: dict[str, Any]) -> tuple[int, int]:
    """(operations, schemas) of a document built here."""
    ops = sum(1 for item in document["paths"].values() for _ in item)
    return ops, len(document["components"]["schemas"])


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "synthetic-spec.json")
    spec = build_spec()
    target.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    ops, defs = count(spec)
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB, {ops} operations, {defs} schemas")
