"""Strict JSON decoding of request and response bodies (pure).

The decoding itself is apicore-introspect's ``JsonDecoder`` (RFC 8259 / I-JSON: UTF-8 only,
no NaN/Infinity, no duplicate keys, numbers that fit a double, no lone surrogates, bounded
nesting and integer length), shared with the function-first servers so both kinds of API
reject exactly the same bodies. This module adapts its errors to specbind's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from apicore_introspect import JsonDecoder, Limits, MalformedRequestError


class JSONBodyError(ValueError):
    """The body is not strict JSON; ``kind`` is a stable code such as ``"json_invalid"``."""

    def __init__(self, message: str, kind: str) -> None:
        self.kind = kind
        super().__init__(message)


@lru_cache(maxsize=16)
def _decoder(max_depth: int) -> JsonDecoder:
    return JsonDecoder(Limits(max_depth=max_depth))


def decode_json(data: bytes, *, max_depth: int = 64) -> Any:
    """Decode a JSON body strictly.

    Raises:
        JSONBodyError: for any non-conforming input; never another exception.
    """
    try:
        return _decoder(max_depth).decode(data)
    except MalformedRequestError as exc:
        raise JSONBodyError(exc.detail, exc.code) from None
