"""Strict JSON decoding of request and response bodies (pure).

RFC 8259 / I-JSON: UTF-8 only (no BOM), no NaN/Infinity, no duplicate keys, numbers that fit
a double, no lone surrogates; plus a nesting limit so deep input is a 400, never a
``RecursionError``.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NON_BRACKETS = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONBodyError(ValueError):
    """The body is not strict JSON; ``kind`` is a stable code such as ``"json_invalid"``."""

    def __init__(self, message: str, kind: str) -> None:
        self.kind = kind
        super().__init__(message)


def _reject_constant(name: str) -> Any:
    raise JSONBodyError(f"{name} is not valid JSON", "json_invalid")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONBodyError(f"number {text[:40]} is out of range", "number_too_large")
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JSONBodyError(f"duplicate key {key[:80]!r}", "duplicate_key")
            seen.add(key)
    return result


def depth_of(text: str) -> int:
    """The maximum bracket nesting of a JSON text (strings ignored)."""
    brackets = _NON_BRACKETS.sub("", _STRINGS.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if c in "[{" else -1 for c in brackets))


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            node.encode("utf-8")
        elif isinstance(node, dict):
            for key, item in node.items():
                key.encode("utf-8")
                stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)


def decode_json(data: bytes, *, max_depth: int = 64) -> Any:
    """Decode a JSON body strictly.

    Raises:
        JSONBodyError: for any non-conforming input; never another exception.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise JSONBodyError(
            "the body starts with a byte order mark; send plain UTF-8", "json_invalid"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONBodyError(
            f"the body is not valid UTF-8 (byte {exc.start})", "utf8_invalid"
        ) from None
    # Cheap bound first: nesting cannot exceed the number of opening brackets.
    if text.count("[") + text.count("{") > max_depth and depth_of(text) > max_depth:
        raise JSONBodyError(f"the body is nested deeper than {max_depth} levels", "too_deep")
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=_pairs,
        )
    except JSONBodyError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONBodyError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", "json_invalid"
        ) from None
    except (ValueError, RecursionError):
        # int() digit limit (CVE-2020-10735) or pathological nesting that slipped the scan.
        raise JSONBodyError(
            "a number or structure in the body is too large", "json_invalid"
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            _check_strings(value)
        except UnicodeEncodeError:
            raise JSONBodyError(
                "the body contains a lone UTF-16 surrogate", "json_invalid"
            ) from None
    return value
