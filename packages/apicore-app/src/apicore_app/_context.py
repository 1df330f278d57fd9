"""The call context of a request being served, read from its headers only when used.

Outgoing apicore-client calls made by a function forward the request's ids. Most requests
make none: the headers are read on the first access, not on every request.
"""

from __future__ import annotations

from apicore_app._http import Headers
from apicore_client import CallContext

Fields = tuple[str | None, str | None, str | None, str | None]


class RequestCallContext(CallContext):
    """A ``CallContext`` whose fields come from ``headers`` when first read.

    Args:
        request_id: The request's id (already chosen).
        headers: The request's headers.
    """

    __slots__ = ("_fields", "_headers", "_rid")
    _fields: Fields | None
    _headers: Headers
    _rid: str

    def __init__(self, request_id: str, headers: Headers) -> None:
        object.__setattr__(self, "_rid", request_id)
        object.__setattr__(self, "_headers", headers)
        object.__setattr__(self, "_fields", None)

    def _load(self) -> Fields:
        fields = self._fields
        if fields is None:
            headers = self._headers.lower_map_view()
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
        return self._rid

    @property
    def traceparent(self) -> str | None:
        """The request's valid ``traceparent``, if any."""
        return self._load()[0]

    @property
    def tracestate(self) -> str | None:
        """The request's ``tracestate``, with a valid ``traceparent``."""
        return self._load()[1]

    @property
    def call_id(self) -> str | None:
        """Pymacaron's call id (``PymCallID`` or ``PymCallerID``)."""
        return self._load()[2]

    @property
    def call_path(self) -> str | None:
        """Pymacaron's call path (``PymCallPath`` or ``PymCallerPath``)."""
        return self._load()[3]
