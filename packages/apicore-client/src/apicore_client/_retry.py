"""The retry decisions of one logical call, shared by the sync and async retry transports.

This module does no I/O: a transport asks :class:`CallState` what to do after each attempt
and performs the sends and sleeps itself, on the clock it was given.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal

import httpx

from apicore_client._clock import Clock, no_backoff_active
from apicore_client._errors import (
    ClientError,
    ConnectError,
    DeadlineExceeded,
    HTTPStatusError,
    RequestTimeout,
    RetriesExhausted,
    TransportError,
)
from apicore_client._history import HISTORY_EXTENSION, Attempt
from apicore_client._policy import RetryPolicy, Timeouts, parse_retry_after

ErrorKind = Literal["connect", "sent", "fatal"]
_longest = functools.lru_cache(maxsize=64)(Timeouts.longest)


def classify_error(exc: httpx.HTTPError) -> ErrorKind:
    """Sort an httpx error by what the server may have seen.

    ``"connect"``: nothing was sent (connect refused/timeout, no pool slot), always safe to
    retry. ``"sent"``: the request may have reached the server (read/write timeout, reset,
    truncated response), safe only for retry-safe requests. ``"fatal"``: retrying cannot help
    (bad URL, unsupported protocol, our own protocol error, too many redirects).
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "connect"
    if isinstance(
        exc,
        httpx.ReadTimeout
        | httpx.WriteTimeout
        | httpx.ReadError
        | httpx.WriteError
        | httpx.CloseError
        | httpx.RemoteProtocolError,
    ):
        return "sent"
    return "fatal"


def _where(request: httpx.Request) -> str:
    # The query string and user info may hold credentials: keep them out of messages.
    url = request.url
    port = f":{url.port}" if url.port is not None else ""
    return f"{request.method} {url.scheme}://{url.host}{port}{url.path}"


def _plural(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"


class CallState:
    """Bookkeeping and decisions for one logical call (all its attempts)."""

    __slots__ = (
        "_clock",
        "_deadline_at",
        "_last_exc",
        "_last_response",
        "_policy",
        "_random",
        "_started",
        "_started_wall",
        "attempts",
        "raise_for_status",
        "request",
        "timeouts",
    )

    def __init__(
        self,
        request: httpx.Request,
        *,
        policy: RetryPolicy,
        timeouts: Timeouts,
        clock: Clock,
        random: Callable[[], float],
        raise_for_status: bool,
    ) -> None:
        self.request = request
        self.timeouts = timeouts
        self.raise_for_status = raise_for_status
        self.attempts: list[Attempt] = []
        self._policy = policy
        self._clock = clock
        self._random = random
        self._last_response: httpx.Response | None = None
        self._last_exc: httpx.HTTPError | None = None
        self._started = 0.0
        self._started_wall = 0.0
        self._deadline_at: float | None = None

    def start(self) -> httpx.Request:
        """Start an attempt: the request, its timeouts capped by the time left if shorter.

        Raises:
            DeadlineExceeded: No time is left.
        """
        now = self._clock.monotonic()
        self._started = now
        self._started_wall = self._clock.time()
        deadline = self._policy.deadline
        if deadline is not None:
            if self._deadline_at is None:
                self._deadline_at = now + deadline
            remaining = self._deadline_at - now
            if remaining <= 0:
                raise self._deadline_error(None)
            if remaining < _longest(self.timeouts):
                self.request.extensions["timeout"] = self.timeouts.clamped(remaining)
        return self.request

    def after(self, outcome: httpx.Response | httpx.HTTPError) -> float | None:
        """Decide after an attempt: seconds to wait before the next one, or ``None`` (final).

        The final response is :attr:`response`.

        Raises:
            ClientError: The response is an error and ``raise_for_status`` is on, or the
                error is not retried (chained ``from`` the httpx error).
        """
        if isinstance(outcome, httpx.Response):
            return self._on_response(outcome)
        return self._on_error(outcome)

    @property
    def response(self) -> httpx.Response:
        """The final response (after :meth:`after` returned ``None``)."""
        assert self._last_response is not None
        return self._last_response

    def _record(
        self,
        outcome: Literal["response", "error"],
        *,
        status_code: int | None = None,
        error: str | None = None,
        sleep: float | None = None,
    ) -> None:
        self.attempts.append(
            Attempt(
                number=len(self.attempts) + 1,
                started_at=self._started_wall,
                duration=self._clock.monotonic() - self._started,
                outcome=outcome,
                status_code=status_code,
                error=error,
                sleep=sleep,
            )
        )

    def _on_response(self, response: httpx.Response) -> float | None:
        # None: final, with the attempt history in response.extensions["apicore.attempts"]
        status = response.status_code
        self._last_response = response
        self._last_exc = None
        policy = self._policy
        retryable = status >= 400 and status in policy.retry_statuses and policy.retries
        if not (retryable and self._retry_safe()):
            self._record("response", status_code=status)
            if status >= 400 and self.raise_for_status:
                raise self._status_error(response)
        elif len(self.attempts) + 1 >= policy.max_attempts:
            self._record("response", status_code=status)
            if self.raise_for_status:
                raise RetriesExhausted(
                    f"{_where(self.request)} answered {status} {response.reason_phrase} on each "
                    f"of {_plural(policy.max_attempts)}; the server keeps failing: try later or "
                    "raise RetryPolicy.max_attempts",
                    request=self.request,
                    response=response,
                    attempts=self.attempts,
                )
        else:
            wait = None
            if policy.respect_retry_after:
                wait = parse_retry_after(
                    response.headers.get("retry-after"), now=self._clock.time()
                )
                if wait is not None:
                    wait = min(wait, policy.retry_after_max)
            if wait is None:
                wait = policy.backoff(len(self.attempts) + 1, self._random)
            if not self._past_deadline(wait):
                return self._sleep(wait, "response", status_code=status)
            self._record("response", status_code=status)
            if self.raise_for_status:
                raise self._deadline_error(wait)
        self._finish(response)
        return None

    def _on_error(self, exc: httpx.HTTPError) -> float:
        self._last_exc = exc
        self._last_response = None
        kind = classify_error(exc)
        policy = self._policy
        retryable = policy.retries and (
            (kind == "connect" and policy.retry_connect_errors)
            or (kind == "sent" and self._retry_safe())
        )
        name = type(exc).__name__
        if not retryable:
            self._record("error", error=name)
            raise self._transport_error(exc, kind) from exc
        if len(self.attempts) + 1 >= policy.max_attempts:
            self._record("error", error=name)
            raise RetriesExhausted(
                f"{_where(self.request)} failed with {name} on each of "
                f"{_plural(policy.max_attempts)}; check that the server is up and reachable, "
                "or raise RetryPolicy.max_attempts",
                request=self.request,
                exception=exc,
                attempts=self.attempts,
            ) from exc
        wait = policy.backoff(len(self.attempts) + 1, self._random)
        if self._past_deadline(wait):
            self._record("error", error=name)
            raise self._deadline_error(wait) from exc
        return self._sleep(wait, "error", error=name)

    def _past_deadline(self, wait: float) -> bool:
        return self._deadline_at is not None and (
            self._clock.monotonic() + wait >= self._deadline_at
        )

    def _sleep(
        self,
        wait: float,
        outcome: Literal["response", "error"],
        *,
        status_code: int | None = None,
        error: str | None = None,
    ) -> float:
        # decisions use the intended wait; only the actual sleep is skipped without backoff
        if no_backoff_active():
            wait = 0.0
        self._record(outcome, status_code=status_code, error=error, sleep=wait)
        return wait

    def _finish(self, response: httpx.Response) -> None:
        response.extensions[HISTORY_EXTENSION] = tuple(self.attempts)

    def _retry_safe(self) -> bool:
        request = self.request
        return self._policy.is_retry_safe(
            request.method, has_idempotency_key="idempotency-key" in request.headers
        )

    def _why_not(self, status: int) -> str:
        if status not in self._policy.retry_statuses:
            return ""
        if not self._policy.retries:
            return "; retries are disabled"
        return (
            f"; not retried because {self.request.method} is not idempotent "
            "(send an Idempotency-Key header to make it retry-safe)"
        )

    def _status_error(self, response: httpx.Response) -> HTTPStatusError:
        error = HTTPStatusError(
            f"{_where(self.request)} answered {response.status_code} {response.reason_phrase}",
            request=self.request,
            response=response,
            attempts=self.attempts,
        )
        title = error.title
        suffix = f" ({title})" if title else ""
        error.args = (f"{error.args[0]}{suffix}{self._why_not(response.status_code)}",)
        return error

    def _transport_error(self, exc: httpx.HTTPError, kind: ErrorKind) -> ClientError:
        cls: type[TransportError]
        if isinstance(exc, httpx.TimeoutException):
            cls = RequestTimeout
        elif isinstance(exc, httpx.ConnectError):
            cls = ConnectError
        else:
            cls = TransportError
        if kind == "sent" and self._policy.retries:
            why = (
                f"; not retried because the request may have reached the server and "
                f"{self.request.method} is not idempotent (send an Idempotency-Key header "
                "to make it retry-safe)"
            )
        elif kind == "fatal":
            why = "; retrying cannot help: check the URL and the request"
        else:
            why = ""
        return cls(
            f"{_where(self.request)} failed with {type(exc).__name__}{why}",
            request=self.request,
            exception=exc,
            attempts=self.attempts,
        )

    def _deadline_error(self, wait: float | None) -> DeadlineExceeded:
        deadline = self._policy.deadline
        asked = "" if wait is None else f" (the next retry would wait {wait:.3g} s)"
        return DeadlineExceeded(
            f"{_where(self.request)} did not succeed within its {deadline} s deadline after "
            f"{_plural(len(self.attempts))}{asked}; raise RetryPolicy.deadline or try later",
            request=self.request,
            response=self._last_response,
            exception=self._last_exc,
            attempts=self.attempts,
        )
