import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from apicore_introspect import (
    REQUIRED,
    MalformedRequestError,
    ResultError,
    SignatureError,
    ValidationError,
    describe,
)

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")


def add(a: int, b: int = 372) -> int:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def test_description() -> None:
    op = describe(add)
    assert op.name == "add"
    assert op.summary == "Add two numbers."
    assert not op.is_async
    a, b = op.parameters
    assert (a.name, a.kind, a.required, a.default, a.annotation) == (
        "a",
        "positional_or_keyword",
        True,
        REQUIRED,
        int,
    )
    assert (b.required, b.default, b.description) == (False, 372, "The second number.")
    assert op.return_schema == {"type": "integer"}
    assert op.body_schema() == {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "description": "The first number."},
            "b": {"type": "integer", "description": "The second number.", "default": 372},
        },
        "required": ["a"],
        "additionalProperties": False,
    }


def test_bind_bytes() -> None:
    op = describe(add)
    assert op.bind(b'{"a": 48, "b": 21}') == ((), {"a": 48, "b": 21})
    assert op.bind(b'{"a": 48}') == ((), {"a": 48, "b": 372})
    assert op.bind('{"a": 1.0}') == ((), {"a": 1, "b": 372})
    assert add(*op.bind(b'{"a": 48, "b": 21}')[0], **op.bind(b'{"a": 48, "b": 21}')[1]) == 69


@pytest.mark.parametrize("body", [None, b"", b"  \n", ""])
def test_empty_body_means_no_keys(body: Any) -> None:
    def ping() -> str:
        return "pong"

    assert describe(ping).bind(body) == ((), {})
    with pytest.raises(ValidationError) as info:
        describe(add).bind(body)
    assert info.value.to_problem()["errors"] == [
        {"loc": ["body", "a"], "msg": "Field required", "type": "missing"}
    ]


@pytest.mark.parametrize("body", [b"[1, 2]", b"null", b"3", b'"a"'])
def test_top_level_non_object(body: bytes) -> None:
    with pytest.raises(ValidationError) as info:
        describe(add).bind(body)
    problem = info.value.to_problem()
    assert problem["status"] == 422
    assert problem["errors"][0]["loc"] == ["body"]
    assert problem["errors"][0]["type"] == "dict_type"


def test_every_error_is_reported() -> None:
    with pytest.raises(ValidationError) as info:
        describe(add).bind(b'{"b": "x", "c": 1, "d": 2}')
    problem = info.value.to_problem()
    assert problem == {
        "type": "urn:apicore:problem:validation-error",
        "title": "Validation error",
        "status": 422,
        "detail": "The request has 4 validation errors.",
        "errors": [
            {"loc": ["body", "a"], "msg": "Field required", "type": "missing"},
            {"loc": ["body", "b"], "msg": "Input should be a valid integer", "type": "int_type"},
            {
                "loc": ["body", "c"],
                "msg": "Unknown parameter; remove it or check its spelling",
                "type": "extra_forbidden",
            },
            {
                "loc": ["body", "d"],
                "msg": "Unknown parameter; remove it or check its spelling",
                "type": "extra_forbidden",
            },
        ],
    }
    assert info.value.to_problem(status=400)["status"] == 400


def test_malformed_json_is_400() -> None:
    with pytest.raises(MalformedRequestError, match="Duplicate"):
        describe(add).bind(b'{"a": 1, "a": 2}')


def test_legacy_ignore_mode() -> None:
    op = describe(add, extra="ignore")
    assert op.bind(b'{"a": 1, "zzz": 2}') == ((), {"a": 1, "b": 372})
    assert "additionalProperties" not in op.body_schema()


def test_var_keyword_receives_unknown_keys() -> None:
    def f(a: int, **rest: int) -> None: ...

    op = describe(f)
    assert op.bind(b'{"a": 1, "x": 2, "y": 3}') == ((), {"a": 1, "x": 2, "y": 3})
    assert op.body_schema()["additionalProperties"] == {"type": "integer"}
    with pytest.raises(ValidationError) as info:
        op.bind(b'{"a": 1, "x": "no"}')
    assert info.value.errors[0].loc == ("body", "x")


def test_keyword_only_and_var_positional() -> None:
    def f(*args: int, a: int, b: str = "x") -> None: ...

    op = describe(f)
    assert [p.name for p in op.parameters] == ["a", "b"]
    assert op.parameters[0].kind == "keyword_only"
    assert op.bind(b'{"a": 1}') == ((), {"a": 1, "b": "x"})


def test_positional_only_is_refused() -> None:
    def f(a: int, /) -> None: ...

    with pytest.raises(SignatureError, match="'a' is positional-only"):
        describe(f)


def test_query_parameters_are_converted() -> None:
    def search(
        q: str,
        limit: int = 10,
        tags: list[str] | None = None,
        exact: bool = False,
        since: dt.date | None = None,
    ) -> None: ...

    op = describe(search)
    args = op.bind(
        None,
        query=[
            ("q", "shoes"),
            ("limit", "5"),
            ("tags", "a"),
            ("tags", "b"),
            ("exact", "true"),
            ("since", "2026-01-02"),
        ],
    )
    assert args == (
        (),
        {"q": "shoes", "limit": 5, "tags": ["a", "b"], "exact": True, "since": dt.date(2026, 1, 2)},
    )
    assert op.bind(None, query={"q": "x", "since": ""}) == (
        (),
        {"q": "x", "limit": 10, "tags": None, "exact": False, "since": None},
    )
    with pytest.raises(ValidationError) as info:
        op.bind(None, query=[("limit", "five"), ("q", "a"), ("q", "b"), ("utm", "x")])
    assert [(e.loc, e.type) for e in info.value.errors] == [
        (("query", "q"), "duplicate_parameter"),
        (("query", "limit"), "int_parsing"),
        (("query", "utm"), "extra_forbidden"),
    ]


def test_missing_query_parameter_is_located_in_query() -> None:
    with pytest.raises(ValidationError) as info:
        describe(add).bind(None, query=[("b", "1")])
    assert info.value.errors[0].loc == ("query", "a")


def test_path_parameters() -> None:
    def get_item(item_id: int, verbose: bool = False) -> None: ...

    op = describe(get_item)
    assert op.bind(None, path={"item_id": "42"}) == ((), {"item_id": 42, "verbose": False})
    assert op.bind(b'{"verbose": true}', path={"item_id": "42"}) == (
        (),
        {"item_id": 42, "verbose": True},
    )
    with pytest.raises(ValidationError) as info:
        op.bind(b'{"item_id": 1}', path={"item_id": "x"})
    assert info.value.errors[0].type == "duplicate_parameter"
    op.check_path_parameters(["item_id"])
    with pytest.raises(SignatureError, match="no parameter 'other'"):
        op.check_path_parameters(["other"])
    assert "item_id" not in op.body_schema(exclude=["item_id"])["properties"]


def test_async_and_callable_objects() -> None:
    async def slow(a: int) -> int:
        return a

    class Greeter:
        def __call__(self, name: str) -> str:
            return f"hi {name}"

    assert describe(slow).is_async
    op = describe(Greeter())
    assert op.name == "Greeter"
    assert op.bind(b'{"name": "x"}') == ((), {"name": "x"})


def test_decimal_parameters_are_exact() -> None:
    def pay(amount: Decimal, tip: float = 0.0) -> Decimal:
        return amount

    op = describe(pay)
    assert op.bind(b'{"amount": 0.1, "tip": 0.5}') == ((), {"amount": Decimal("0.1"), "tip": 0.5})
    assert op.dump(Decimal("0.10")) == b'"0.10"'


def test_dump_names_the_function() -> None:
    op = describe(add)
    assert op.dump(69) == b"69"
    with pytest.raises(ResultError, match=r"add\(\) returned a value"):
        op.dump(object())


def test_default_values_with_json_forms_are_documented() -> None:
    @dataclasses.dataclass
    class Opts:
        n: int = 1

    def f(
        when: dt.date = dt.date(2026, 1, 1), opts: Opts | None = None, marker: object = object()
    ) -> None: ...

    props = describe(f).body_schema()["properties"]
    assert props["when"]["default"] == "2026-01-01"
    assert props["opts"]["default"] is None
    assert "default" not in props["marker"]


def test_json_schema_is_standalone() -> None:
    @dataclasses.dataclass
    class Pet:
        name: str

    def adopt(pet: Pet) -> None: ...

    schema = describe(adopt).json_schema()
    assert schema["$defs"]["Pet"]["required"] == ["name"]
    assert json.loads(json.dumps(schema)) == schema
