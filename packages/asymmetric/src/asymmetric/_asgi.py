"""The one ASGI entry every request goes through.

It reads the body while it streams in, stopping at ``Api.max_body_size`` (a 413 before the
whole body is read, for chunked bodies too), turns the ASGI scope into an
``apicore_app.Request``, lets ``Api.handle_async`` run the whole pipeline, and sends the
``Response`` with raw ASGI messages (no framework objects on the hot path).
"""

from __future__ import annotations

import logging
import uuid

from starlette.types import Receive, Scope, Send

from apicore_app import Api, Headers, Request, Response, problem, problem_response

logger = logging.getLogger("asymmetric")


class Endpoint:
    """An ASGI application serving an ``Api``.

    Args:
        api: The application core whose routes are served.
    """

    __slots__ = ("api",)

    def __init__(self, api: Api) -> None:
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (HTTP; WebSockets are refused)."""
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = Headers(scope["headers"])
        body, complete = await _read_body(headers, receive, self.api.max_body_size)
        if body is None:
            return  # the client went away before sending its body
        request = Request(
            scope["method"],
            _route_path(scope),
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            body,
        )
        try:
            response = await self.api.handle_async(request)
        except Exception as exc:
            response = internal_error(headers, exc)
        if not complete:
            # The rest of an oversize body is still on the wire: close rather than drain it.
            response.headers.append(("Connection", "close"))
        await send_response(send, response)


async def send_response(send: Send, response: Response) -> None:
    """Send an ``apicore_app.Response`` as ASGI ``http.response.*`` messages."""
    body = response.body
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    raw.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _read_body(headers: Headers, receive: Receive, limit: int) -> tuple[bytes | None, bool]:
    """The body, or ``limit + 1`` bytes when it is larger; and whether it was read whole."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        # Refused from the header alone; the pipeline sees an oversize body and answers 413.
        return bytes(limit + 1), False
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, False
        chunk: bytes = message.get("body", b"")
        if chunk:
            size += len(chunk)
            chunks.append(chunk)
            if size > limit:
                return b"".join(chunks), False
        if not message.get("more_body", False):
            break
    if len(chunks) == 1:
        return chunks[0], True
    return b"".join(chunks), True


def _route_path(scope: Scope) -> str:
    # Servers put --root-path in front of the path (ASGI spec); routes are declared without it.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path


def internal_error(headers: Headers, exc: BaseException) -> Response:
    """A 500 problem with a request id (the client's, if sane); ``exc`` is logged, not sent.

    The pipeline turns every failure of a function into a problem itself: this only answers
    for bugs outside it (the pipeline's own, users' Starlette middleware or routes).
    """
    given = headers.get("x-request-id")
    rid = given if given and given.isascii() and given.isprintable() else uuid.uuid4().hex
    rid = rid[:128]
    logger.error("request %s: the request failed", rid, exc_info=exc)
    detail = f"The server failed to answer; quote request id {rid} when reporting it."
    return problem_response(problem(500, detail, request_id=rid), headers=[("X-Request-ID", rid)])
