"""Framework-neutral request and response values, and problem responses."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
_REASONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation error",
    500: "Internal server error",
}
_SLUGS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    500: "internal-error",
}


class Headers:
    """Case-insensitive, read-only request headers (the first value of a repeated name wins).

    Args:
        items: ``(name, value)`` pairs as str or latin-1 bytes, or a mapping.
    """

    __slots__ = ("_items", "_map")

    def __init__(
        self, items: Iterable[tuple[str | bytes, str | bytes]] | Mapping[str, str]
    ) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        decoded = [(_text(k), _text(v)) for k, v in pairs]
        self._items = decoded
        lowered: dict[str, str] = {}
        for key, value in decoded:
            lowered.setdefault(key.lower(), value)
        self._map = lowered

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of a header (any case), or ``default``."""
        return self._map.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._map

    def items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` pair, as received."""
        return list(self._items)

    def lower_map(self) -> dict[str, str]:
        """A plain ``{lower-case name: value}`` dict (a copy)."""
        return dict(self._map)

    def lower_map_view(self) -> Mapping[str, str]:
        """The ``{lower-case name: value}`` map itself, read-only by contract (no copy)."""
        return self._map


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@dataclass(frozen=True, slots=True)
class Request:
    """What an adapter extracts from its framework's request.

    Attributes:
        method: The HTTP method, upper case.
        path: The URL path (decoded, without the query string).
        query_string: The raw query string (without ``?``).
        headers: The request headers.
        body: The body bytes, already read within the size limit.
    """

    method: str
    path: str
    query_string: str = ""
    headers: Headers = field(default_factory=lambda: Headers(()))
    body: bytes = b""

    def query(self) -> list[tuple[str, str]]:
        """The query parameters as ``(name, value)`` pairs."""
        if not self.query_string:
            return []
        return parse_qsl(self.query_string, keep_blank_values=True)


@dataclass(slots=True)
class Response:
    """What an adapter turns into its framework's response.

    Attributes:
        status: The HTTP status code.
        body: The body bytes.
        headers: ``(name, value)`` pairs, ``Content-Type`` included.
    """

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, body: bytes, *, content_type: str = JSON) -> Response:
        """A JSON response from already-serialized bytes."""
        return cls(status, body, [("Content-Type", content_type)])

    def header(self, name: str) -> str | None:
        """The first value of a response header (any case)."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def problem_response(
    problem: Mapping[str, Any], *, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """An ``application/problem+json`` response for an RFC 9457 problem document."""
    body = json.dumps(problem, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(int(problem["status"]), body, [("Content-Type", PROBLEM_JSON), *headers])


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem document for the statuses the pipeline produces itself (404, 405, 413, ...)."""
    return {
        "type": f"urn:apicore:problem:{_SLUGS.get(status, 'error')}",
        "title": _REASONS.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
