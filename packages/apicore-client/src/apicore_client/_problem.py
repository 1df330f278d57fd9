"""RFC 9457 problem documents read from responses (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from apicore_introspect import PROBLEM_MEDIA_TYPE

_KNOWN = frozenset({"type", "title", "status", "detail", "instance", "errors"})


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 9457 problem document returned by a server.

    Attributes:
        type: The problem type URI (``"about:blank"`` when the server sent none).
        title: A short, human-readable summary of the problem type.
        status: The HTTP status the server put in the document, if any.
        detail: A human-readable explanation of this occurrence.
        instance: A URI identifying this occurrence, if any.
        errors: Validation failures (``{"loc": [...], "msg": ..., "type": ...}``), if any.
        extensions: Every other member of the document.
    """

    type: str = "about:blank"
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    errors: tuple[Mapping[str, Any], ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> Problem:
        """Build a problem from a decoded JSON object, tolerating wrongly typed members.

        Args:
            document: The decoded ``application/problem+json`` body.

        Returns:
            The problem; members of the wrong JSON type are dropped, as RFC 9457 asks.
        """
        ptype = document.get("type")
        status = document.get("status")
        errors = document.get("errors")
        return cls(
            type=ptype if isinstance(ptype, str) else "about:blank",
            title=_str_or_none(document.get("title")),
            status=status if isinstance(status, int) and not isinstance(status, bool) else None,
            detail=_str_or_none(document.get("detail")),
            instance=_str_or_none(document.get("instance")),
            errors=tuple(e for e in errors if isinstance(e, Mapping))
            if isinstance(errors, list)
            else (),
            extensions={k: v for k, v in document.items() if k not in _KNOWN},
        )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def is_problem_response(response: httpx.Response) -> bool:
    """Tell whether a response declares an ``application/problem+json`` body."""
    content_type = str(response.headers.get("content-type", ""))
    return content_type.split(";", 1)[0].strip().lower() == PROBLEM_MEDIA_TYPE


def parse_problem(response: httpx.Response) -> Problem | None:
    """Parse the problem document of a response.

    Args:
        response: A response whose body has been read.

    Returns:
        The problem, or ``None`` when the response is not ``application/problem+json`` or its
        body is not a JSON object.
    """
    if not is_problem_response(response):
        return None
    try:
        document = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    return Problem.from_mapping(document)
