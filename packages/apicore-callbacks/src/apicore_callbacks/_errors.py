"""The one exception hierarchy of apicore-callbacks.

The errors that answer a request (``CallbackRequestError``, ``IdempotencyKeyReusedError``,
``BrokerUnavailableError``) expose the problem protocol's members with ``problem_fields()``;
apicore-app renders the document (see docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from apicore_introspect import legacy_problem


class CallbackError(Exception):
    """Base class of every error raised by apicore-callbacks."""


class _AnswerError(CallbackError):
    """An error that answers a request with the problem protocol's members.

    They are ``status``, ``slug``, ``title``, ``detail`` and ``errors``
    (apicore_introspect.PROBLEM_MEMBERS).
    """

    status: int
    slug: str
    title: str

    def problem_fields(self) -> dict[str, Any]:
        """Return the problem protocol's members: status, slug, title, detail, errors."""
        return {
            "status": self.status,
            "slug": self.slug,
            "title": self.title,
            "detail": self._detail(),
            "errors": self._errors(),
        }

    def _detail(self) -> str:
        return str(self)

    def _errors(self) -> list[dict[str, Any]]:
        return []

    def problem(self) -> dict[str, Any]:
        """Deprecated: the problem document; use :meth:`problem_fields`.

        The document is what apicore-app renders (:func:`apicore_introspect.render_problem`).
        """
        return legacy_problem(self, "problem")


class InvalidCallbackObjectError(CallbackError, TypeError):
    """The ``callback=`` decorator argument is not ``True``/``False`` or a valid header dict.

    Raised at decoration time (the legacy ``asymmetric`` name is kept).
    """


class CallbackRequestError(_AnswerError, ValueError):
    """A request's callback headers are invalid; :meth:`problem_fields` is the HTTP answer.

    Attributes:
        status: The HTTP status to answer with (422).
        slug: The problem type slug.
        legacy_message: The legacy ``{"message": ...}`` text for compatibility mode.
        loc: Where the error is (``["header", "<name>"]``).
    """

    status = 422
    slug = "validation-error"
    title = "Invalid callback request"

    def __init__(self, detail: str, *, legacy_message: str, loc: list[str], kind: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.legacy_message = legacy_message
        self.loc = loc
        self.kind = kind

    def _errors(self) -> list[dict[str, Any]]:
        return [{"loc": list(self.loc), "msg": self.detail, "type": self.kind}]


class InvalidCallbackURLError(CallbackRequestError):
    """The callback URL header is missing, malformed, or points to a refused destination."""


class InvalidCallbackMethodError(CallbackRequestError):
    """The callback method header is not one of POST, PUT, PATCH."""


class InvalidCallbackKeyError(CallbackRequestError):
    """The custom callback key header is too long or has control characters."""


class InvalidIdempotencyKeyError(CallbackRequestError):
    """The ``Idempotency-Key`` header is empty, too long or has control characters."""


class IdempotencyKeyReusedError(_AnswerError, ValueError):
    """The ``Idempotency-Key`` was already used with different arguments or callback headers.

    Answer 422 (IETF ``draft-ietf-httpapi-idempotency-key-header``): the client must use a new
    key for a different request.
    """

    status = 422
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused"

    def __init__(self, job_id: str, *, header: str = "Idempotency-Key") -> None:
        super().__init__(
            f"this {header} was already used for a different request; "
            "send a new key for a request with other arguments or callback headers"
        )
        self.job_id = job_id
        self.header = header

    def _errors(self) -> list[dict[str, Any]]:
        # Like every 422 of ours it lists the failure with its location (the header).
        message = "Already used for a request with other arguments or callback headers"
        return [{"loc": ["header", self.header], "msg": message, "type": "idempotency_key_reused"}]


class BlockedDestinationError(CallbackError, ValueError):
    """A callback destination resolves to an address the SSRF guard refuses.

    The message says how to allow it (``APICORE_CALLBACKS_ALLOW`` or ``allow=``).
    """


class JobNotFoundError(CallbackError, LookupError):
    """No job with this id exists in the store."""


class WebhookVerificationError(CallbackError, ValueError):
    """A received webhook's headers or signature do not verify."""


class SettingsError(CallbackError, ValueError):
    """A setting (argument or environment variable) has an invalid value."""


class BrokerUnavailableError(_AnswerError, ConnectionError):
    """The job store or the broker (Redis) could not be reached; the job was not accepted.

    Answer 503 with :meth:`problem_fields` (and ``Retry-After``): the client may retry,
    ideally with the same ``Idempotency-Key``.
    """

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"

    def _detail(self) -> str:
        return "the callback job could not be queued; retry later"  # no connection details


class MissingExtraError(CallbackError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
