"""The one exception hierarchy of apicore-callbacks."""

from __future__ import annotations

from typing import Any

PROBLEM_PREFIX = "urn:apicore:problem:"


class CallbackError(Exception):
    """Base class of every error raised by apicore-callbacks."""


class InvalidCallbackObjectError(CallbackError, TypeError):
    """The ``callback=`` decorator argument is not ``True``/``False`` or a valid header dict.

    Raised at decoration time (the legacy ``asymmetric`` name is kept).
    """


class CallbackRequestError(CallbackError, ValueError):
    """A request's callback headers are invalid; render :meth:`problem` as the HTTP answer.

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

    def problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem document (a plain dict) for this error."""
        return {
            "type": PROBLEM_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": [{"loc": list(self.loc), "msg": self.detail, "type": self.kind}],
        }


class InvalidCallbackURLError(CallbackRequestError):
    """The callback URL header is missing, malformed, or points to a refused destination."""


class InvalidCallbackMethodError(CallbackRequestError):
    """The callback method header is not one of POST, PUT, PATCH."""


class InvalidCallbackKeyError(CallbackRequestError):
    """The custom callback key header is too long or has control characters."""


class InvalidIdempotencyKeyError(CallbackRequestError):
    """The ``Idempotency-Key`` header is empty, too long or has control characters."""


class IdempotencyKeyReusedError(CallbackError, ValueError):
    """The ``Idempotency-Key`` was already used with different arguments or callback headers.

    Answer 422 (IETF ``draft-ietf-httpapi-idempotency-key-header``): the client must use a new
    key for a different request.
    """

    status = 422

    def __init__(self, job_id: str, *, header: str = "Idempotency-Key") -> None:
        super().__init__(
            f"this {header} was already used for a different request; "
            "send a new key for a request with other arguments or callback headers"
        )
        self.job_id = job_id
        self.header = header

    def problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem document (a plain dict) for this error.

        Like every 422 of ours it lists the failure with its location (the header).
        """
        return {
            "type": PROBLEM_PREFIX + "idempotency-key-reused",
            "title": "Idempotency-Key reused",
            "status": self.status,
            "detail": str(self),
            "errors": [
                {
                    "loc": ["header", self.header],
                    "msg": "Already used for a request with other arguments or callback headers",
                    "type": "idempotency_key_reused",
                }
            ],
        }


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


class BrokerUnavailableError(CallbackError, ConnectionError):
    """The job store or the broker (Redis) could not be reached; the job was not accepted.

    Answer 503 with :meth:`problem` (and ``Retry-After``): the client may retry, ideally with
    the same ``Idempotency-Key``.
    """

    status = 503

    def problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem document (no connection details)."""
        return {
            "type": PROBLEM_PREFIX + "service-unavailable",
            "title": "Service unavailable",
            "status": self.status,
            "detail": "the callback job could not be queued; retry later",
        }


class MissingExtraError(CallbackError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
