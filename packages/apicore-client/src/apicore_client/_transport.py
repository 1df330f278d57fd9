"""Retries as httpx transports: the I/O shells around the sans-I/O :class:`CallState`.

``httpx.Client(transport=RetryTransport(httpx.HTTPTransport()))`` retries like an apicore
:class:`~apicore_client.Client`; the clients themselves send through these transports.
"""

from __future__ import annotations

import functools
import random as _random
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from apicore_client._clock import Clock, SystemClock
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_client._retry import CallState

RETRY_POLICY_EXTENSION = "apicore.retry"
"""A request extension holding the :class:`RetryPolicy` of that request only."""

BODY_EXTENSION = "apicore.body"
"""A request extension: a function applied to each attempt's response before its body is read.

A bounded read wraps the stream there.
"""

_SYSTEM_CLOCK = SystemClock()
_DEFAULT_TIMEOUTS = Timeouts()
# a client sends the same few timeouts again and again: checked once, not on every call
_timeouts = functools.lru_cache(maxsize=64)(Timeouts)
_T = TypeVar("_T", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _Retrying(Generic[_T]):
    """The configuration both transports share, and the start of a call."""

    _default: Callable[[], _T]

    def __init__(
        self,
        transport: _T | None = None,
        *,
        retry: RetryPolicy | None = None,
        raise_for_status: bool = True,
        clock: Clock | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.transport: _T = self._default() if transport is None else transport
        self.retry = RetryPolicy() if retry is None else retry
        self.raise_for_status = raise_for_status
        self.clock: Clock = _SYSTEM_CLOCK if clock is None else clock
        self.random: Callable[[], float] = _random.random if random is None else random

    def _call(self, request: httpx.Request) -> CallState:
        policy = request.extensions.get(RETRY_POLICY_EXTENSION) or self.retry
        timeout = request.extensions.get("timeout")
        return CallState(
            request,
            policy=policy,
            # only a deadline reads them (to cap each attempt's): not built on every call
            timeouts=_timeouts(**timeout) if timeout and policy.deadline else _DEFAULT_TIMEOUTS,
            clock=self.clock,
            random=self.random,
            raise_for_status=self.raise_for_status,
        )

    @staticmethod
    def _shaped(call: CallState, response: httpx.Response) -> httpx.Response:
        shape: Callable[[httpx.Response], httpx.Response] | None = call.request.extensions.get(
            BODY_EXTENSION
        )
        return response if shape is None else shape(response)


class RetryTransport(_Retrying[httpx.BaseTransport], httpx.BaseTransport):
    """A transport that retries the requests it forwards to ``transport``, safely.

    Each request is one logical call: attempts, waits and errors follow the policy
    (:class:`RetryPolicy`; a request's own policy can be put in
    ``request.extensions["apicore.retry"]``), its timeouts are capped by the deadline, and
    each attempt's body is read before deciding, so a connection reset mid-body is retried
    like any read error. The final response carries the attempt history (:func:`attempts_of`).

    Args:
        transport: The transport to send with (default: a new :class:`httpx.HTTPTransport`).
        retry: The default policy (default ``RetryPolicy()``).
        raise_for_status: Raise for final 4xx/5xx responses (else return them).
        clock: Where time is read and slept.
        random: A ``[0, 1)`` source for backoff jitter.
    """

    _default = httpx.HTTPTransport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` with retries; raise :class:`ClientError` when it fails."""
        call = self._call(request)
        while (wait := call.after(self._attempt(call))) is not None:
            if wait > 0:
                self.clock.sleep(wait)
        return call.response

    def _attempt(self, call: CallState) -> httpx.Response | httpx.HTTPError:
        try:
            response = self._shaped(call, self.transport.handle_request(call.start()))
            try:
                response.read()
            finally:
                response.close()
        except httpx.HTTPError as exc:
            return exc
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.transport.close()


class AsyncRetryTransport(_Retrying[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport):
    """The asyncio form of :class:`RetryTransport`, with the same arguments.

    ``transport`` is an async one (default: a new :class:`httpx.AsyncHTTPTransport`) and
    ``clock.async_sleep`` waits.
    """

    _default = httpx.AsyncHTTPTransport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` with retries; raise :class:`ClientError` when it fails."""
        call = self._call(request)
        while (wait := call.after(await self._attempt(call))) is not None:
            if wait > 0:
                await self.clock.async_sleep(wait)
        return call.response

    async def _attempt(self, call: CallState) -> httpx.Response | httpx.HTTPError:
        try:
            response = self._shaped(call, await self.transport.handle_async_request(call.start()))
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            return exc
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()
