"""Per-request validation cost of apicore-specbind against prebuilt validators.

Run: ``python benchmarks/bench_specbind.py [--quick]``.

A small POST with a model body. The peers are built once, as a server would: a jsonschema
``Draft4Validator`` (Swagger 2.0 schemas are draft 4) and a fastjsonschema function compiled
once. ``jsonschema.validate()`` is not a peer: it checks the schema itself on every call.
Rotated rounds, medians with the min-max (``harness``).
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable

import harness as h
import jsonschema

from apicore_specbind import load_spec

SPEC = {
    "swagger": "2.0",
    "info": {"title": "bench", "version": "1"},
    "paths": {
        "/pets/{petId}": {
            "post": {
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "type": "integer"},
                    {"name": "dry", "in": "query", "type": "boolean"},
                    {
                        "name": "pet",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Pet"},
                    },
                ],
                "responses": {
                    "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                },
            }
        }
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name", "price"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "price": {"type": "number", "minimum": 0},
                "tags": {"type": "array", "items": {"type": "string"}},
                "owner": {"$ref": "#/definitions/Owner"},
            },
        },
        "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
    },
}
BODY = json.dumps(
    {"name": "Rex", "price": 12.5, "tags": ["a", "b"], "owner": {"name": "Al"}}
).encode()
PET_SCHEMA = {"definitions": SPEC["definitions"], "$ref": "#/definitions/Pet"}


def calibrate(fn: Callable[[], object], seconds: float) -> int:
    """How many calls take about ``seconds`` (bounded)."""
    n = 1
    while n < 1_000_000:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > seconds / 4:
            break
        n *= 2
    return n


def per_call(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> int:
    mode, _ = h.Mode.parse()
    seconds = 0.2 if mode.quick else 1.0
    op = load_spec(SPEC).operations[0]

    def ours() -> object:
        return op.parse_request(
            path_params={"petId": "7"},
            query=[("dry", "true")],
            body=BODY,
            content_type="application/json",
        )

    prebuilt = jsonschema.Draft4Validator(PET_SCHEMA)
    compiled = importlib.import_module("fastjsonschema").compile(PET_SCHEMA)

    def with_jsonschema() -> object:
        data = json.loads(BODY)
        prebuilt.validate(data)
        return data

    def with_fastjsonschema() -> object:
        return compiled(json.loads(BODY))

    cases: dict[str, Callable[[], object]] = {
        "apicore-specbind `parse_request` (path + query + body, model out)": ours,
        "`json.loads` + jsonschema `Draft4Validator` built once (body only)": with_jsonschema,
        "`json.loads` + fastjsonschema compiled once (body only)": with_fastjsonschema,
        "`json.loads` alone (decoding only, no validation: not a floor)": lambda: json.loads(BODY),
    }
    counts = {name: calibrate(fn, seconds) for name, fn in cases.items()}
    with h.Pinned(0):
        results = h.rotated_rounds(
            list(cases), mode.rounds, lambda name: per_call(cases[name], counts[name])
        )
    base = next(iter(cases))
    print("## apicore-specbind: per-request validation cost (small POST, model body)\n")
    print(
        h.preamble(
            mode, ["apicore-specbind", "jsonschema", "fastjsonschema"], "in-process", served=False
        )
    )
    print(h.table(results, unit="µs/request", spec=".1f", against=[("÷ specbind", base)]))
    print(
        "specbind also coerces and validates the path and query parameters and builds model "
        "instances; the other rows validate the body alone. `jsonschema.validate(instance, "
        "schema)` is left out on purpose: it re-checks the schema against its metaschema on "
        "every call, a cost no server pays with a validator built once."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
