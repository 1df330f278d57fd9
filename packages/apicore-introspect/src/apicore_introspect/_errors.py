"""The exceptions of apicore-introspect.

Configuration errors are raised once, when a function is described (``IntrospectError``);
request errors per request, rendered as RFC 9457 problem documents (``RequestError``);
``ResultError`` is a server bug (a result with no JSON form).
"""

from __future__ import annotations

import warnings
from typing import Any

from apicore_introspect._problem import PROBLEM_MEMBERS, render_problem
from apicore_introspect.frozen import frozen

Loc = tuple[str | int, ...]


class IntrospectError(Exception):
    """Base class of every exception raised by apicore-introspect."""


class UnsupportedAnnotationError(IntrospectError, TypeError):
    """A parameter or return annotation has no JSON representation.

    Raised when the function is described (at decoration time), naming the function, the
    parameter and the type.
    """

    def __init__(self, annotation: object, *, where: str, reason: str = "") -> None:
        self.annotation = annotation
        self.where = where
        detail = f": {reason}" if reason else ""
        super().__init__(
            f"{where}: unsupported annotation {_type_name(annotation)}{detail}. "
            "Use a JSON-representable type (int, float, str, bool, None, list, dict[str, T], "
            "a dataclass, TypedDict, Enum, datetime, ...) or leave the parameter unannotated "
            "to accept any JSON value."
        )


class SignatureError(IntrospectError, TypeError):
    """A function's signature cannot be bound from an HTTP request."""


@frozen
class ErrorDetail:
    """One failure found in a request.

    Attributes:
        loc: Where the failure is, from the request part down: ``("body", "items", 3, "price")``.
        msg: A sentence for humans.
        type: A stable machine-readable code, such as ``"int_type"`` or ``"missing"``.
    """

    loc: Loc
    msg: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in problem documents' ``errors`` member."""
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class ProblemFieldsMixin:
    """The problem protocol's members read from an error's own attributes.

    The one ``problem_fields()`` of apicore-introspect's and apicore-specbind's request errors.

    Attributes:
        status: The HTTP status code to answer with.
        slug: The last part of the problem ``type`` URI.
        title: The problem's short, constant title.
        detail: A sentence about this occurrence.
        errors: Every failure found, each with its location.
    """

    status: int
    slug: str
    title: str
    detail: str
    errors: tuple[ErrorDetail, ...]

    def problem_fields(self) -> dict[str, Any]:
        """Return the problem protocol's members (see :class:`ProblemError`)."""
        fields = {member: getattr(self, member) for member in PROBLEM_MEMBERS}
        return {**fields, "errors": [error.to_dict() for error in self.errors]}

    def to_problem(self, *, status: int | None = None) -> dict[str, Any]:
        """Return the RFC 9457 problem document for this error.

        .. deprecated:: Unreleased
            Use ``render_problem(error, status=...)``; errors only expose
            :meth:`problem_fields`.
        """
        warnings.warn(
            f"{type(self).__name__}.to_problem() is deprecated: use "
            "apicore_introspect.render_problem(error) (errors expose problem_fields())",
            DeprecationWarning,
            stacklevel=2,
        )
        return render_problem(self, status=status)


class RequestError(ProblemFieldsMixin, IntrospectError, ValueError):
    """Bad input from an HTTP client; renders as a problem document (see the mixin)."""

    status = 400
    slug = "malformed-request"
    title = "Malformed request"

    def __init__(self, detail: str, *, errors: tuple[ErrorDetail, ...] = ()) -> None:
        self.detail = detail
        self.errors = errors
        super().__init__(detail)


class MalformedRequestError(RequestError):
    """The body is not acceptable JSON: bad UTF-8, syntax, NaN, duplicate keys, too deep...

    Attributes:
        code: A stable machine-readable reason: ``utf8_invalid``, ``json_invalid``,
            ``duplicate_key``, ``number_too_large``, ``int_too_long``, ``too_deep``,
            ``lone_surrogate`` or ``empty``.
    """

    def __init__(self, detail: str, *, code: str = "json_invalid") -> None:
        self.code = code
        super().__init__(detail)


class ValidationError(RequestError):
    """The request is well-formed but its values do not fit the function's signature."""

    status = 422
    slug = "validation-error"
    title = "Validation error"

    def __init__(self, errors: tuple[ErrorDetail, ...]) -> None:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"The request has {count} validation {noun}.", errors=errors)


class ResultError(IntrospectError, TypeError):
    """A function's return value cannot be serialized to JSON (a server-side bug)."""


def _type_name(annotation: object) -> str:
    if isinstance(annotation, type):
        return f"{annotation.__module__}.{annotation.__qualname__}".removeprefix("builtins.")
    return repr(annotation)
