"""Call id and call path: pymacaron's identifiers of a chain of calls between services.

A public-facing API gets a request without ``PymCallID``: it makes a new id (a UUID4). Each
service appends its API name to ``PymCallPath``, so a server named ``login`` reached through
``public`` then ``user`` sees the path ``public.user.login``. Both are forwarded on outgoing
client calls through apicore-client's :class:`~apicore_client.CallContext`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace

from apicore_app import Headers, Request, Response
from apicore_client import CallContext, current_call_context

CALL_ID_HEADER = "PymCallID"
"""The header carrying the call id (the legacy README's ``PymCallerID`` is read too)."""

CALL_PATH_HEADER = "PymCallPath"
"""The header carrying the call path (the legacy README's ``PymCallerPath`` is read too)."""


def _new_call_id() -> str:
    return str(uuid.uuid4())


def incoming_call_context(
    headers: Mapping[str, str],
    api_name: str,
    *,
    new_id: Callable[[], str] = _new_call_id,
) -> CallContext:
    """The call context of a request served by ``api_name`` (pure but for ``new_id``).

    Args:
        headers: The request headers (``PymCallID``/``PymCallerID``, ``PymCallPath``/
            ``PymCallerPath``, ``X-Request-ID``, ``traceparent``).
        api_name: The name the API was added under (``ApiPool.add(name, ...)``).
        new_id: Makes a call id when the request carries none.

    Returns:
        The context: the incoming call id (or a new one) and the incoming call path with
        ``api_name`` appended (or just ``api_name``).
    """
    incoming = CallContext.from_headers(headers)
    call_path = f"{incoming.call_path}.{api_name}" if incoming.call_path else api_name
    return replace(incoming, call_id=incoming.call_id or new_id(), call_path=call_path)


def current_call_id() -> str | None:
    """The call id of the request being served in this thread, or ``None`` outside one."""
    context = current_call_context()
    return context.call_id if context is not None else None


def current_call_path() -> str | None:
    """The call path (``public.user.login``) of the request being served, or ``None``."""
    context = current_call_context()
    return context.call_path if context is not None else None


_CALL_HEADERS = ("pymcallid", "pymcallpath", "pymcallerid", "pymcallerpath")


def call_request(request: Request, api_name: str) -> Request:
    """The request with its call id as request id and the call path extended (pure).

    A request without ``PymCallID`` gets a new id; its ``PymCallPath`` gets ``api_name``.
    """
    headers = request.headers.lower_map_view()
    context = incoming_call_context(headers, api_name)
    kept = [(k, v) for k, v in request.headers.items() if k.lower() not in _CALL_HEADERS]
    extra = [("pymcallid", context.call_id or ""), ("pymcallpath", context.call_path or "")]
    if "x-request-id" not in headers:
        extra.append(("x-request-id", context.call_id or ""))
    return replace(request, headers=Headers([*kept, *extra]))


def answered(response: Response, request: Request) -> Response:
    """The response with the request's call id in ``PymCallID``."""
    response.headers.append((CALL_ID_HEADER, request.headers.get("pymcallid") or ""))
    return response
