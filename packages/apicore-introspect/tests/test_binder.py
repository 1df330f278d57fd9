"""The binder's two paths agree: whatever the generated fast path accepts, the full decoder
accepts with the same arguments, and whatever the full decoder rejects, the fast path hands
over to it (never answering on its own).

Inputs are random JSON documents mixed with schema-valid ones, for every supported type,
each as a required and as an optional parameter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import inspect
import math
import os
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple, TypedDict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_jsonschema import from_schema

from apicore_introspect import FunctionOperation, Length, Range, ValidationError, describe
from apicore_introspect._binder import _NO_PARTS, _Slow


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Item:
    sku: Annotated[str, Length(1, 4)]
    qty: Annotated[int, Range(ge=0, le=9)] = 1


class Address(TypedDict, total=False):
    street: str


class Pair(NamedTuple):
    left: int
    right: float = 0.0


TYPES: dict[str, Any] = {
    "int": int,
    "bounded_int": Annotated[int, Range(ge=-3, le=3)],
    "float": float,
    "str": str,
    "short_str": Annotated[str, Length(0, 3)],
    "bool": bool,
    "none": None,
    "any": Any,
    "optional_int": int | None,
    "union": int | str,
    "literal": Literal["a", "b", 1],
    "enum": Color,
    "list_int": list[int],
    "set_str": frozenset[str],
    "dict_str_int": dict[str, int],
    "tuple": tuple[int, str],
    "var_tuple": tuple[int, ...],
    "namedtuple": Pair,
    "dataclass": Item,
    "typeddict": Address,
    "nested": list[dict[str, list[int | None]]],
    "date": dt.date,
    "datetime": dt.datetime,
    "uuid": uuid.UUID,
    "decimal": Decimal,
    "bytes": bytes,
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)


# More examples for a thorough run: APICORE_BINDER_EXAMPLES=500 hatch run test:unit <this file>
EXAMPLES = int(os.environ.get("APICORE_BINDER_EXAMPLES", "20"))


def operation(annotation: Any, *, required: bool) -> FunctionOperation:
    default = inspect.Parameter.empty if required else None
    param = inspect.Parameter(
        "x", inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )

    def f(**kwargs: Any) -> None: ...

    f.__signature__ = inspect.Signature([param])  # type: ignore[attr-defined]
    f.__annotations__ = {"x": annotation}
    return describe(f)


OPERATIONS = {
    (name, required): operation(annotation, required=required)
    for name, annotation in TYPES.items()
    for required in (True, False)
}


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check(op: FunctionOperation, body: Any) -> None:
    binder = op._binder
    try:
        full = binder._full(body, {}, {}, _NO_PARTS)
    except ValidationError:
        full = None
    try:
        fast = binder._fast(body)
    except _Slow:
        return  # the full path decides, as bind() does
    assert full is not None, f"the fast path accepted {body!r}, which the full decoder rejects"
    assert same(fast, full), f"{body!r}: fast {fast!r} != full {full!r}"


@pytest.mark.parametrize(
    "key", sorted(OPERATIONS), ids=lambda k: f"{k[0]}-{'req' if k[1] else 'opt'}"
)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_agrees_with_the_full_decoder(key: tuple[str, bool], data: st.DataObject) -> None:
    op = OPERATIONS[key]
    value = data.draw(st.one_of(JSON, st.just(None)), label="x")
    extra = data.draw(st.dictionaries(st.sampled_from(["y", "x"]), JSON, max_size=1), label="more")
    check(op, {"x": value, **extra})
    check(op, {})
    check(op, value)  # a body that is not an object at all


# hypothesis-jsonschema predates draft 2020-12's prefixItems: tuples are covered above only
@pytest.mark.parametrize("name", [n for n in TYPES if n not in {"tuple", "namedtuple"}], ids=str)
@settings(
    max_examples=EXAMPLES * 3 // 5, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_fast_path_agrees_on_schema_valid_bodies(name: str, data: st.DataObject) -> None:
    op = OPERATIONS[(name, True)]
    body = data.draw(from_schema(op.json_schema()))
    check(op, body)
    _, kwargs = op.bind_json(body)
    assert "x" in kwargs


def test_the_fast_path_is_taken_for_plain_values() -> None:
    # the property above is vacuous if the fast path always gives up: it must answer here
    for name, body in [("int", {"x": 3}), ("str", {"x": "a"}), ("list_int", {"x": [1]})]:
        assert OPERATIONS[(name, True)]._binder._fast(body) == ((), body)


@pytest.mark.parametrize(
    ("name", "required", "body"),
    [
        ("literal", True, b'{"x": []}'),  # was a TypeError (a 500) from the fast path
        ("literal", False, b'{"x": {"a": 1}}'),
        ("bool", False, b'{"x": null}'),  # was accepted by the fast path only
        ("int", False, b'{"x": null}'),
    ],
)
def test_what_the_full_decoder_rejects_is_a_validation_error(
    name: str, required: bool, body: bytes
) -> None:
    with pytest.raises(ValidationError):
        OPERATIONS[(name, required)].bind(body)


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinity_is_refused_by_both_paths(required: bool, value: float) -> None:
    # found by the property above with more examples: the fast path accepted inf
    op = OPERATIONS[("float", required)]
    check(op, {"x": value})
    with pytest.raises(ValidationError):
        op.bind_json({"x": value})
