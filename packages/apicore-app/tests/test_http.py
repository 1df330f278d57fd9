"""Response, StreamingResponse, HTTPError and the request view."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from apicore_app import Headers, HTTPError, Request, Response, StreamingResponse
from apicore_introspect import ResultError


@dataclasses.dataclass
class Item:
    name: str


@pytest.mark.parametrize(
    ("content", "media_type", "body", "content_type"),
    [
        (None, None, b"", None),
        ({"a": 1}, None, b'{"a":1}', "application/json"),
        (Item("x"), None, b'{"name":"x"}', "application/json"),
        ("text", None, b'"text"', "application/json"),
        ("a,b\n", "text/csv", b"a,b\n", "text/csv; charset=utf-8"),
        (b"%PDF", "application/pdf", b"%PDF", "application/pdf"),
        (b"\x00\x01", None, b"\x00\x01", "application/octet-stream"),
        ("<p/>", "text/html; charset=latin-1", b"<p/>", "text/html; charset=latin-1"),
    ],
)
def test_content_is_rendered(
    content: object, media_type: str | None, body: bytes, content_type: str | None
) -> None:
    response = Response(content, media_type=media_type)
    assert (response.status, response.body) == (200, body)
    assert response.header("content-type") == content_type


def test_status_and_headers() -> None:
    response = Response({"id": 1}, status=201, headers={"Location": "/items/1"})
    assert response.status == 201
    assert response.headers == [("Content-Type", "application/json"), ("Location", "/items/1")]
    given = Response(b"x", headers=[("content-type", "image/png")])
    assert given.headers == [("content-type", "image/png")]  # the caller's type wins


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": 99}, ValueError),
        ({"status": 600}, ValueError),
        ({"headers": {"X-A": "a\r\nSet-Cookie: x=1"}}, ValueError),
        ({"headers": {"X:A": "a"}}, ValueError),
        ({"headers": {"X-A": 1}}, TypeError),
    ],
)
def test_bad_responses_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        Response(None, **kwargs)  # type: ignore[arg-type]


def test_content_without_a_json_form() -> None:
    with pytest.raises(ResultError):
        Response(object())


def test_copy_has_its_own_headers() -> None:
    shared = Response("x", media_type="text/plain")
    copy = shared.copy()
    copy.headers.append(("X-Request-ID", "1"))
    assert len(shared.headers) == 1


def test_streaming_response() -> None:
    chunks: Iterator[bytes | str] = iter([b"a", "b"])
    response = StreamingResponse(chunks, media_type="text/plain")
    assert response.stream is chunks
    assert response.body == b""
    assert response.header("content-type") == "text/plain; charset=utf-8"
    with pytest.raises(TypeError):
        StreamingResponse(b"bytes are not a stream")  # type: ignore[arg-type]


def test_http_error_problem() -> None:
    error = HTTPError(
        409,
        "Version mismatch",
        title="Conflict!",
        headers={"ETag": '"v2"'},
        type="https://example.com/conflict",
        extra={"current": 2},
    )
    response = error.response()
    assert response.status == 409
    assert response.header("etag") == '"v2"'
    assert response.header("content-type") == "application/problem+json"
    assert json.loads(response.body) == {
        "type": "https://example.com/conflict",
        "title": "Conflict!",
        "status": 409,
        "detail": "Version mismatch",
        "current": 2,
    }
    assert str(error) == "Version mismatch"


def test_http_error_defaults() -> None:
    document = HTTPError(418).problem()
    assert document == {"type": "urn:apicore:problem:error", "title": "I'm a Teapot", "status": 418}
    assert HTTPError(404).problem()["type"] == "urn:apicore:problem:not-found"


@pytest.mark.parametrize("status", [200, 302, 600, "404"])
def test_http_error_needs_an_error_status(status: object) -> None:
    with pytest.raises(ValueError, match="400-599"):
        HTTPError(status)  # type: ignore[arg-type]


def test_http_error_headers_are_checked() -> None:
    with pytest.raises(ValueError, match="line break"):
        HTTPError(400, headers={"X-A": "a\r\nSet-Cookie: x=1"})


def test_http_error_extra_cannot_replace_members() -> None:
    with pytest.raises(ValueError, match="status"):
        HTTPError(400, extra={"status": 200})


def test_request_view() -> None:
    headers = Headers({"Host": "api.example.com", "Cookie": 'a=1; b="two"'})
    request = Request("GET", "/a b", "x=1", headers, b"", ("10.0.0.1", 5000), "https", "rid")
    assert request.url == "https://api.example.com/a%20b?x=1"
    assert request.cookies == {"a": "1", "b": "two"}
    assert request.client == ("10.0.0.1", 5000)
    assert request.request_id == "rid"
    assert Request("GET", "/", headers=Headers({"Cookie": "bad\x00cookie=;;"})).cookies == {}


def test_a_functions_view_is_read_only() -> None:
    request = Request("POST", "/x", "a=1", Headers({"X-A": "1"}), b"{}", ("h", 1), "https")
    view = request.view("rid-9")
    assert isinstance(view, Request)
    assert (view.method, view.path, view.body, view.client, view.request_id) == (
        "POST",
        "/x",
        b"{}",
        ("h", 1),
        "rid-9",
    )
    assert request.request_id == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.path = "/y"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del view.body
