"""The one exception hierarchy of apicore-client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from apicore_client._history import Attempt
from apicore_client._problem import Problem, parse_problem

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
