"""The exceptions of apicore-specbind.

Load errors (``SpecLoadError`` and its subclasses) are the spec author's mistakes, raised once;
request errors (``SpecRequestError`` and its subclasses) are bad client input, rendered as
problem documents; the rest are server-side (a response that does not fit, a bad client call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apicore_introspect import ErrorDetail as _ErrorDetail, ProblemFieldsMixin

Loc = tuple[str | int, ...]


class SpecError(Exception):
    """Base class of every exception raised by apicore-specbind."""


@dataclass(frozen=True, slots=True)
class SpecIssue:
    """One problem found in a spec while loading it.

    Attributes:
        path: Where the problem is, as JSON keys from the document root.
        message: What is wrong and how to fix it.
    """

    path: tuple[str | int, ...]
    message: str

    @property
    def dotted(self) -> str:
        """The path as a dotted string, e.g. ``paths./pets.get.responses``."""
        return ".".join(str(part) for part in self.path) or "<root>"

    def __str__(self) -> str:
        return f"{self.dotted}: {self.message}"


class SpecLoadError(SpecError, ValueError):
    """The spec cannot be loaded: bad syntax, bad structure or unresolvable ``$ref``.

    Attributes:
        issues: Every problem found, each naming its JSON path.
    """

    def __init__(self, issues: Sequence[SpecIssue], *, source: str = "spec") -> None:
        self.issues = tuple(issues)
        self.source = source
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        noun = "problem" if len(self.issues) == 1 else "problems"
        super().__init__(f"Cannot load {source}: {len(self.issues)} {noun}:\n{lines}")


def load_error(message: str, source: str, kind: type[SpecLoadError] | None = None) -> SpecLoadError:
    """A ``SpecLoadError`` (or ``kind``) with one issue at the document root."""
    return (kind or SpecLoadError)([SpecIssue((), message)], source=source)


class UnsafeYAMLError(SpecLoadError):
    """The YAML uses a tag (such as ``!!python/object``) that safe loading refuses."""


class SpecLimitError(SpecLoadError):
    """The document passes one of the :class:`~apicore_specbind.SpecLimits` bounds.

    Attributes:
        limit: The name of the :class:`~apicore_specbind.SpecLimits` field that was passed.
    """

    def __init__(self, limit: str, message: str, *, source: str = "spec") -> None:
        self.limit = limit
        super().__init__([SpecIssue((), message)], source=source)


class SpecValidationWarning(UserWarning):
    """A spec loaded with ``validate="warn"`` has a problem (the message names its path)."""


class RefResolutionError(SpecLoadError):
    """A ``$ref`` points nowhere, outside the spec's folder, or to a remote URL not allowed."""


class UnknownModelError(SpecError, LookupError):
    """No model of that name is defined in the spec."""

    def __init__(self, name: str) -> None:
        self.name = name
        # The legacy (pymacaron-core) wording, kept so old log searches still match.
        super().__init__(
            f"Swagger spec has no definition for model {name}. "
            "Check the name against spec.models (definitions / components.schemas)."
        )


class ModelError(SpecError, TypeError):
    """A model was built from data it cannot hold (not an object, a forbidden property)."""


class ClientArgumentError(SpecError, TypeError):
    """Arguments given to build a request do not fit the operation (unknown or missing)."""


class ServerURLError(SpecError, ValueError):
    """:attr:`Spec.server_url` cannot be worked out from the document.

    ``servers`` is not a list, or the first server's URL uses a variable without a
    ``default`` (a spec loaded with ``validate="warn"`` or ``"off"``; strict loading refuses
    both). The message names what is wrong; a client can be given its base URL instead.
    """


# One failure in a request or a response: the same type apicore-introspect reports.
ErrorDetail = _ErrorDetail


class SpecRequestError(ProblemFieldsMixin, SpecError, ValueError):
    """Bad input from an HTTP client; renders as an RFC 9457 problem document.

    Its attributes are ``apicore_introspect.ProblemFieldsMixin``'s; ``status`` is
    ``default_status`` unless given.
    """

    slug = "malformed-request"
    title = "Malformed request"
    default_status = 400

    def __init__(
        self, detail: str, *, errors: Sequence[ErrorDetail] = (), status: int | None = None
    ) -> None:
        self.detail = detail
        self.errors = tuple(errors)
        self.status = self.default_status if status is None else status
        super().__init__(detail)


class MalformedRequestError(SpecRequestError):
    """The body cannot be decoded: bad UTF-8, bad JSON syntax, NaN, duplicate keys, too deep."""


class RequestValidationError(SpecRequestError):
    """The request is well-formed but some values do not fit the spec (every failure listed)."""

    slug = "validation-error"
    title = "Validation error"

    def __init__(self, errors: Sequence[ErrorDetail], *, status: int | None = None) -> None:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        super().__init__(
            f"The request has {count} validation {noun}.", errors=errors, status=status
        )


class UnsupportedMediaTypeError(SpecRequestError):
    """The request's ``Content-Type`` is not one the operation consumes (415)."""

    slug = "unsupported-media-type"
    title = "Unsupported media type"
    default_status = 415


class BodyTooLargeError(SpecRequestError):
    """The request body is larger than the configured limit (413)."""

    slug = "payload-too-large"
    title = "Payload too large"
    default_status = 413


class ResponseValidationError(SpecError, ValueError):
    """A response does not fit its declared schema (a server bug: answer 500, log the errors).

    Attributes:
        status: The response status that was checked.
        errors: Every failure found, each with its location under ``("response", ...)``.
    """

    def __init__(self, message: str, *, status: int, errors: Sequence[ErrorDetail] = ()) -> None:
        self.status = status
        self.errors = tuple(errors)
        super().__init__(message)


class UndeclaredStatusError(ResponseValidationError):
    """The status code is not declared in the operation's responses (and there is no default)."""
