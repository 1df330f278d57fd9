"""The floors: bare ASGI and WSGI handlers doing the work of ``POST /add`` and nothing else.

``add(a: int, b: int = 372)`` served by hand: read the body, decode the JSON, check that it
is an object whose ``a`` (required) and ``b`` (default 372) are integers (``bool`` is not),
encode the sum; anything else gets a 422 ``application/problem+json``, a wrong path 404 and
a wrong method 405. No routing table, no request object, no middleware: what a server and
this work cost, the physical limit of any framework doing the same on that server.

Served by uvicorn as ``floors:add_asgi`` and by gunicorn as ``floors:add_wsgi``.
``ok_asgi`` is the fast local server of the client benchmark.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

_JSON = [(b"content-type", b"application/json")]
_PROBLEM = [(b"content-type", b"application/problem+json")]
_INVALID = json.dumps({"type": "about:blank", "title": "Unprocessable Content", "status": 422})
_NOT_FOUND = json.dumps({"type": "about:blank", "title": "Not Found", "status": 404})
_NOT_ALLOWED = json.dumps({"type": "about:blank", "title": "Method Not Allowed", "status": 405})
_REASONS = {200: "200 OK", 404: "404 Not Found", 405: "405 Method Not Allowed"}
_REASONS[422] = "422 Unprocessable Content"
_KEYS = frozenset(("a", "b"))


def add_body(path: str, method: str, body: bytes) -> tuple[int, bytes, bool]:
    """(status, body, is_problem) of ``POST /add``: the decoding, checks and encoding."""
    if path != "/add":
        return 404, _NOT_FOUND.encode(), True
    if method != "POST":
        return 405, _NOT_ALLOWED.encode(), True
    try:
        data = json.loads(body)
    except ValueError:
        return 422, _INVALID.encode(), True
    if type(data) is dict:
        a = data.get("a")
        b = data.get("b", 372)
        if type(a) is int and type(b) is int and not data.keys() - _KEYS:
            return 200, json.dumps(a + b).encode(), False
    return 422, _INVALID.encode(), True


async def add_asgi(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """The bare ASGI floor (with the lifespan protocol, so servers start it cleanly)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    status, out, is_problem = add_body(scope["path"], scope["method"], body)
    headers = [*(_PROBLEM if is_problem else _JSON), (b"content-length", str(len(out)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": out})


def add_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The bare WSGI floor."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    status, out, is_problem = add_body(environ["PATH_INFO"], environ["REQUEST_METHOD"], body)
    kind = "application/problem+json" if is_problem else "application/json"
    start_response(_REASONS[status], [("Content-Type", kind), ("Content-Length", str(len(out)))])
    return [out]


_OK = b'{"ok":true}'
_OK_HEADERS = [*_JSON, (b"content-length", str(len(_OK)).encode())]


async def ok_asgi(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """``{"ok":true}`` to any request: a server as fast as uvicorn goes, for the client."""
    if scope["type"] == "lifespan":
        await add_asgi(scope, receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": _OK_HEADERS})
    await send({"type": "http.response.body", "body": _OK})
