"""``asgi_app``: an ``Api`` as an ASGI application, with no framework underneath.

The body is read as it streams in, up to ``Api.read_limit`` (a 413 before the rest of it is
read, chunked bodies too); a streaming response stops when the client goes away.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    MutableMapping,
)
from typing import Any

from apicore_app._app import Api, _internal, close_stream, request_id
from apicore_app._http import Headers, Request, Response, problem, problem_response

_HANDLE_ASYNC = Api.handle_async

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("apicore.app")


def asgi_app(api: Api, *, fallback: ASGIApp | None = None) -> AsgiApp:
    """``api`` as an ASGI application (``uvicorn module:app``); see ``AsgiApp``.

    Args:
        api: The routes to serve.
        fallback: The ASGI app for paths ``api`` does not own (``Api.owns``), and for
            WebSockets and the lifespan protocol; without one those paths get a JSON 404
            problem and the lifespan starts and stops ``api``.
    """
    return AsgiApp(api, fallback)


class AsgiApp:
    """An ASGI application serving an ``Api`` (build it with ``asgi_app``).

    Attributes:
        api: The served ``Api``.
        fallback: The ASGI app for everything else, or ``None``.
    """

    __slots__ = ("api", "fallback")

    def __init__(self, api: Api, fallback: ASGIApp | None = None) -> None:
        self.api = api
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        kind = scope["type"]
        fallback = self.fallback
        if kind == "http":
            path = route_path(scope)
            if fallback is not None and not self.api.owns(path):
                await fallback(scope, receive, send)
                return
            await self.serve(scope, receive, send, path)
        elif fallback is not None:
            await fallback(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    async def serve(
        self, scope: Scope, receive: Receive, send: Send, path: str | None = None
    ) -> None:
        """Answer an HTTP scope with the ``Api`` (whatever its path).

        One coroutine for the common case: a body in one ``http.request`` message is read
        here, and a whole response goes out as two messages with pre-encoded headers.
        """
        api = self.api
        if not api._started and api._dispatcher is not None:
            # Served without a lifespan (``--lifespan off``): start the callback worker.
            await asyncio.to_thread(api.start)
        headers = Headers(scope["headers"])
        limit = api.read_limit
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            body, over = b"", True  # refused from the header alone, nothing read
        else:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            body = message.get("body", b"")
            if message.get("more_body", False):
                read = await read_rest(receive, body, limit)
                if read is None:
                    return
                body, over = read
            else:
                over = len(body) > limit
                if over:
                    body = b""
        query: bytes = scope.get("query_string", b"")
        client = scope.get("client")
        request = Request(
            scope["method"],
            path if path is not None else route_path(scope),
            query.decode("latin-1") if query else "",
            headers,
            body,
            (client if type(client) is tuple else (client[0], client[1])) if client else None,
            scope.get("scheme", "http"),
        )
        if over:
            response = self.too_large(request)
        else:
            try:
                if type(api).handle_async is _HANDLE_ASYNC:
                    # ``api.handle_async`` inlined: the function's coroutine is awaited here
                    started = time.perf_counter()
                    answer, rid = api._begin_async(request)
                    if not isinstance(answer, Response):
                        answer = await answer
                    response = api._finish(request, answer, rid, started)
                else:  # a subclass's own pipeline
                    response = await api.handle_async(request)
            except Exception as exc:
                response = self.failure(request, exc)
        if response.native is not None:
            await response.native(scope, receive, send)
            return
        raw = [_ENCODED.get(pair) or _encode(pair) for pair in response.headers]
        if response.stream is not None:
            await send({"type": "http.response.start", "status": response.status, "headers": raw})
            await _send_stream(send, response.stream, receive)
            return
        body = response.body
        raw.append((b"content-length", b"%d" % len(body)))
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """The lifespan protocol: start ``api`` at start-up, stop it at shutdown."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await asyncio.to_thread(self.api.start)
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.to_thread(self.api.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def too_large(self, request: Request) -> Response:
        """The 413 for a body over the limit, answered without reading the rest of it."""
        return self.api.finish(request, too_large(self.api.read_limit))

    def failure(self, request: Request, exc: BaseException) -> Response:
        """A 500 problem with a request id; ``exc`` is logged, never sent.

        The pipeline turns a function's failure into a problem itself: this only answers for
        bugs outside it (the pipeline's own, a framework's middleware or routes).
        """
        rid = request_id(request.headers.get("x-request-id"))
        logger.error("request %s: the request failed", rid, exc_info=exc)
        return self.api._finish(request, problem_response(_internal(rid)), rid, time.perf_counter())


def too_large(limit: int) -> Response:
    """The 413 problem for a body over ``limit`` bytes (the connection is then closed)."""
    detail = f"The body is larger than {limit} bytes."
    # The rest of the body is still on the wire: close rather than drain it.
    return problem_response(problem(413, detail), headers=[("Connection", "close")])


def _encode(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    return pair[0].lower().encode("latin-1"), pair[1].encode("latin-1")


#: The pipeline's own headers, encoded once.
_ENCODED = {
    pair: _encode(pair)
    for pair in [
        ("Content-Type", "application/json"),
        ("Content-Type", "application/problem+json"),
        ("Connection", "close"),
    ]
}


async def _send_stream(
    send: Send, stream: Iterable[bytes | str] | AsyncIterable[bytes | str], receive: Receive
) -> None:
    # One chunk at a time: memory stays flat whatever the download's size. Servers drop the
    # chunks sent after a disconnect without an error, so watch for it and stop producing.
    chunks = stream if isinstance(stream, AsyncIterable) else _in_threads(iter(stream))
    gone = asyncio.Event()
    watcher = asyncio.create_task(_watch(receive, gone))
    try:
        async for chunk in chunks:
            if gone.is_set():
                return
            data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            if data:
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
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


async def read_rest(receive: Receive, first: bytes, limit: int) -> tuple[bytes, bool] | None:
    """The body after ``first`` (its first chunk), read until a message without ``more_body``.

    ``(body, False)``; ``(b"", True)`` once over ``limit``; ``None`` if the client left.
    """
    if len(first) > limit:
        return b"", True
    chunks = [first] if first else []
    size = len(first)
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
    return b"".join(chunks), False  # a single chunk is returned as it is, not copied


def route_path(scope: Scope) -> str:
    """The scope's path without the server's ``root_path`` (routes are declared without it)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path
