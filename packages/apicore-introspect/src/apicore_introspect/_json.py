"""Strict JSON in, compact JSON out.

Decoding follows RFC 8259 and I-JSON (RFC 7493): UTF-8 only, no NaN or Infinity, no
duplicate object keys, no lone surrogates, numbers within a double's range, bounded nesting
depth and integer length. Every violation is a ``MalformedRequestError`` (400), never an
unhandled exception. The common case costs one C-level scan plus O(1) checks: the expensive
checks only run when a cheap test on the raw text says they might fail.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import math
import re
import sys
import uuid
from decimal import Decimal
from typing import Any

from apicore_introspect._errors import MalformedRequestError, ResultError
from apicore_introspect._timeparse import format_duration
from apicore_introspect.frozen import frozen


@frozen
class Limits:
    """Bounds on request bodies, against resource-exhaustion input.

    Attributes:
        max_depth: Deepest allowed nesting of arrays and objects.
        max_int_digits: Longest allowed integer literal, in digits.
    """

    max_depth: int = 64
    max_int_digits: int = 256


class _Reject(ValueError):
    """Raised from inside the C scanner's hooks; carries our message and code."""

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


def _reject_constant(name: str) -> Any:
    raise _Reject(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)", "json_invalid")


class DuplicateKeyError(_Reject):
    """A JSON object repeats a key (a ``ValueError``); ``key`` is the first one repeated."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"Duplicate object key {json.dumps(key)}", "duplicate_key")


def strict_object_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A :mod:`json` ``object_pairs_hook`` refusing duplicate keys with ``DuplicateKeyError``."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Reject(f"Number {text[:40]} is out of the range of a double", "number_too_large")
    return value


def _finite_decimal(text: str) -> Decimal:
    _finite_float(text)
    return Decimal(text)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_WHITESPACE = " \t\n\r"


class JsonDecoder:
    """A strict JSON decoder; build one per limits/number mode and reuse it.

    Args:
        limits: Depth and integer-length bounds.
        decimals: Parse non-integer numbers as ``Decimal`` (exact) instead of ``float``.
    """

    def __init__(self, limits: Limits | None = None, *, decimals: bool = False) -> None:
        self.limits = limits = limits or Limits()
        hooks: dict[str, Any] = {
            "object_pairs_hook": strict_object_hook,
            "parse_float": _finite_decimal if decimals else _finite_float,
            "parse_constant": _reject_constant,
        }
        self._plain = json.JSONDecoder(**hooks)
        self._guarded = json.JSONDecoder(**hooks, parse_int=self._checked_int)
        self._scan = self._plain.scan_once  # type: ignore[attr-defined]
        # Only a text holding a run of digits longer than the limit can hold such an
        # integer; the per-integer hook is used for those texts alone.
        self._long_digits = re.compile(rf"\d{{{limits.max_int_digits + 1}}}")

    def _checked_int(self, text: str) -> int:
        digits = len(text) - (text[0] == "-")
        if digits > self.limits.max_int_digits:
            limit = self.limits.max_int_digits
            msg = f"Integer with {digits} digits is longer than the limit of {limit}"
            raise _Reject(msg, "int_too_long")
        return int(text)

    def decode(self, raw: bytes | bytearray | memoryview | str) -> Any:
        """Decode one JSON document.

        Raises:
            MalformedRequestError: For anything that is not strict, bounded JSON.
        """
        if isinstance(raw, str):
            text = raw
        else:
            try:
                text = bytes(raw).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedRequestError(
                    f"The body is not valid UTF-8 (invalid byte at offset {exc.start}).",
                    code="utf8_invalid",
                ) from None
        text = text.removeprefix("\ufeff")
        long_number = len(text) > self.limits.max_int_digits and self._long_digits.search(text)
        try:
            if long_number:
                value = self._guarded.decode(text)
            else:
                try:
                    value, end = self._scan(text, 0)
                except StopIteration:  # leading whitespace or bad JSON: the slow way explains
                    value, end = self._plain.decode(text), len(text)
                if end != len(text) and text[end:].strip(_WHITESPACE):
                    value = self._plain.decode(text)  # raises "Extra data" with a position
        except json.JSONDecodeError as exc:
            raise _syntax_error(exc) from None
        except _Reject as exc:
            raise MalformedRequestError(f"Invalid JSON: {exc}", code=exc.code) from None
        except RecursionError:
            raise self._too_deep() from None
        except ValueError as exc:  # the interpreter's own int/str conversion limits
            raise MalformedRequestError(f"Invalid JSON: {exc}", code="int_too_long") from None
        if len(text) > self.limits.max_depth and (
            text.count("[") + text.count("{") > self.limits.max_depth
        ):
            self._check_depth(value)
        if "\\u" in text and _SURROGATE_ESCAPE.search(text):
            self._check_surrogates(value)
        return value

    def _too_deep(self) -> MalformedRequestError:
        return MalformedRequestError(
            f"The JSON is nested deeper than the limit of {self.limits.max_depth} levels.",
            code="too_deep",
        )

    def _check_surrogates(self, value: Any) -> None:
        try:  # a lone surrogate, in a key or a string, cannot be encoded
            json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedRequestError(
                "Invalid JSON: a string holds a lone UTF-16 surrogate (\\ud800-\\udfff).",
                code="lone_surrogate",
            ) from None
        except RecursionError:  # only with a max_depth near the interpreter's own limit
            raise self._too_deep() from None

    def _check_depth(self, value: Any) -> None:
        stack = [(value, 1)]
        limit = self.limits.max_depth
        while stack:
            item, depth = stack.pop()
            if type(item) is dict:
                children: Any = item.values()
            elif type(item) is list:
                children = item
            else:
                continue
            if depth > limit:
                raise self._too_deep()
            stack.extend((child, depth + 1) for child in children)


def _syntax_error(exc: json.JSONDecodeError) -> MalformedRequestError:
    if not exc.doc.strip(_WHITESPACE):
        return MalformedRequestError("The body is empty; send a JSON document.", code="empty")
    return MalformedRequestError(
        f"Invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    )


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        # fixed-point, never "2E+2": the documented form of a decimal string
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return list(value)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"Object of type {type(value).__qualname__} is not JSON serializable")


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_default
)
_encode = _ENCODER.encode


def dump_json(value: Any) -> bytes:
    """Serialize a function's result to compact UTF-8 JSON.

    Besides JSON's own types this writes dataclasses, Enums, date/time types (ISO 8601),
    timedelta (ISO 8601 duration), UUID and Decimal (strings), bytes (base64), sets,
    NamedTuples (arrays) and pydantic models.

    Raises:
        ResultError: For a value with no JSON form (including NaN and Infinity).
    """
    try:
        if type(value) is int:
            return str(value).encode()
        return _encode(value).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
        raise ResultError(f"The result cannot be serialized to JSON: {exc}") from exc
