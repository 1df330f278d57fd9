"""The current call's identifiers, carried from an incoming request onto outgoing calls.

Servers set the context per request (apicore-app) and clients read it (apicore-client): it
lives here, in the package both depend on, so a server needs no client to set it.
"""

from __future__ import annotations

import contextvars
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from apicore_introspect.frozen import frozen

REQUEST_ID_HEADER = "X-Request-ID"
TRACEPARENT_HEADER = "traceparent"
TRACESTATE_HEADER = "tracestate"
CALL_ID_HEADER = "PymCallID"
CALL_PATH_HEADER = "PymCallPath"

_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


@frozen
class CallContext:
    """Identifiers of the request being served, to forward on the calls it makes.

    Attributes:
        request_id: The ``X-Request-ID`` of the incoming request (forwarded unchanged).
        traceparent: The W3C ``traceparent`` of the incoming request; outgoing calls get a
            child of it (same trace id and flags, a new span id).
        tracestate: The W3C ``tracestate`` (forwarded unchanged with a traceparent).
        call_id: pymacaron's call id (``PymCallID``, forwarded unchanged).
        call_path: pymacaron's call path (``PymCallPath``, forwarded unchanged).
    """

    request_id: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    call_id: str | None = None
    call_path: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> CallContext:
        """Read the identifiers of an incoming request's headers (names case-insensitive).

        Accepts ``X-Request-ID`` (or ``Request-ID``), ``traceparent``/``tracestate``, and
        pymacaron's ``PymCallID``/``PymCallPath`` as well as the ``PymCallerID``/
        ``PymCallerPath`` spelling of its README. An invalid ``traceparent`` is dropped.

        Args:
            headers: Any mapping of header names to values (Flask, Starlette, httpx, dict).

        Returns:
            The context (fields ``None`` where the header is absent).
        """
        lower = {str(k).lower(): str(v) for k, v in headers.items()}
        traceparent = lower.get("traceparent")
        if traceparent is not None and _parse_traceparent(traceparent) is None:
            traceparent = None
        return cls(
            request_id=lower.get("x-request-id") or lower.get("request-id"),
            traceparent=traceparent,
            tracestate=lower.get("tracestate") if traceparent else None,
            call_id=lower.get("pymcallid") or lower.get("pymcallerid"),
            call_path=lower.get("pymcallpath") or lower.get("pymcallerpath"),
        )

    def outgoing_headers(self, *, span_id: str | None = None) -> dict[str, str]:
        """The headers an outgoing call made inside this context should carry.

        Args:
            span_id: The child span id for ``traceparent`` (16 lowercase hex digits); a random
                one when omitted.

        Returns:
            ``X-Request-ID``, ``traceparent`` (a child span), ``tracestate``, ``PymCallID`` and
            ``PymCallPath``, each only when known.
        """
        child = child_traceparent(self.traceparent, span_id=span_id) if self.traceparent else None
        values = (
            (REQUEST_ID_HEADER, self.request_id),
            (TRACEPARENT_HEADER, child),
            (TRACESTATE_HEADER, self.tracestate if child else None),
            (CALL_ID_HEADER, self.call_id),
            (CALL_PATH_HEADER, self.call_path),
        )
        return {header: value for header, value in values if value}


def _parse_traceparent(value: str) -> tuple[str, str, str, str] | None:
    text = value.strip().lower()
    match = _TRACEPARENT.match(text)
    if match is None:
        return None
    version, trace_id, span_id, flags = match.groups()
    # version 00 is exactly 55 characters; later versions may append fields after a dash
    if version == "ff" or (version == "00" and len(text) != 55):
        return None
    if len(text) > 55 and text[55] != "-":
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return version, trace_id, span_id, flags


def child_traceparent(traceparent: str, *, span_id: str | None = None) -> str | None:
    """A ``traceparent`` for a child span of ``traceparent`` (W3C Trace Context).

    Args:
        traceparent: The parent's header value.
        span_id: The child's span id (16 lowercase hex digits, not all zero); random if omitted.

    Returns:
        ``00-<same trace id>-<span id>-<same flags>``, or ``None`` when ``traceparent`` is
        not a valid header.
    """
    parsed = _parse_traceparent(traceparent)
    if parsed is None:
        return None
    _, trace_id, _, flags = parsed
    if span_id is None:
        span_id = secrets.token_hex(8)
        if span_id == _ZERO_SPAN:  # all-zero span ids are invalid
            span_id = "0" * 15 + "1"
    elif not re.fullmatch(r"[0-9a-f]{16}", span_id) or span_id == _ZERO_SPAN:
        raise ValueError(f"span_id must be 16 lowercase hex digits, not all zero: {span_id!r}")
    return f"00-{trace_id}-{span_id}-{flags}"


_current: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "apicore_call_context", default=None
)


def current_call_context() -> CallContext | None:
    """The context set for the current thread or task, if any."""
    return _current.get()


def set_call_context(context: CallContext | None) -> contextvars.Token[CallContext | None]:
    """Make ``context`` current until :func:`reset_call_context` is called with the token.

    Servers call this when a request starts (``CallContext.from_headers(request.headers)``)
    and reset it when the request ends.
    """
    return _current.set(context)


def reset_call_context(token: contextvars.Token[CallContext | None]) -> None:
    """Restore the context that was current before :func:`set_call_context`."""
    _current.reset(token)


@contextmanager
def call_context(context: CallContext | None) -> Iterator[CallContext | None]:
    """Make ``context`` current inside a ``with`` block.

    Example:
        >>> with call_context(CallContext(request_id="r-1")):
        ...     current_call_context().request_id
        'r-1'
    """
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
