"""Binding cost: raw body bytes -> validated, coerced call arguments.

The workload of the issue: ``{"a": 48, "b": 21}`` bound to ``def add(a: int, b: int = 372)``
(strict decode, validate, coerce). Compared, in the same process, with ``json.loads`` plus a
pre-built jsonschema Draft 2020-12 validator, pydantic's ``TypeAdapter`` (parse and validate
in one call, and ``json.loads`` + ``validate_python``), and fastjsonschema when installed.
"""

from __future__ import annotations

import json
import sys
import timeit
from collections.abc import Callable
from typing import Any

import harness as h
from typing_extensions import TypedDict

from apicore_introspect import describe

RAW = b'{"a": 48, "b": 21}'


def add(a: int, b: int = 372) -> int:
    """Add two numbers."""
    return a + b


def ns_per_call(fn: Callable[[], Any], *, number: int, repeat: int) -> h.Stats:
    fn()
    with h.Pinned(0):
        times = timeit.repeat(fn, number=number, repeat=repeat)
    return h.Stats(tuple(t / number * 1e9 for t in times))


def main(argv: list[str]) -> int:
    mode, _ = h.Mode.parse(argv)
    number, repeat = (20_000, 3) if mode.quick else (200_000, 7)
    op = describe(add)
    assert op.bind(RAW) == ((), {"a": 48, "b": 21})

    import jsonschema

    schema = op.json_schema()
    validator = jsonschema.Draft202012Validator(schema)

    def with_jsonschema() -> dict[str, Any]:
        value = json.loads(RAW)
        validator.validate(value)
        return {"b": 372, **value}

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("apicore_introspect `op.bind(raw)`", lambda: op.bind(RAW)),
        ("`json.loads` + jsonschema Draft202012 (pre-built)", with_jsonschema),
    ]
    try:
        from pydantic import TypeAdapter

        class AddArgs(TypedDict, total=False):
            a: int
            b: int

        adapter = TypeAdapter(AddArgs)
        cases.append(
            ("pydantic `TypeAdapter.validate_json(raw)`", lambda: adapter.validate_json(RAW))
        )
        cases.append(
            (
                "`json.loads` + pydantic `validate_python`",
                lambda: adapter.validate_python(json.loads(RAW)),
            )
        )
    except ImportError:
        pass
    try:
        import fastjsonschema

        compiled = fastjsonschema.compile(schema)
        cases.append(
            ("`json.loads` + fastjsonschema (compiled)", lambda: compiled(json.loads(RAW)))
        )
    except ImportError:
        pass
    # Not a floor: apicore decodes with the C scanner directly, without json.loads' checks.
    cases.append(("`json.loads` alone (decoding only, no validation)", lambda: json.loads(RAW)))

    results = {name: ns_per_call(fn, number=number, repeat=repeat) for name, fn in cases}
    ours, jsonschema_row = list(results)[:2]
    print('## apicore-introspect: binding `{"a": 48, "b": 21}` to `add(a: int, b: int = 372)`\n')
    dists = ["apicore-introspect", "jsonschema", "pydantic", "fastjsonschema"]
    print(h.preamble(mode, dists, f"{repeat} repeats of {number:,} calls", served=False))
    print(h.table(results, unit="ns per call", spec=",.0f", against=[("÷ apicore", ours)]))
    budget = 4000
    print(
        f"apicore binds in {results[ours].median / 1000:.2f} µs (budget {budget / 1000:.0f} µs): "
        f"{h.ratio(results[jsonschema_row], results[ours]):.1f}x faster than json.loads + "
        "a prebuilt jsonschema validator."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
