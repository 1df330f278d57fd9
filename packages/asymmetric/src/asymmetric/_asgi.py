"""The one ASGI entry every request goes through.

It reads the body while it streams in, stopping at ``Api.max_body_size`` (a 413 before the
whole body is read, for chunked bodies too), turns the ASGI scope into an
``apicore_app.Request``, lets ``Api.handle_async`` run the whole pipeline, and sends the
``Response`` with raw ASGI messages (no framework objects on the hot path).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

from starlette.types import Receive, Scope, Send

from apicore_app import (
    Api,
    Headers,
    Request,
    Response,
    close_stream,
    problem,
    problem_response,
    request_id,
)

logger = logging.getLogger("asymmetric")

# The request ids apicore-app takes from clients; others are replaced by a fresh one.


class AsgiApp:
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
        read = await _read_body(headers, receive, self.api.read_limit)
        if read is None:
            return  # the client went away before sending its body
        body, too_large = read
        client = scope.get("client")
        request = Request(
            scope["method"],
            _route_path(scope),
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            body,
            (client[0], client[1]) if client else None,
            scope.get("scheme", "http"),
        )
        if too_large:
            await send_response(send, self.too_large(request))
            return
        try:
            response = await self.api.handle_async(request)
        except Exception as exc:
            response = self.failure(request, exc)
        if response.native is not None:
            await response.native(scope, receive, send)
            return
        await send_response(send, response, receive)

    def too_large(self, request: Request) -> Response:
        """The 413 for a body over the limit, answered without reading the rest of it."""
        detail = f"The body is larger than {self.api.read_limit} bytes."
        # The rest of the body is still on the wire: close rather than drain it.
        response = problem_response(problem(413, detail), headers=[("Connection", "close")])
        return self.api.finish(request, response)

    def failure(self, request: Request, exc: BaseException) -> Response:
        """A 500 problem with a request id; ``exc`` is logged, never sent.

        The pipeline turns a function's failure into a problem itself: this only answers for
        bugs outside it (the pipeline's own, users' Starlette middleware or routes).
        """
        rid = request_id(request.headers.get("x-request-id"))
        logger.error("request %s: the request failed", rid, exc_info=exc)
        detail = f"The server failed to answer; quote request id {rid} when reporting it."
        response = problem_response(problem(500, detail, request_id=rid))
        tagged = Headers([("x-request-id", rid), *request.headers.items()])
        return self.api.finish(
            Request(request.method, request.path, request.query_string, tagged), response
        )


async def send_response(send: Send, response: Response, receive: Receive | None = None) -> None:
    """Send an ``apicore_app.Response`` as ASGI ``http.response.*`` messages.

    A streaming body stops at the first chunk after the client went away (seen on
    ``receive``, when given).
    """
    body = response.body
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    stream = response.stream
    if stream is not None:
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await _send_stream(send, stream, receive)
        return
    raw.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _send_stream(
    send: Send,
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str],
    receive: Receive | None,
) -> None:
    # One chunk at a time: memory stays flat whatever the download's size. Servers drop the
    # chunks sent after a disconnect without an error, so watch for it and stop producing.
    chunks = stream if isinstance(stream, AsyncIterable) else _in_threads(iter(stream))
    gone = asyncio.Event()
    watcher = asyncio.create_task(_watch(receive, gone)) if receive is not None else None
    try:
        async for chunk in chunks:
            if gone.is_set():
                return
            data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            if data:
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        if watcher is not None:
            watcher.cancel()
        if isinstance(chunks, AsyncIterator) and hasattr(chunks, "aclose"):
            await chunks.aclose()
        if not isinstance(stream, AsyncIterable):
            close_stream(stream)


async def _watch(receive: Receive, gone: asyncio.Event) -> None:
    # The body was read whole before, so the next message is the disconnect (ASGI); one
    # call only, so a server that answers otherwise cannot make this loop.
    if (await receive())["type"] == "http.disconnect":
        gone.set()


async def _in_threads(iterator: Iterator[bytes | str]) -> AsyncIterator[bytes | str]:
    # a plain iterator may block (reading a file): each step runs in a worker thread
    done = object()
    while True:
        chunk = await asyncio.to_thread(next, iterator, done)
        if chunk is done:
            return
        yield chunk  # type: ignore[misc]


async def _read_body(headers: Headers, receive: Receive, limit: int) -> tuple[bytes, bool] | None:
    """``(body, False)``; ``(b"", True)`` once over ``limit``; ``None`` if the client left."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return b"", True  # refused from the header alone, nothing read
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk: bytes = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                return b"", True
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), False


def _route_path(scope: Scope) -> str:
    # Servers put --root-path in front of the path (ASGI spec); routes are declared without it.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path
