"""Test doubles: the fake clock (apicore-introspect's) and a scripted fault transport."""

from __future__ import annotations

import json as _json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from apicore_introspect.testing import FakeClock as FakeClock

FaultKind = Literal[
    "refuse", "connect_timeout", "pool_timeout", "read_timeout", "write_timeout", "reset",
    "reset_mid_body",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fault:
    """A scripted network failure.

    Attributes:
        kind: ``"refuse"`` (connection refused), ``"connect_timeout"``, ``"pool_timeout"``,
            ``"read_timeout"``, ``"write_timeout"``, ``"reset"`` (connection reset after the
            request was sent, before any response), ``"reset_mid_body"`` (status and headers
            arrive, then the body is cut).
        takes: Seconds of fake time the failure takes (default: the request's timeout for
            timeouts, 0 otherwise). Needs the transport's ``clock``.
        partial: The body bytes received before a ``"reset_mid_body"``.
    """

    kind: FaultKind
    takes: float | None = None
    partial: bytes = b'{"partial": '


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted response.

    Attributes:
        status: The status code.
        headers: Response headers.
        content: The raw body.
        json: A body to send as JSON (overrides ``content``; sets the content type).
        retry_after: A ``Retry-After`` value (seconds or an HTTP-date).
        takes: Seconds of fake time before the response arrives; if longer than the
            request's read timeout, the attempt ends in a read timeout instead.
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    json: Any = None
    retry_after: str | float | None = None
    takes: float = 0.0


Step = Fault | Reply


class ScriptExhausted(AssertionError):
    """The fault transport received more requests than its script has steps."""


class _CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, partial: bytes) -> None:
        self._partial = partial

    def _cut(self) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )

    def __iter__(self) -> Iterator[bytes]:
        yield self._partial
        raise self._cut()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._partial
        raise self._cut()


class FaultTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) that plays a script of faults and replies.

    Args:
        steps: One :class:`Fault` or :class:`Reply` per request, in order.
        then: What to answer once the script is spent (default: raise
            :class:`ScriptExhausted`, which the clients do not retry).
        clock: A :class:`FakeClock` to advance by each step's ``takes``.

    Attributes:
        requests: A snapshot of every request received, in order (bodies read).
    """

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        then: Step | None = None,
        clock: FakeClock | None = None,
    ) -> None:
        self._steps = list(steps)
        self._then = then
        self._clock = clock
        self.requests: list[httpx.Request] = []

    def _next(self, request: httpx.Request) -> Step:
        # a snapshot, because clients resend the same request object on every attempt
        self.requests.append(
            httpx.Request(
                request.method,
                request.url,
                headers=request.headers.copy(),
                content=request.content,
                extensions={**request.extensions, "timeout": dict(request.extensions["timeout"])}
                if "timeout" in request.extensions
                else dict(request.extensions),
            )
        )
        index = len(self.requests) - 1
        if index < len(self._steps):
            return self._steps[index]
        if self._then is not None:
            return self._then
        raise ScriptExhausted(
            f"request {len(self.requests)} ({request.method} {request.url}) has no scripted "
            f"step: the script has {len(self._steps)}; add steps or pass then=Reply(...)"
        )

    def _spend(self, seconds: float | None) -> None:
        if self._clock is not None and seconds:
            self._clock.advance(seconds)

    def _play(self, request: httpx.Request, step: Step) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        if isinstance(step, Reply):
            read = timeouts.get("read")
            if read is not None and step.takes > read:
                self._spend(read)
                raise httpx.ReadTimeout("timed out", request=request)
            self._spend(step.takes)
            headers = dict(step.headers)
            content = step.content
            if step.json is not None:
                content = _json.dumps(step.json).encode()
                headers.setdefault("content-type", "application/json")
            if step.retry_after is not None:
                ra = step.retry_after
                headers["retry-after"] = ra if isinstance(ra, str) else str(int(ra))
            return httpx.Response(step.status, headers=headers, content=content)
        kind = step.kind
        if kind == "reset_mid_body":
            self._spend(step.takes)
            length = str(len(step.partial) + 100)
            stream = _CutStream(step.partial)
            return httpx.Response(200, headers={"content-length": length}, stream=stream)
        timeout_of = {
            "connect_timeout": ("connect", httpx.ConnectTimeout),
            "pool_timeout": ("pool", httpx.PoolTimeout),
            "read_timeout": ("read", httpx.ReadTimeout),
            "write_timeout": ("write", httpx.WriteTimeout),
        }
        if kind in timeout_of:
            name, exc_type = timeout_of[kind]
            self._spend(step.takes if step.takes is not None else timeouts.get(name))
            raise exc_type("timed out", request=request)
        self._spend(step.takes)
        if kind == "refuse":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Play the next step for a sync client."""
        request.read()
        return self._play(request, self._next(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Play the next step for an async client."""
        await request.aread()
        return self._play(request, self._next(request))


def refuse() -> Fault:
    """Connection refused (nothing was sent)."""
    return Fault("refuse")


def connect_timeout(*, takes: float | None = None) -> Fault:
    """Connect timeout (nothing was sent)."""
    return Fault("connect_timeout", takes=takes)


def read_timeout(*, takes: float | None = None) -> Fault:
    """Read timeout (the request was sent and may have been processed)."""
    return Fault("read_timeout", takes=takes)


def reset() -> Fault:
    """Connection reset after the request was sent, before the response."""
    return Fault("reset")


def reset_mid_body(partial: bytes = b'{"partial": ') -> Fault:
    """A 200 whose body is cut after ``partial``."""
    return Fault("reset_mid_body", partial=partial)


def status(
    code: int,
    *,
    retry_after: str | float | None = None,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    takes: float = 0.0,
) -> Reply:
    """A response with ``code`` (and optionally ``Retry-After``, a JSON body, headers)."""
    return Reply(code, headers=dict(headers or {}), json=json, retry_after=retry_after, takes=takes)
