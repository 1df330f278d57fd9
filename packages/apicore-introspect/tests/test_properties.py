"""Property tests: generated valid inputs bind and round-trip; broken ones are located."""

import dataclasses
import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple, TypedDict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_jsonschema import from_schema

from apicore_introspect import FunctionOperation, Length, Range, ValidationError, describe
from apicore_test_support import json_values

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")


class Color(str, enum.Enum):  # noqa: UP042  (the str mixin is what is tested)
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Line:
    sku: Annotated[str, Length(1, 8)]
    qty: Annotated[int, Range(ge=1, le=99)]
    color: Color | None = None


class Address(TypedDict, total=False):
    street: str
    zip: str


class Pair(NamedTuple):
    left: int
    right: float = 0.0


def order(
    lines: list[Line],
    ship_to: Address,
    pair: Pair,
    notes: dict[str, str],
    priority: Literal["low", "high"] = "low",
    tags: frozenset[str] = frozenset(),
    coords: tuple[float, float] | None = None,
    when: dt.date | None = None,
    at: dt.datetime | None = None,
    ref: uuid.UUID | None = None,
    blob: bytes = b"",
    amount: Decimal | None = None,
    anything: Any = None,
    flag: bool = False,
) -> dict[str, Any]:
    """Place an order."""
    return {}


OPERATION = describe(order)
NAMES = [p.name for p in OPERATION.parameters]


def single(name: str) -> FunctionOperation:
    """An operation taking only the parameter `name` of `order`, to keep schemas small."""
    param = OPERATION.parameter(name)

    def f(**kwargs: Any) -> None: ...

    f.__signature__ = __import__("inspect").Signature(  # type: ignore[attr-defined]
        [
            __import__("inspect").Parameter(
                name, __import__("inspect").Parameter.KEYWORD_ONLY, annotation=param.annotation
            )
        ]
    )
    f.__annotations__ = {name: param.annotation}
    return describe(f)


SINGLES = {name: single(name) for name in NAMES}


def roundtrip(op: FunctionOperation, kwargs: dict[str, Any]) -> dict[str, Any]:
    # dump every bound argument, then bind the dumped JSON again
    dumped = json.loads(op.dump(kwargs))
    return op.bind_json(dumped)[1]


# hypothesis-jsonschema predates draft 2020-12's prefixItems: tuples get their own test below
@pytest.mark.parametrize("name", [n for n in NAMES if n not in {"pair", "coords"}])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_instances_bind_and_roundtrip(name: str, data: st.DataObject) -> None:
    op = SINGLES[name]
    instance = data.draw(from_schema(op.json_schema()))
    _, kwargs = op.bind_json(instance)
    assert roundtrip(op, kwargs) == kwargs
    # and the same through the bytes path, strict decoder included
    assert op.bind(json.dumps(instance).encode()) == ((), kwargs)


WRONG_TYPED = {
    "lines": "x",
    "ship_to": [],
    "pair": {},
    "notes": 1,
    "priority": "medium",
    "tags": 3,
    "coords": [1.0],
    "when": "yesterday",
    "at": 5,
    "ref": "nope",
    "blob": "!!!",
    "amount": "1e",
    "flag": "yes",
}
VALID = {
    "lines": [{"sku": "a", "qty": 1}],
    "ship_to": {},
    "pair": [1],
    "notes": {},
}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(WRONG_TYPED)), min_size=1), st.data())
def test_broken_instances_are_rejected_with_every_location(
    broken: set[str], data: st.DataObject
) -> None:
    instance: dict[str, Any] = dict(VALID)
    for key in broken:
        instance[key] = WRONG_TYPED[key]
    # nested failures, found at any depth, are located too
    bad_qty = data.draw(st.integers(min_value=100) | st.integers(max_value=0))
    instance["lines"] = instance["lines"] if "lines" in broken else [{"sku": "a", "qty": bad_qty}]
    with pytest.raises(ValidationError) as info:
        OPERATION.bind_json(instance)
    located = {error.loc[1] for error in info.value.errors}
    assert located == broken | {"lines"}
    assert all(error.loc[0] == "body" for error in info.value.errors)
    if "lines" not in broken:
        assert ("body", "lines", 0, "qty") in {error.loc for error in info.value.errors}


FLOATS = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(
    st.tuples(st.integers(), FLOATS) | st.tuples(st.integers()),
    st.none() | st.tuples(FLOATS, FLOATS),
)
def test_tuples_bind_and_roundtrip(
    pair: tuple[Any, ...], coords: tuple[float, float] | None
) -> None:
    body = {**VALID, "pair": list(pair), "coords": None if coords is None else list(coords)}
    _, kwargs = OPERATION.bind_json(body)
    assert kwargs["pair"] == Pair(*pair)
    assert kwargs["coords"] == coords
    assert roundtrip(OPERATION, kwargs) == kwargs


JSON = json_values(
    max_int=2**63, max_text=20, keys=st.text(max_size=8), max_items=4, max_keys=4, max_leaves=20
)


@settings(max_examples=100, deadline=None)
@given(JSON)
def test_any_json_value_passes_through_an_unannotated_parameter(value: Any) -> None:
    def echo(value):  # type: ignore[no-untyped-def]
        return value

    op = describe(echo)
    raw = json.dumps({"value": value}).encode()
    assert op.bind(raw) == ((), {"value": value})
    assert json.loads(op.dump(value)) == value


@settings(max_examples=100, deadline=None)
@given(st.timedeltas(min_value=dt.timedelta(days=-9999), max_value=dt.timedelta(days=9999)))
def test_durations_roundtrip(delta: dt.timedelta) -> None:
    def wait(d: dt.timedelta) -> dt.timedelta:
        return d

    op = describe(wait)
    _, kwargs = op.bind_json({"d": json.loads(op.dump(delta))})
    assert kwargs["d"] == delta


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_the_error_hierarchy(raw: bytes) -> None:
    from apicore_introspect import RequestError

    try:
        OPERATION.bind(raw)
    except RequestError as exc:
        status = exc.to_problem()["status"]
    else:
        status = 200
    assert status in {200, 400, 422}
