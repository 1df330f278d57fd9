"""The call context of a request being served, read from its headers only when used.

Outgoing apicore-client calls forward it; most requests make none.
"""

from __future__ import annotations

from apicore_app._http import Headers
from apicore_introspect import CallContext

Fields = tuple[str | None, str | None, str | None, str | None]


class _HeaderField:
    # a field of a ``RequestCallContext``, read from the headers on first access
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, context: RequestCallContext | None, owner: object = None) -> str | None:
        return None if context is None else context._load()[self.index]


class RequestCallContext(CallContext):
    """A ``CallContext`` whose fields come from the request's headers when first read.

    Built by :func:`request_call_context`, with one slot set per request.
    """

    __slots__ = ("_fields", "_source")
    _fields: Fields  # set on the first read of a header-borne field
    _source: tuple[str, Headers]  # the request id and headers

    def _load(self) -> Fields:
        try:
            return self._fields
        except AttributeError:
            pass
        headers = self._source[1].lower_map_view()
        traceparent = headers.get("traceparent")
        tracestate = None
        if traceparent is not None:
            given = {"traceparent": traceparent, "tracestate": headers.get("tracestate", "")}
            parsed = CallContext.from_headers(given)
            traceparent, tracestate = parsed.traceparent, parsed.tracestate
        fields = (
            traceparent,
            tracestate,
            headers.get("pymcallid") or headers.get("pymcallerid"),
            headers.get("pymcallpath") or headers.get("pymcallerpath"),
        )
        object.__setattr__(self, "_fields", fields)
        return fields

    @property
    def request_id(self) -> str | None:
        """The request's id."""
        return self._source[0]

    # read from the headers: the request's valid ``traceparent`` and its ``tracestate``,
    # pymacaron's ``PymCallID`` (or ``PymCallerID``) and ``PymCallPath`` (or ``PymCallerPath``)
    traceparent = _HeaderField(0)
    tracestate = _HeaderField(1)
    call_id = _HeaderField(2)
    call_path = _HeaderField(3)


_new = object.__new__
_set_source = RequestCallContext.__dict__["_source"].__set__


def request_call_context(request_id: str, headers: Headers) -> RequestCallContext:
    """The call context of a request (no ``__init__`` call: a frozen class's setattr is slow)."""
    context: RequestCallContext = _new(RequestCallContext)
    _set_source(context, (request_id, headers))
    return context
