from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import uuid
from decimal import Decimal
from typing import NamedTuple

import pytest

from apicore_introspect import JsonDecoder, Limits, MalformedRequestError, ResultError, dump_json

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")

decoder = JsonDecoder()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff", "utf8_invalid"),
        (b"{", "json_invalid"),
        (b"[NaN]", "json_invalid"),
        (b'{"a": 1, "a": 1}', "duplicate_key"),
        (b"[1e999]", "number_too_large"),
        (b"[" + b"9" * 300 + b"]", "int_too_long"),
        (b"[" * 70 + b"]" * 70, "too_deep"),
        (b'["\\udc00"]', "lone_surrogate"),
        (b" ", "empty"),
        # after leading whitespace too (the fast scan starts on a value)
        (b" [NaN]", "json_invalid"),
        (b'\n{"a": 1, "a": 1}', "duplicate_key"),
        (b"\t[1e999]", "number_too_large"),
    ],
)
def test_reason_codes(raw: bytes, code: str) -> None:
    with pytest.raises(MalformedRequestError) as info:
        decoder.decode(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"a": "\xc3"}', "not valid UTF-8"),
        (b'{"a": 1', "Invalid JSON"),
        (b"{'a': 1}", "Invalid JSON"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": -Infinity}', "Infinity"),
        (b'{"a": 1e400}', "out of the range"),
        (b'{"a": 1, "a": 2}', 'Duplicate object key "a"'),
        (b'{"x": {"a": 1, "a": 1}}', "Duplicate object key"),
        (b'{"a": "\\ud800"}', "surrogate"),
        (b'{"\\udfff": 1}', "surrogate"),
        (b'{"a": 1} x', "Extra data"),
        (b'{"a": 1} {"b": 2}', "Extra data"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a": ' + b"1" * 5000 + b"}", "digits"),
        (b"   ", "empty"),
    ],
)
def test_rejects(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedRequestError, match=message) as info:
        decoder.decode(raw)
    problem = info.value.to_problem()
    assert problem["status"] == 400
    assert problem["type"] == "urn:apicore:problem:malformed-request"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        (b'  {"a": [1, 2.5, "x", true, null]}  \n', {"a": [1, 2.5, "x", True, None]}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),
        (b"[]", []),
        (b"3", 3),
        ('{"ñ": "ü"}'.encode(), {"ñ": "ü"}),
    ],
)
def test_accepts(raw: bytes, expected: object) -> None:
    assert decoder.decode(raw) == expected


def test_depth_limit_is_exact() -> None:
    limits = Limits(max_depth=3)
    strict = JsonDecoder(limits)
    assert strict.decode(b'[[["x", "x", "x", "x"]]]') == [[["x"] * 4]]
    with pytest.raises(MalformedRequestError, match="deeper than the limit of 3"):
        strict.decode(b"[[[[1]]]]")
    with pytest.raises(MalformedRequestError, match="deeper"):
        strict.decode(b'{"a": {"b": {"c": {"d": 1}}}}')


def test_int_digit_limit() -> None:
    strict = JsonDecoder(Limits(max_int_digits=5))
    assert strict.decode(b"[12345, -12345]") == [12345, -12345]
    with pytest.raises(MalformedRequestError, match="6 digits"):
        strict.decode(b"[123456]")


def test_long_bodies_and_digit_runs_in_strings() -> None:
    strict = JsonDecoder(Limits(max_int_digits=5))
    digits = "9" * 50
    assert strict.decode(f'{{"s": "{digits}", "n": [1, 2, 3]}}'.encode()) == {
        "s": digits,
        "n": [1, 2, 3],
    }
    assert strict.decode(b"[" + b"12345, " * 100 + b"1]") == [12345] * 100 + [1]
    with pytest.raises(MalformedRequestError, match="6 digits"):
        strict.decode(f'{{"s": "{digits}", "n": 123456}}'.encode())


def test_decimal_mode_is_exact() -> None:
    exact = JsonDecoder(decimals=True)
    assert exact.decode(b'{"p": 0.1}') == {"p": Decimal("0.1")}
    with pytest.raises(MalformedRequestError):
        exact.decode(b'{"p": 1e400}')


def test_str_input() -> None:
    assert decoder.decode('{"a": 1}') == {"a": 1}


class Color(enum.Enum):
    RED = "red"


class Pair(NamedTuple):
    x: int
    y: int


@dataclasses.dataclass
class Point:
    x: int
    color: Color


def test_dump_types() -> None:
    value = {
        "point": Point(1, Color.RED),
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "day": dt.date(2026, 1, 2),
        "at": dt.time(3, 4),
        "for": dt.timedelta(days=1, hours=2, seconds=3.5),
        "id": uuid.UUID(int=1),
        "price": Decimal("1.10"),
        "raw": b"\x00\xff",
        "tags": {"a"},
        "pair": Pair(1, 2),
        "text": "ñ",
    }
    assert json.loads(dump_json(value)) == {
        "point": {"x": 1, "color": "red"},
        "when": "2026-01-02T03:04:05+00:00",
        "day": "2026-01-02",
        "at": "03:04:00",
        "for": "P1DT2H3.5S",
        "id": "00000000-0000-0000-0000-000000000001",
        "price": "1.10",
        "raw": "AP8=",
        "tags": ["a"],
        "pair": [1, 2],
        "text": "ñ",
    }
    assert dump_json("ñ") == '"ñ"'.encode()
    assert dump_json(69) == b"69"
    assert dump_json(None) == b"null"


@pytest.mark.parametrize(
    "bad", [object(), math.nan, math.inf, {"a": {1, object}}, "\ud800", Decimal("NaN")]
)
def test_dump_rejects(bad: object) -> None:
    with pytest.raises(ResultError, match="cannot be serialized"):
        dump_json(bad)
