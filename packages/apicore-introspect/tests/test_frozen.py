"""Markers and other value classes are immutable, as the frozen dataclasses they replaced were.

They are ``@frozen`` classes, to keep dataclass creation out of the import (issue 19).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import weakref
from typing import Any, ClassVar

import pytest

from apicore_introspect import (
    REQUIRED,
    Cookie,
    Doc,
    Docstring,
    ErrorDetail,
    Examples,
    Form,
    Header,
    JsonSchema,
    Length,
    Limits,
    MultipleOf,
    Parameter,
    Path,
    Pattern,
    Query,
    Range,
    RequestParts,
    Source,
    describe,
    frozen as frozen_module,
)
from apicore_introspect._binder import Placed
from apicore_introspect._constraints import Constraints
from apicore_introspect._containers import Field
from apicore_introspect._nodes import Node
from apicore_introspect.frozen import Frozen, field, frozen

HASHABLE = [
    (Range(ge=1, lt=5.5), "Range(gt=None, ge=1, lt=5.5, le=None)"),
    (Length(1, 80), "Length(min=1, max=80)"),
    (Pattern("^a$"), "Pattern(regex='^a$')"),
    (MultipleOf(0.5), "MultipleOf(value=0.5)"),
    (Doc("d"), "Doc(description='d')"),
    (Examples(1, "x"), "Examples(values=(1, 'x'))"),
    (Header("X-Tenant"), "Header(alias='X-Tenant')"),
    (Cookie(), "Cookie(alias=None)"),
    (Query("q"), "Query(alias='q')"),
    (Path("id"), "Path(alias='id')"),
    (Form("f"), "Form(alias='f')"),
    (Source("s"), "Source(alias='s')"),
    (
        ErrorDetail(("body", "a"), "bad", "int_type"),
        "ErrorDetail(loc=('body', 'a'), msg='bad', type='int_type')",
    ),
    (Limits(), "Limits(max_depth=64, max_int_digits=256)"),
    (Placed("f", "header", "x-f"), "Placed(field='f', location='header', key='x-f')"),  # type: ignore[arg-type]
]
UNHASHABLE = [
    (JsonSchema({"a": 1}), "JsonSchema(schema={'a': 1})"),
    (
        Docstring("s", params={"a": "d"}),
        "Docstring(summary='s', description='', params={'a': 'd'}, returns='')",
    ),
    (
        Parameter("a", "keyword_only", int, True, REQUIRED, {"type": "integer"}, "d"),
        "Parameter(name='a', kind='keyword_only', annotation=<class 'int'>, required=True, "
        "default=<class 'inspect._empty'>, schema={'type': 'integer'}, description='d', "
        "source='auto', alias='')",
    ),
    (
        RequestParts(headers={"x": "1"}),
        "RequestParts(headers={'x': '1'}, cookies={}, query={}, form=None)",
    ),
]


@pytest.mark.parametrize(("value", "shown"), HASHABLE + UNHASHABLE)
def test_a_value_is_its_fields(value: Any, shown: str) -> None:
    assert repr(value) == shown
    same = copy.copy(value)
    assert same is not value
    assert same == value
    if (value, shown) in HASHABLE:
        assert hash(same) == hash(value)
    else:
        with pytest.raises(TypeError, match="unhashable type: 'dict'"):
            hash(value)
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    name = type(value).__match_args__[0]
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
        setattr(value, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{name}'"):
        delattr(value, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.other = 1
    assert not hasattr(value, "__dict__")


def test_equal_fields_of_another_class_are_not_equal() -> None:
    assert Header("a") != Cookie("a")  # type: ignore[comparison-overlap]
    assert Header("a") != Header("b")
    assert Range() != Constraints()
    assert Header("a") != ("a",)  # type: ignore[comparison-overlap]
    assert len({Header("a"), Header("a"), Query("a")}) == 2


def test_a_missing_dict_field_is_a_new_dict_each_time() -> None:
    assert RequestParts().headers == {}
    assert RequestParts().headers is not RequestParts().headers
    assert RequestParts().query is not RequestParts().query
    assert Docstring().params is not Docstring().params
    assert RequestParts(form={}).form == {}


def test_a_field_keeps_its_node() -> None:
    field = Field("a", Node(), required=True)
    assert Placed(field, "query", "a").field is field


def test_the_fields_match_in_a_match_statement() -> None:
    match Length(1, 80):
        case Length(low, high):
            assert (low, high) == (1, 80)
        case _:  # pragma: no cover - the case above must match
            pytest.fail("Length did not match")


def test_constraints_replace_keeps_the_other_fields() -> None:
    first = Constraints(ge=1, extra_schema={"a": 1})
    changed = dataclasses.replace(first, pattern="^x$")
    assert changed == Constraints(ge=1, pattern="^x$", extra_schema={"a": 1})
    assert first.pattern is None
    assert Constraints().extra_schema is not Constraints().extra_schema
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        dataclasses.replace(first, nope=1)  # type: ignore[call-arg]


def test_the_documented_class() -> None:
    @frozen
    class Span:
        low: int
        high: int = 10
        tags: list[str] = field(default_factory=list)

    assert Span(1) == Span(1, 10)
    assert Span(1) != Span(2)
    assert repr(Span(1)) == "test_the_documented_class.<locals>.Span(low=1, high=10, tags=[])"
    assert Span(1).tags is not Span(1).tags
    assert isinstance(Span(1), Frozen)
    assert vars(Span)["__slots__"] == ("low", "high", "tags")
    parameters = inspect.signature(Span).parameters
    assert list(parameters) == ["low", "high", "tags"]
    assert parameters["high"].default == 10
    assert parameters["low"].annotation == "int"  # as written (postponed annotations)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Span(1).low = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'low'"):
        Span()  # type: ignore[call-arg]


def test_a_subclass_adds_fields_after_its_bases() -> None:
    @frozen
    class Base:
        a: int
        b: int = 2

        def total(self) -> int:
            return self.a + self.b

    @frozen
    class Child(Base):
        scale: ClassVar[int] = 10  # not a field
        c: int = 3
        secret: str = field(default_factory=str, repr=False)

        def total(self) -> int:
            return super().total() * self.scale + self.c

    child = Child(1, c=4, secret="s")
    assert Child.__match_args__ == ("a", "b", "c", "secret")
    assert (
        repr(child) == "test_a_subclass_adds_fields_after_its_bases.<locals>.Child(a=1, b=2, c=4)"
    )
    assert child.total() == 34  # super() works in the class @frozen made
    assert child != Base(1)
    assert dataclasses.replace(child, a=2) == Child(2, c=4, secret="s")


def test_post_init_runs_and_options() -> None:
    seen: list[int] = []

    @frozen
    class Checked:
        value: int

        def __post_init__(self) -> None:
            seen.append(self.value)

    Checked(5)
    assert seen == [5]

    @frozen(eq=False, slots=False)
    class Handle:
        name: str

    handle = Handle("h")
    assert handle != Handle("h")
    assert handle == handle
    assert weakref.ref(handle)() is handle


def test_an_operation_is_equal_only_to_itself() -> None:
    def add(a: int, b: int = 3) -> int:
        return a + b

    op = describe(add)
    assert op == op
    assert op != describe(add)
    assert hash(op) == object.__hash__(op)
    assert weakref.ref(op)() is op
    assert repr(op).startswith("FunctionOperation(func=<function ")
    assert "limits=Limits(max_depth=64, max_int_digits=256), form=False" in repr(op)
    assert "_binder" not in repr(op)
    assert "_decoder" not in repr(op)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'name'"):
        op.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("value", "shown"), HASHABLE + UNHASHABLE)
def test_the_dataclasses_module_sees_a_dataclass(value: Any, shown: str) -> None:
    # as it did when these were @dataclass(frozen=True, slots=True)
    assert dataclasses.is_dataclass(type(value))
    names = tuple(f.name for f in dataclasses.fields(value))
    assert names == type(value).__match_args__
    assert dataclasses.asdict(value).keys() == set(names)
    if not isinstance(value, Examples):  # Examples(*values) takes no keywords
        assert dataclasses.replace(value) == value


def test_replace_and_kw_only_as_dataclasses_does() -> None:
    assert dataclasses.replace(Limits(), max_depth=3) == Limits(max_depth=3)

    @frozen(kw_only=True)
    class Options:
        retries: int = 3
        name: str = "x"

    with pytest.raises(TypeError, match="positional"):
        Options(5)  # type: ignore[call-arg]
    assert dataclasses.replace(Options(retries=1), name="y") == Options(retries=1, name="y")

    @dataclasses.dataclass(frozen=True)
    class Wider(Range):  # a dataclass may extend a @frozen class, as a frozen dataclass
        step: int = 1

    assert Wider(1, step=2) == Wider(gt=1, step=2)
    assert [f.name for f in dataclasses.fields(Wider)] == ["gt", "ge", "lt", "le", "step"]


def test_init_is_compiled_on_the_first_instance_with_the_same_signature() -> None:
    @frozen
    class Point:
        x: int
        y: int = 0

    before = inspect.signature(Point)
    lazy = vars(Point)["__init__"]
    assert Point(1) == Point(x=1, y=0)
    assert vars(Point)["__init__"] is not lazy  # replaced by the compiled one
    assert inspect.signature(Point) == before
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]

    @frozen
    class Other:
        a: int

    class Sub(Other):  # a plain subclass's first instance compiles its base's __init__
        pass

    assert Sub(a=3).a == 3
    assert Other(4).a == 4
    assert vars(Other)["__init__"].__qualname__.endswith("Other.__init__")


def test_where_dataclasses_cannot_be_described_frozen_makes_real_dataclasses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a later Python whose private dataclass records differ: same behaviour, real dataclasses
    monkeypatch.setattr(frozen_module, "_PARAM_NAMES", ())

    @frozen(kw_only=True)
    class Options:
        retries: int = 3
        tags: list[str] = field(default_factory=list)
        secret: str = field(default_factory=str, repr=False)

    assert "__dataclass_params__" in vars(Options)  # made by dataclasses itself
    assert not isinstance(Options(), Frozen)
    assert Options() == Options(retries=3)
    assert Options().tags is not Options().tags
    assert repr(Options(retries=1)).endswith("Options(retries=1, tags=[])")
    assert dataclasses.replace(Options(), retries=5).retries == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().retries = 1  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional"):
        Options(5)  # type: ignore[call-arg]
