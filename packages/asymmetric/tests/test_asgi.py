from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import pytest

from apicore_app import Api, Request, Response, asgi_app
from asymmetric import Asymmetric
from asymmetric.testing import client

pytestmark = pytest.mark.anyio

LIMIT = 1024


def make_app(limit: int = LIMIT) -> Asymmetric:
    app = Asymmetric(max_body_size=limit, log_config=False)

    @app.router("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

    @app.router("/echo")
    def echo(text: str) -> str:
        return text

    @app.router("/items/{item_id}", methods=["get", "delete"])
    def item(item_id: int) -> int:
        return item_id

    return app


class Wire:
    """Drives one ASGI HTTP request by hand, recording how much body the app pulled."""

    def __init__(self, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> None:
        self.chunks = chunks
        self.headers = headers
        self.pulled = 0
        self.sent: list[MutableMapping[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.pulled >= len(self.chunks):
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.pulled]
        self.pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": self.pulled < len(self.chunks)}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.sent.append(message)

    async def run(self, app: Any, path: str = "/add", method: str = "POST", **scope: Any) -> None:
        await app(
            {
                "type": "http",
                "method": method,
                "path": path,
                "query_string": b"",
                "headers": self.headers,
                **scope,
            },
            self.receive,
            self.send,
        )

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def response_headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> Any:
        return json.loads(self.sent[1]["body"])


async def test_chunked_oversize_body_stops_reading_at_the_limit() -> None:
    chunks = [b" " * 100] * 100  # 10 KiB, no Content-Length
    wire = Wire(chunks, [(b"content-type", b"application/json")])
    await wire.run(make_app())
    assert wire.status == 413
    assert wire.pulled <= LIMIT // 100 + 1
    assert wire.response_headers[b"connection"] == b"close"
    assert wire.body["type"] == "urn:apicore:problem:body-too-large"


async def test_declared_oversize_body_is_refused_without_reading() -> None:
    wire = Wire([b"{}"], [(b"content-length", str(LIMIT * 2).encode())])
    await wire.run(make_app())
    assert (wire.status, wire.pulled) == (413, 0)
    assert b"x-request-id" in wire.response_headers


async def test_a_body_in_many_chunks_is_joined() -> None:
    wire = Wire([b'{"a":', b" 40,", b' "b": 2}'], [(b"content-type", b"application/json")])
    await wire.run(make_app())
    assert (wire.status, wire.body) == (200, 42)


async def test_exactly_the_limit_is_accepted() -> None:
    text = "x" * (LIMIT - len('{"text":""}'))
    body = json.dumps({"text": text}, separators=(",", ":")).encode()
    assert len(body) == LIMIT
    wire = Wire([body[:500], body[500:]], [(b"content-type", b"application/json")])
    await wire.run(make_app(), "/echo")
    assert (wire.status, wire.body) == (200, text)


async def test_client_disconnect_before_the_body_sends_nothing() -> None:
    wire = Wire([], [])
    await wire.run(make_app())
    assert wire.sent == []


async def test_root_path_is_stripped() -> None:
    wire = Wire([b""], [])
    await wire.run(make_app(), "/api/items/7", "GET", root_path="/api")
    assert (wire.status, wire.body) == (200, 7)


async def test_websockets_are_refused() -> None:
    wire = Wire([], [])
    await make_app()({"type": "websocket", "path": "/add"}, wire.receive, wire.send)
    assert wire.sent == [{"type": "websocket.close", "code": 1008}]


class BrokenApi(Api):
    async def handle_async(self, request: Request) -> Response:
        raise RuntimeError("pipeline bug with a secret")


async def test_a_pipeline_failure_is_still_a_problem_document() -> None:
    wire = Wire([b"{}"], [(b"x-request-id", b"trace-me")])
    await wire.run(asgi_app(BrokenApi()))
    assert wire.status == 500
    assert wire.response_headers[b"content-type"] == b"application/problem+json"
    assert wire.response_headers[b"x-request-id"] == b"trace-me"
    assert "secret" not in json.dumps(wire.body)


async def test_head_has_no_body() -> None:
    async with client(make_app()) as http:
        response = await http.head("/items/3")
    assert (response.status_code, response.content) == (200, b"")


MATRIX_LIMIT = 1024 * 1024

# The bad-input matrix of the reliability plan (7.D item 19): every one a 4xx problem.
BAD_INPUTS: list[tuple[str, bytes, str, int]] = [
    ("empty body", b"", "application/json", 422),
    ("null", b"null", "application/json", 422),
    ("top-level scalar", b"42", "application/json", 422),
    ("top-level list", b"[1, 2]", "application/json", 422),
    ("duplicate keys", b'{"a": 1, "a": 2}', "application/json", 400),
    ("NaN", b'{"a": NaN}', "application/json", 400),
    ("Infinity", b'{"a": Infinity}', "application/json", 400),
    ("1e400", b'{"a": 1e400}', "application/json", 400),
    ("5000-digit int", b'{"a": ' + b"9" * 5000 + b"}", "application/json", 400),
    ("deep nesting", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", 400),
    ("lone surrogate", b'{"a": "\\ud800"}', "application/json", 400),
    ("invalid UTF-8", b'{"a": "\xff"}', "application/json", 400),
    (
        "BOM (accepted, RFC 8259 allows ignoring it)",
        b'\xef\xbb\xbf{"a": 1}',
        "application/json",
        200,
    ),
    ("malformed", b'{"a": ', "application/json", 400),
    ("wrong type", b'{"a": "x"}', "application/json", 422),
    ("missing argument", b"{}", "application/json", 422),
    ("extra argument", b'{"a": 1, "c": 3}', "application/json", 422),
    ("wrong content type", b'{"a": 1}', "text/plain", 415),
    ("form", b"a=1", "application/x-www-form-urlencoded", 415),
    ("2x limit", b'{"a": 1, "pad": "' + b"x" * (2 * MATRIX_LIMIT) + b'"}', "application/json", 413),
]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
async def test_bad_inputs_are_4xx_problems_never_5xx(
    body: bytes, content_type: str, status: int
) -> None:
    async with client(make_app(MATRIX_LIMIT)) as http:
        response = await http.post("/add", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    if status == 200:
        return
    assert response.headers["content-type"] == "application/problem+json"
    document = response.json()
    assert {"type", "title", "status"} <= set(document)
    assert document["status"] == response.status_code
    assert "Traceback" not in response.text


async def test_wrong_method_is_405_with_allow_and_unknown_path_404() -> None:
    async with client(make_app()) as http:
        wrong = await http.get("/add")
        missing = await http.post("/nowhere", json={})
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
    assert wrong.headers["content-type"] == "application/problem+json"
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
