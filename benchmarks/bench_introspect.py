"""Binding cost: raw body bytes -> validated, coerced call arguments.

The workload of the issue: ``{"a": 48, "b": 21}`` bound to ``def add(a: int, b: int = 372)``
(strict decode, validate, coerce). Compared, in the same process, with ``json.loads`` plus a
pre-built jsonschema Draft 2020-12 validator, pydantic's ``TypeAdapter`` (parse and validate
in one call, and ``json.loads`` + ``validate_python``), and fastjsonschema when installed.
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from collections.abc import Callable
from typing import Any

from typing_extensions import TypedDict

from apicore_introspect import describe

RAW = b'{"a": 48, "b": 21}'


def add(a: int, b: int = 372) -> int:
    """Add two numbers."""
    return a + b


def ns_per_call(fn: Callable[[], Any], *, number: int, repeat: int) -> float:
    fn()
    times = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(times) / number * 1e9


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    number, repeat = (20_000, 3) if quick else (200_000, 7)
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
    cases.append(("`json.loads` alone (floor, no validation)", lambda: json.loads(RAW)))

    results = [(name, ns_per_call(fn, number=number, repeat=repeat)) for name, fn in cases]
    ours = results[0][1]
    print('## apicore-introspect: binding `{"a": 48, "b": 21}` to `add(a: int, b: int = 372)`\n')
    print(f"Median of {repeat} repeats of {number:,} calls each.\n")
    print("| implementation | ns per call | time relative to apicore (x) |")
    print("|---|---:|---:|")
    for name, ns in results:
        print(f"| {name} | {ns:,.0f} | {ns / ours:.2f} |")
    budget = 4000
    print(
        f"\napicore binds in {ours / 1000:.2f} µs (budget {budget / 1000:.0f} µs): "
        f"{results[1][1] / ours:.1f}x faster than json.loads + jsonschema."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
