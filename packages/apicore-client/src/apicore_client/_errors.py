"""The one exception hierarchy of apicore-client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from apicore_client._history import Attempt
from apicore_client._problem import Problem, parse_problem
from apicore_introspect import PROBLEM_TYPE_PREFIX

_UNPARSED: Any = object()


class ClientError(Exception):
    """Base class of every error raised by apicore-client.

    Every error of a failed call carries what is known about it: the request, the last
    response (if one arrived), the last httpx exception (if one was raised; it is also the
    ``__cause__``), and the attempt history.

    Attributes:
        request: The request that failed, if any.
        response: The last response received, if any.
        exception: The last httpx exception raised, if any.
        attempts: One :class:`apicore_client.Attempt` per attempt made, oldest first.
        body: For calls made by a spec-driven client, the last response's body decoded by
            the operation's declared schema (a model instance when it is one), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        exception: BaseException | None = None,
        attempts: Sequence[Attempt] = (),
    ) -> None:
        super().__init__(message)
        self.request = request
        self.response = response
        self.exception = exception
        self.attempts: tuple[Attempt, ...] = tuple(attempts)
        self._problem: Problem | None = _UNPARSED
        self.body: Any = None

    @property
    def status_code(self) -> int | None:
        """The status of the last response, or ``None`` when no response arrived."""
        return None if self.response is None else self.response.status_code

    @property
    def problem(self) -> Problem | None:
        """The parsed ``application/problem+json`` body of the last response, if it has one."""
        if self._problem is _UNPARSED:
            self._problem = None if self.response is None else parse_problem(self.response)
        return self._problem

    @property
    def problem_type(self) -> str | None:
        """The problem's ``type``, or ``None`` without a problem document."""
        return None if self.problem is None else self.problem.type

    @property
    def title(self) -> str | None:
        """The problem's ``title``, or ``None``."""
        return None if self.problem is None else self.problem.title

    @property
    def detail(self) -> str | None:
        """The problem's ``detail``, or ``None``."""
        return None if self.problem is None else self.problem.detail

    @property
    def errors(self) -> tuple[Mapping[str, Any], ...]:
        """The problem's validation ``errors`` (empty without a problem document)."""
        return () if self.problem is None else self.problem.errors


class ConfigError(ClientError, ValueError):
    """A retry policy, timeout or legacy option has an invalid value."""


class HTTPStatusError(ClientError):
    """The server answered with an error status that is not retried for this request.

    Raised for 4xx/5xx final responses when the client's ``raise_for_status`` is on (the
    default). ``response``, ``status_code`` and ``problem`` describe the answer.
    """


class TransportError(ClientError):
    """The request failed at the network level and was not retried (or could not be)."""


class ConnectError(TransportError, ConnectionError):
    """The connection could not be opened (refused, DNS failure, ...)."""


class RequestTimeout(TransportError, TimeoutError):
    """A connect, read, write or pool timeout expired."""


class RetriesExhausted(ClientError):
    """Every allowed attempt failed with a retryable outcome.

    ``response`` is the last response (for retryable statuses such as 503) and ``exception``
    the last transport error (for connect errors or timeouts); ``attempts`` lists them all.
    """


class DeadlineExceeded(RetriesExhausted, TimeoutError):
    """The call's total deadline left no room for another attempt or the requested wait.

    Also raised when the server's ``Retry-After`` asks for a longer wait than the time left.
    """


class ArgumentError(ClientError, TypeError):
    """A spec-driven client's method got arguments that do not fit its operation.

    Unknown or positional arguments where none are taken, or the body given twice. Nothing
    was sent. ``help(api.<operation>)`` shows the accepted arguments.
    """


class ArgumentValidationError(ClientError, ValueError):
    """A spec-driven client's arguments have values that do not fit the spec; nothing was sent.

    ``errors`` (and ``problem``, a local ``validation-error`` problem document) list every
    failure as ``{"loc": ["query", "limit"], "msg": ..., "type": ...}``, the same shape a
    server would answer with.
    """

    def __init__(self, message: str, *, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(message)
        self._problem = Problem(
            type=PROBLEM_TYPE_PREFIX + "validation-error",
            title="Validation error",
            detail=message,
            errors=tuple(errors),
        )


class ResponseValidationError(ClientError, ValueError):
    """The server answered something the spec does not allow.

    An undeclared status, a body that is not JSON where JSON is declared, or a body that
    does not fit the declared schema. ``response`` is the answer; ``validation_errors``
    lists the failures. Load the client with ``validate_responses=False`` to accept such
    answers as plain JSON.

    Attributes:
        validation_errors: Every failure, as ``{"loc": ["response", ...], "msg", "type"}``.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        attempts: Sequence[Attempt] = (),
        validation_errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(message, request=response.request, response=response, attempts=attempts)
        self.validation_errors: tuple[Mapping[str, Any], ...] = tuple(validation_errors)
