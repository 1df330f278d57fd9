"""``wsgi_app`` and ``asgi_app``: the Api as WSGI and ASGI applications, with a fallback."""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Iterable, MutableMapping
from typing import Any

import pytest

from apicore_app import Api, Headers, asgi_app, wsgi_app
from apicore_introspect import current_call_context


def make_api() -> Api:
    api = Api(max_body_size=64)

    @api.route("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

    @api.route("/context", methods=["GET"])
    def context() -> dict[str, Any]:
        found = current_call_context()
        assert found is not None
        return {"request_id": found.request_id, "call_id": found.call_id}

    return api


def other_wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"fallback " + environ["PATH_INFO"].encode()]


def call_wsgi(app: Any, path: str, body: bytes = b"", **environ: Any) -> tuple[str, Any, bytes]:
    seen: list[Any] = []
    base = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        **environ,
    }
    out = b"".join(app(base, lambda status, headers, exc=None: seen.append((status, headers))))
    return seen[0][0], dict(seen[0][1]), out


def test_wsgi_app_serves_its_paths_and_falls_back() -> None:
    app = wsgi_app(make_api(), fallback=other_wsgi)
    status, headers, body = call_wsgi(app, "/add", b'{"a": 1, "b": 2}')
    assert (status, body, headers["Content-Length"]) == ("200 OK", b"3", "1")
    assert "X-Request-ID" in headers
    assert call_wsgi(app, "/elsewhere")[2] == b"fallback /elsewhere"
    assert call_wsgi(app, "/docs")[0] == "200 OK"  # a docs path is the Api's own


def test_wsgi_app_without_fallback_answers_a_json_404() -> None:
    status, headers, body = call_wsgi(wsgi_app(make_api()), "/elsewhere")
    assert status == "404 Not Found"
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == 404


@pytest.mark.parametrize(
    ("environ", "status"),
    [
        ({"CONTENT_LENGTH": "65"}, "413 Request Entity Too Large"),
        ({"CONTENT_LENGTH": "x"}, "400 Bad Request"),
        ({"CONTENT_LENGTH": "-1"}, "400 Bad Request"),
        ({"CONTENT_LENGTH": "", "wsgi.input_terminated": True}, "413 Request Entity Too Large"),
    ],
)
def test_wsgi_app_body_limits(environ: dict[str, Any], status: str) -> None:
    body = b'{"a": 1, "b": 2' + b" " * 60 + b"}"
    assert call_wsgi(wsgi_app(make_api()), "/add", body, **environ)[0] == status


def test_wsgi_app_reads_a_chunked_body_within_the_limit() -> None:
    environ = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}
    assert call_wsgi(wsgi_app(make_api()), "/add", b'{"a": 4}', **environ)[2] == b"376"


def test_the_call_context_is_read_from_the_headers_when_used() -> None:
    app = wsgi_app(make_api())
    body = call_wsgi(app, "/context", HTTP_X_REQUEST_ID="req-1", HTTP_PYMCALLERID="call-9")[2]
    assert json.loads(body) == {"request_id": "req-1", "call_id": "call-9"}


def test_environ_headers() -> None:
    environ = {"HTTP_X_A": "1", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "", "X": "y"}
    headers = Headers.from_environ(environ)
    assert headers.get("X-A") == "1"
    assert headers.get("content-type") == "text/plain"
    assert headers.get("content-length") is None  # empty: not sent
    assert "x-a" in headers
    assert sorted(headers.items()) == [("content-type", "text/plain"), ("x-a", "1")]
    assert dict(headers.lower_map_view()) == {"content-type": "text/plain", "x-a": "1"}


def test_byte_headers_keep_the_first_value() -> None:
    headers = Headers([(b"X-A", b"1"), (b"x-a", b"2")])
    assert headers.get("x-a") == "1"
    assert headers.items() == [("X-A", "1"), ("x-a", "2")]


class Wire:
    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.sent: list[MutableMapping[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        return self.messages.pop(0) if self.messages else {"type": "http.disconnect"}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.sent.append(message)


def http_scope(path: str) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json")]
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


async def other_asgi(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "fallback", "scope": scope["type"]})


def test_asgi_app_serves_its_paths_and_falls_back() -> None:
    app = asgi_app(make_api(), fallback=other_asgi)
    wire = Wire([{"type": "http.request", "body": b'{"a": 1, "b": 2}'}])
    asyncio.run(app(http_scope("/add"), wire.receive, wire.send))
    assert (wire.sent[0]["status"], wire.sent[1]["body"]) == (200, b"3")
    for scope in (http_scope("/elsewhere"), {"type": "lifespan"}, {"type": "websocket"}):
        wire = Wire([])
        asyncio.run(app(scope, wire.receive, wire.send))
        assert wire.sent == [{"type": "fallback", "scope": scope["type"]}]


def test_asgi_app_without_fallback() -> None:
    app = asgi_app(make_api())
    wire = Wire([{"type": "http.request", "body": b""}])
    asyncio.run(app(http_scope("/elsewhere"), wire.receive, wire.send))
    assert wire.sent[0]["status"] == 404
    wire = Wire([])
    asyncio.run(app({"type": "websocket"}, wire.receive, wire.send))
    assert wire.sent == [{"type": "websocket.close", "code": 1008}]


def test_asgi_app_lifespan_starts_and_stops_the_api() -> None:
    api = make_api()
    wire = Wire([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    asyncio.run(asgi_app(api)({"type": "lifespan"}, wire.receive, wire.send))
    kinds = [message["type"] for message in wire.sent]
    assert kinds == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not api._started


def test_asgi_app_joins_a_body_sent_in_chunks_and_refuses_one_over_the_limit() -> None:
    app = asgi_app(make_api())  # max_body_size=64
    chunks = [b'{"a": ', b"40,", b' "b": 2}']
    messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    wire = Wire([*messages, {"type": "http.request", "body": b""}])
    asyncio.run(app(http_scope("/add"), wire.receive, wire.send))
    assert (wire.sent[0]["status"], wire.sent[1]["body"]) == (200, b"42")
    big = b'{"a": 1, "b": 2' + b" " * 60 + b"}"
    for first in (big, b" "):  # over the limit in the first message, or in a later one
        rest = [{"type": "http.request", "body": big, "more_body": False}]
        wire = Wire([{"type": "http.request", "body": first, "more_body": first != big}, *rest])
        asyncio.run(app(http_scope("/add"), wire.receive, wire.send))
        assert wire.sent[0]["status"] == 413
        assert (b"connection", b"close") in wire.sent[0]["headers"]


def test_asgi_app_refuses_a_declared_length_over_the_limit_before_reading() -> None:
    scope = http_scope("/add")
    scope["headers"] = [*scope["headers"], (b"content-length", b"65")]
    wire = Wire([{"type": "http.request", "body": b"never read"}])
    asyncio.run(asgi_app(make_api())(scope, wire.receive, wire.send))
    assert wire.sent[0]["status"] == 413
    assert wire.messages  # the body was not asked for


def test_asgi_app_sends_a_content_length_and_the_request_id() -> None:
    scope = http_scope("/add")
    scope["headers"] = [(b"Content-Type", b"application/json"), (b"X-Request-ID", b"r-7")]
    scope["query_string"] = b"x=1"
    wire = Wire([{"type": "http.request", "body": b'{"a": 1}'}])
    asyncio.run(asgi_app(make_api())(scope, wire.receive, wire.send))
    headers = dict(wire.sent[0]["headers"])
    assert headers[b"content-length"] == b"3"
    assert headers[b"x-request-id"] == b"r-7"  # names of any case are matched
    assert wire.sent[1]["body"] == b"373"


def test_new_request_ids_are_32_hex_digits_and_distinct() -> None:
    from apicore_app._app import request_id

    ids = [request_id(None) for _ in range(1000)]  # several blocks of 128
    assert len(set(ids)) == len(ids)
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in ids)


def test_header_name_cache_keeps_str_pairs_and_case() -> None:
    assert Headers([(b"X-Mixed", b"1")]).get("x-mixed") == "1"
    assert Headers([(b"x-mixed", b"2")]).get("X-MIXED") == "2"
    assert Headers([("X-Text", "3")]).get("x-text") == "3"
    assert Headers([(b"x-half", "4")]).get("x-half") == "4"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_worker_draws_its_own_request_ids() -> None:
    from apicore_app._app import request_id

    request_id(None)  # the parent holds a block of ids
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, request_id(None).encode())
        os._exit(0)
    os.close(write)
    mine = request_id(None)  # the same slot number as the child's
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read().decode()
    assert len(theirs) == 32
    assert theirs != mine
