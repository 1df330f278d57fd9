"""Call id and call path: pymacaron's identifiers of a chain of calls between services.

A public-facing API gets a request without ``PymCallID``: it makes a new id (a UUID4). Each
service appends its API name to ``PymCallPath``, so a server named ``login`` reached through
``public`` then ``user`` sees the path ``public.user.login``. Both are forwarded on outgoing
client calls through apicore-introspect's :class:`~apicore_introspect.CallContext`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from apicore_app import Response
from apicore_introspect import CallContext, current_call_context

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


_CALL_HEADERS = frozenset({"pymcallid", "pymcallpath", "pymcallerid", "pymcallerpath"})


def call_headers(
    pairs: Sequence[tuple[str, str]], api_name: str
) -> tuple[list[tuple[str, str]], str, str]:
    """:func:`environ_call` on a header list: the headers with the call id and path; id; path."""
    found = {name.lower(): value for name, value in pairs}
    context = incoming_call_context(found, api_name)
    call_id, call_path = context.call_id or "", context.call_path or ""
    kept = [(name, value) for name, value in pairs if name.lower() not in _CALL_HEADERS]
    kept += [("pymcallid", call_id), ("pymcallpath", call_path)]
    if "x-request-id" not in found:
        kept.append(("x-request-id", call_id))
    return kept, call_id, call_path


def environ_call(environ: dict[str, Any], api_name: str) -> tuple[str, str]:
    """Set the call id and path of a request ``api_name`` serves in its WSGI environ.

    The incoming ``PymCallID``/``PymCallPath`` (or ``PymCallerID``/``PymCallerPath``) become
    the id (or a new one) and the path with ``api_name`` appended; the call id is the
    request id too unless the request has its own.
    """
    get = environ.get
    call_id = get("HTTP_PYMCALLID") or get("HTTP_PYMCALLERID") or _new_call_id()
    incoming = get("HTTP_PYMCALLPATH") or get("HTTP_PYMCALLERPATH")
    call_path = f"{incoming}.{api_name}" if incoming else api_name
    environ["HTTP_PYMCALLID"] = call_id
    environ["HTTP_PYMCALLPATH"] = call_path
    environ.setdefault("HTTP_X_REQUEST_ID", call_id)
    return call_id, call_path


def answered(response: Response, call_id: str) -> Response:
    """The response with the request's call id in ``PymCallID``."""
    response.headers.append((CALL_ID_HEADER, call_id))
    return response
