import dataclasses
import datetime as dt
import enum
import sys
import typing
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple, NewType, Optional, TypedDict, Union

import jsonschema
import pytest

from apicore_introspect import (
    Definitions,
    Doc,
    Examples,
    JsonSchema,
    Length,
    MultipleOf,
    Pattern,
    Range,
    UnsupportedAnnotationError,
    ValidationError,
    describe,
)

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")


class Color(str, enum.Enum):  # noqa: UP042  (the str mixin is what is tested)
    """A colour."""

    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Item:
    """An item in the basket.

    Attributes:
        name: What it is.
        price: Unit price.
    """

    name: str
    price: float
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Tree:
    value: int
    children: list["Tree"] = dataclasses.field(default_factory=list)


class Movie(TypedDict):
    title: str
    year: int


class Partial(TypedDict, total=False):
    title: str


class Point(NamedTuple):
    x: int
    y: int = 0


UserId = NewType("UserId", int)


def one(annotation: Any) -> Any:
    """Build a single-parameter function annotated with `annotation`."""

    def f(x):  # type: ignore[no-untyped-def]
        return x

    f.__annotations__ = {"x": annotation}
    return describe(f)


def ok(annotation: Any, value: Any) -> Any:
    op = one(annotation)
    _, kwargs = op.bind_json({"x": value})
    # the generated schema agrees: a value we accept is valid JSON Schema-wise
    jsonschema.Draft202012Validator(op.json_schema()).validate({"x": value})
    return kwargs["x"]


def bad(annotation: Any, value: Any) -> list[dict[str, Any]]:
    op = one(annotation)
    with pytest.raises(ValidationError) as info:
        op.bind_json({"x": value})
    errors: list[dict[str, Any]] = info.value.to_problem()["errors"]
    return errors


CASES: list[tuple[Any, Any, Any]] = [
    (int, 5, 5),
    (int, 5.0, 5),
    (float, 5, 5.0),
    (float, 2.5, 2.5),
    (str, "a", "a"),
    (bool, True, True),
    (None, None, None),
    (bytes, "AP8=", b"\x00\xff"),
    (list[int], [1, 2], [1, 2]),
    (Sequence[int], [1], [1]),
    (set[int], [1, 2], {1, 2}),
    (frozenset[str], ["a"], frozenset({"a"})),
    (tuple[int, str], [1, "a"], (1, "a")),
    (tuple[int, ...], [1, 2, 3], (1, 2, 3)),
    (dict[str, int], {"a": 1}, {"a": 1}),
    (Mapping[str, float], {"a": 1}, {"a": 1.0}),
    (Optional[int], None, None),
    (Optional[int], 3, 3),
    (int | str, "a", "a"),
    (Union[Item, int], {"name": "n", "price": 1}, Item("n", 1.0)),
    (Literal["a", 1, None], 1, 1),
    (Color, "red", Color.RED),
    (Level, 2, Level.HIGH),
    (Item, {"name": "n", "price": 2.5}, Item("n", 2.5)),
    (Tree, {"value": 1, "children": [{"value": 2}]}, Tree(1, [Tree(2)])),
    (Movie, {"title": "t", "year": 1999}, {"title": "t", "year": 1999}),
    (Partial, {}, {}),
    (Point, [1], Point(1, 0)),
    (dt.datetime, "2026-01-02T03:04:05Z", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    (
        dt.datetime,
        "2026-01-02t03:04:05.123456789+01:00",
        dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ),
    (dt.date, "2026-01-02", dt.date(2026, 1, 2)),
    (dt.time, "03:04:05", dt.time(3, 4, 5)),
    (dt.timedelta, "P1DT2H", dt.timedelta(days=1, hours=2)),
    (dt.timedelta, 90, dt.timedelta(seconds=90)),
    (dt.timedelta, "-PT1.5S", -dt.timedelta(seconds=1.5)),
    (
        uuid.UUID,
        "12345678-1234-5678-1234-567812345678",
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ),
    (Decimal, "1.10", Decimal("1.10")),
    (Decimal, 0.1, Decimal("0.1")),
    (UserId, 3, 3),
    (Any, {"a": [1]}, {"a": [1]}),
    (Annotated[int, Range(ge=0, le=10)], 10, 10),
    (Annotated[str, Length(1, 3), Pattern("^[a-z]+$")], "abc", "abc"),
    (Annotated[float, MultipleOf(0.5)], 1.5, 1.5),
    (Annotated[list[int], Length(max=2)], [1], [1]),
]


@pytest.mark.parametrize(
    ("annotation", "value", "expected"), CASES, ids=[repr(c[0]) for c in CASES]
)
def test_accepts_and_converts(annotation: Any, value: Any, expected: Any) -> None:
    result = ok(annotation, value)
    assert result == expected
    assert type(result) is type(expected)


BAD: list[tuple[Any, Any, str]] = [
    (int, "5", "int_type"),
    (int, True, "int_type"),
    (int, 5.5, "int_type"),
    (float, "x", "float_type"),
    (float, False, "float_type"),
    (str, 5, "string_type"),
    (bool, 1, "bool_type"),
    (None, 0, "null_type"),
    (bytes, "not base64!", "base64"),
    (list[int], {"a": 1}, "list_type"),
    (set[int], [1, 1], "unique_items"),
    (tuple[int, str], [1], "tuple_length"),
    (dict[str, int], [], "dict_type"),
    (int | str, [], "union_type"),
    (Literal["a", 1], True, "literal_error"),
    (Color, "blue", "enum"),
    (Level, "1", "enum"),
    # RFC 3339: seconds and an offset are required, the offset has a colon.
    *[
        (dt.datetime, text, "datetime_parsing")
        for text in (
            "2026-01-02",
            "2024-01-01T10:00",
            "2024-01-01T10:00Z",
            "2024-01-01T10:00:00",
            "2024-01-01T10:00:00+0100",
            "2024-01-01T10:00:00.Z",
            "\u0662024-01-01T10:00:00Z",
        )
    ],
    *[(dt.date, text, "date_parsing") for text in ("\u0662024-01-01", "02/01/2026")],
    (dt.time, "25:00", "time_parsing"),
    (dt.timedelta, "P1Y", "duration_parsing"),
    (uuid.UUID, "nope", "uuid_parsing"),
    (Decimal, "NaN", "decimal_parsing"),
    (Decimal, True, "decimal_parsing"),
    (Annotated[int, Range(gt=0)], 0, "greater_than"),
    (Annotated[int, Range(ge=0)], -1, "greater_than_equal"),
    (Annotated[int, Range(lt=5)], 5, "less_than"),
    (Annotated[int, Range(le=5)], 6, "less_than_equal"),
    (Annotated[int, MultipleOf(3)], 4, "multiple_of"),
    (Annotated[str, Length(2)], "a", "string_too_short"),
    (Annotated[str, Length(max=1)], "ab", "string_too_long"),
    (Annotated[str, Pattern("^a")], "ba", "string_pattern_mismatch"),
    (Annotated[list[int], Length(1)], [], "too_short"),
    (Annotated[dict[str, Any], JsonSchema({"minProperties": 1})], {}, "json_schema_minProperties"),
]


@pytest.mark.parametrize(
    ("annotation", "value", "code"), BAD, ids=[f"{c[0]!r}-{c[1]!r}" for c in BAD]
)
def test_rejects_with_located_error(annotation: Any, value: Any, code: str) -> None:
    errors = bad(annotation, value)
    assert errors[0]["type"] == code
    assert errors[0]["loc"][:2] == ["body", "x"]
    # and JSON Schema agrees the value is invalid (formats aside, which it does not check)
    if code not in {
        "datetime_parsing",
        "date_parsing",
        "time_parsing",
        "duration_parsing",
        "uuid_parsing",
        "base64",
        "decimal_parsing",
        "tuple_length",
    }:
        validator = jsonschema.Draft202012Validator(one(annotation).json_schema())
        assert not validator.is_valid({"x": value})


def test_nested_errors_are_all_reported_with_paths() -> None:
    def order(items: list[Item], note: str) -> None:
        """Place an order."""

    errors = bad_call(
        order,
        {"items": [{"name": "a", "price": 1}, {"name": 2}, {"price": "x", "extra": 1}], "note": 3},
    )
    assert errors == [
        {
            "loc": ["body", "items", 1, "name"],
            "msg": "Input should be a valid string",
            "type": "string_type",
        },
        {"loc": ["body", "items", 1, "price"], "msg": "Field required", "type": "missing"},
        {"loc": ["body", "items", 2, "name"], "msg": "Field required", "type": "missing"},
        {
            "loc": ["body", "items", 2, "price"],
            "msg": "Input should be a valid number",
            "type": "float_type",
        },
        {
            "loc": ["body", "items", 2, "extra"],
            "msg": "Unknown field; remove it",
            "type": "extra_forbidden",
        },
        {"loc": ["body", "note"], "msg": "Input should be a valid string", "type": "string_type"},
    ]


def bad_call(func: Any, body: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        describe(func).bind_json(body)
    errors: list[dict[str, Any]] = info.value.to_problem()["errors"]
    return errors


def test_dataclass_post_init_value_error_is_a_validation_error() -> None:
    @dataclasses.dataclass
    class Span:
        start: int
        end: int

        def __post_init__(self) -> None:
            if self.end < self.start:
                raise ValueError("end must not be before start")

    def f(span: Span) -> None: ...

    assert bad_call(f, {"span": {"start": 2, "end": 1}}) == [
        {"loc": ["body", "span"], "msg": "end must not be before start", "type": "value_error"}
    ]


def test_schemas_use_defs_and_descriptions() -> None:
    def buy(item: Item, color: Color, tree: Tree | None = None) -> list[Item]:
        """Buy an item."""
        return []

    op = describe(buy)
    assert op.parameter("item").schema == {"$ref": "#/$defs/Item"}
    assert op.return_schema == {"type": "array", "items": {"$ref": "#/$defs/Item"}}
    defs = op.referenced_definitions()
    assert set(defs) == {"Item", "Color", "Tree"}
    assert defs["Item"] == {
        "title": "Item",
        "type": "object",
        "description": "An item in the basket.",
        "properties": {
            "name": {"type": "string", "description": "What it is."},
            "price": {"type": "number", "description": "Unit price."},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "price"],
        "additionalProperties": False,
    }
    assert defs["Color"] == {
        "title": "Color",
        "description": "A colour.",
        "type": "string",
        "enum": ["red", "green"],
    }
    assert defs["Tree"]["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/Tree"},
    }
    jsonschema.Draft202012Validator.check_schema(op.json_schema())


def test_annotated_docs_and_examples() -> None:
    def f(x: Annotated[int, Doc("How many."), Examples(1, 2), Range(ge=1)]) -> None: ...

    assert describe(f).parameter("x").schema == {
        "type": "integer",
        "minimum": 1,
        "description": "How many.",
        "examples": [1, 2],
    }


def test_shared_definitions_disambiguate_same_names() -> None:
    first = Item

    @dataclasses.dataclass
    class Item2:
        x: int

    Item2.__name__ = "Item"
    registry = Definitions()

    def a(x: first) -> None: ...  # type: ignore[valid-type]

    def b(x: Item2) -> None: ...

    describe(a, definitions=registry)
    op = describe(b, definitions=registry)
    assert op.parameter("x").schema == {"$ref": "#/$defs/Item2"}
    assert set(registry.schemas()) == {"Item", "Item2"}


@pytest.mark.parametrize(
    "annotation",
    [complex, dict[int, str], type, Literal[1.5], typing.Callable[[], int], object.__new__],
)
def test_unsupported_annotations_name_the_parameter(annotation: Any) -> None:
    with pytest.raises(UnsupportedAnnotationError, match="parameter 'x'"):
        one(annotation)


def test_unresolvable_forward_reference_names_the_parameter() -> None:
    def f(x: "Missing") -> None: ...  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(UnsupportedAnnotationError, match="parameter 'x'"):
        describe(f)


def test_enum_with_non_json_values_is_refused() -> None:
    class Weird(enum.Enum):
        A = object()

    with pytest.raises(UnsupportedAnnotationError, match="non-JSON value"):
        one(Weird)


def test_legacy_mode_ignores_unknown_nested_fields() -> None:
    def f(item: Item) -> None: ...

    op = describe(f, extra="ignore")
    assert op.bind_json({"item": {"name": "a", "price": 1, "zzz": 1}, "other": 1}) == (
        (),
        {"item": Item("a", 1.0)},
    )
    assert "additionalProperties" not in op.referenced_definitions()["Item"]


def test_annotated_types_markers() -> None:
    annotated_types = pytest.importorskip("annotated_types")
    ann = Annotated[int, annotated_types.Interval(ge=1, lt=10), annotated_types.MultipleOf(3)]
    assert one(ann).parameter("x").schema == {
        "type": "integer",
        "minimum": 1,
        "exclusiveMaximum": 10,
        "multipleOf": 3,
    }
    assert ok(ann, 9) == 9
    assert bad(ann, 10)[0]["type"] == "less_than"
    assert bad(Annotated[str, annotated_types.MaxLen(2)], "abc")[0]["type"] == "string_too_long"


def test_pydantic_models() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Address(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        street: str
        number: int = pydantic.Field(ge=1)

    class Customer(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        name: str
        address: Address

    def register(customer: Customer) -> Customer:
        return customer

    op = describe(register)
    _, kwargs = op.bind(
        b'{"customer": {"name": "Ada", "address": {"street": "Main", "number": 1}}}'
    )
    assert isinstance(kwargs["customer"], Customer)
    assert op.dump(kwargs["customer"]) == b'{"name":"Ada","address":{"street":"Main","number":1}}'
    defs = op.referenced_definitions()
    assert set(defs) == {"Customer", "Address"}
    assert defs["Customer"]["properties"]["address"] == {"$ref": "#/$defs/Address"}
    with pytest.raises(ValidationError) as info:
        op.bind(b'{"customer": {"name": "Ada", "address": {"street": "Main", "number": 0}}}')
    assert info.value.errors[0].loc == ("body", "customer", "address", "number")
    assert info.value.errors[0].type == "greater_than_equal"


def test_recursive_dataclass_decodes_deeply() -> None:
    value: dict[str, Any] = {"value": 0}
    for depth in range(1, 20):
        value = {"value": depth, "children": [value]}
    tree = ok(Tree, value)
    assert tree.value == 19
    assert tree.children[0].children[0].value == 17


def test_bound_methods_and_wrapped_functions() -> None:
    import functools

    class Service:
        def greet(self, name: str) -> str:
            return name

    def logged(func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        return wrapper

    @logged
    def add(a: int, b: int = 1) -> int:
        return a + b

    assert [p.name for p in describe(Service().greet).parameters] == ["name"]
    op = describe(add)
    assert [p.name for p in op.parameters] == ["a", "b"]
    assert op.bind(b'{"a": 1}') == ((), {"a": 1, "b": 1})


def test_bounded_decimals_are_checked_and_documented() -> None:
    bounded = Annotated[Decimal, Range(ge=0, le=10_000), MultipleOf(0.5)]
    assert one(bounded).parameter("x").schema == {
        "type": "number",
        "minimum": 0,
        "maximum": 10_000,
        "multipleOf": 0.5,
    }
    assert ok(bounded, 19.5) == Decimal("19.5")
    assert bad(bounded, 20_000)[0]["type"] == "less_than_equal"
    assert bad(bounded, 1.25)[0]["type"] == "multiple_of"
    # a string cannot carry bounds in JSON Schema, so a bounded Decimal takes numbers only
    assert bad(bounded, "5")[0]["type"] == "decimal_parsing"


@pytest.mark.parametrize("text", ["1E+2", "+1", ".5", "1.", "1e3", " 1", "NaN", "Infinity"])
def test_decimal_strings_follow_the_documented_pattern(text: str) -> None:
    assert bad(Decimal, text)[0]["type"] == "decimal_parsing"


def test_decimal_results_are_fixed_point() -> None:
    def total() -> Decimal:
        return Decimal("2E+2")

    op = describe(total)
    assert op.dump(Decimal("2E+2")) == b'"200"'
    assert op.dump(Decimal("1.44E+3")) == b'"1440"'
    assert op.dump(Decimal("-0.000001")) == b'"-0.000001"'


def test_json_schema_marker_without_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    # jsonschema is an extra: without it, the marker fails at decoration with what to install.
    monkeypatch.setitem(sys.modules, "jsonschema", None)

    def f(x: Annotated[dict[str, Any], JsonSchema({"minProperties": 1})]) -> None: ...

    with pytest.raises(UnsupportedAnnotationError, match=r"apicore-introspect\[jsonschema\]"):
        describe(f)
