"""The pipeline for functions that read headers, cookies, forms or the request, and for
functions that raise ``HTTPError`` or return responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest

from apicore_app import (
    Api,
    Cookie,
    FormLimits,
    Header,
    Headers,
    HTTPError,
    InvalidRouteError,
    Request,
    Response,
    StreamingResponse,
    UploadFile,
)

BOUNDARY = "b0undary"


class Gone(Exception):
    """A framework's own exception, in a test."""


class Native:
    """A framework's own response object, in a test."""

    status_code = 203


def build() -> Api:
    api = Api(title="t", form_limits=FormLimits(max_size=4096, max_file_size=1024))
    api.map_exception(Gone, lambda exc: HTTPError(410, str(exc)))
    api.add_response_type(Native)

    @api.route("/me", methods=["get"])
    def me(
        tenant: Annotated[str, Header("X-Tenant")],
        request: Request,
        session: Annotated[str | None, Cookie()] = None,
    ) -> dict[str, Any]:
        return {"tenant": tenant, "session": session, "rid": request.request_id}

    @api.route("/items/{item_id}", methods=["get"], responses={404: "No such item"})
    async def item(item_id: int) -> dict[str, int]:
        if item_id == 0:
            raise HTTPError(404, "No item 0", headers={"X-Hint": "try 1"})
        if item_id == 1:
            raise Gone("Item 1 is gone")
        return {"id": item_id}

    @api.route("/items", methods=["post"], response_code=201)
    def create(name: str) -> Response:
        return Response({"name": name}, status=201, headers={"Location": "/items/9"})

    @api.route("/shared", methods=["get"])
    def shared() -> Response:
        return SHARED

    @api.route("/native", methods=["get"])
    def native() -> Native:
        return Native()

    @api.route("/upload")
    def upload(file: UploadFile, note: str) -> dict[str, Any]:
        KEPT.append(file)
        return {"size": file.size, "note": note, "data": file.read().decode()}

    @api.route("/stream", methods=["get"])
    def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"a", b"b"]))

    @api.route("/astream", methods=["get"])
    def astream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"x"
            yield b"y"

        return StreamingResponse(chunks())

    return api


SHARED = Response("same", media_type="text/plain")
KEPT: list[UploadFile] = []


@pytest.fixture
def api() -> Iterator[Api]:
    built = build()
    yield built
    built.stop()


def send(api: Api, method: str, path: str, body: bytes = b"", **headers: str) -> Response:
    request = Request(
        method, path, "", Headers({k.replace("_", "-"): v for k, v in headers.items()}), body
    )
    return api.handle(request)


def payload(response: Response) -> Any:
    return json.loads(response.body)


def test_headers_cookies_and_the_request(api: Api) -> None:
    response = send(api, "GET", "/me", x_tenant="acme", cookie="session=s1", x_request_id="r-1")
    assert response.status == 200
    assert payload(response) == {"tenant": "acme", "session": "s1", "rid": "r-1"}


def test_a_missing_header_is_422(api: Api) -> None:
    response = send(api, "GET", "/me")
    assert response.status == 422
    assert payload(response)["errors"][0]["loc"] == ["header", "X-Tenant"]


def test_http_error_and_mapped_exceptions(api: Api) -> None:
    missing = send(api, "GET", "/items/0")
    assert (missing.status, payload(missing)["detail"]) == (404, "No item 0")
    assert missing.header("x-hint") == "try 1"
    assert missing.header("x-request-id")
    gone = asyncio.run(api.handle_async(Request("GET", "/items/1")))
    assert (gone.status, payload(gone)["detail"]) == (410, "Item 1 is gone")


def test_a_failing_mapper_is_a_500() -> None:
    def broken(exc: Gone) -> HTTPError:
        raise RuntimeError("mapper bug")

    api = Api()
    api.map_exception(Gone, broken)

    @api.route("/gone", methods=["get"])
    def gone() -> None:
        raise Gone("x")

    assert send(api, "GET", "/gone").status == 500


def test_returned_responses(api: Api) -> None:
    created = send(api, "POST", "/items", b'{"name": "n"}', content_type="application/json")
    assert (created.status, created.header("location")) == (201, "/items/9")
    for _ in range(2):  # a shared response object is never changed by the pipeline
        assert send(api, "GET", "/shared").body == b"same"
    assert SHARED.header("x-request-id") is None
    native = send(api, "GET", "/native")
    assert isinstance(native.native, Native)
    assert native.status == 203


def test_streams(api: Api) -> None:
    assert b"".join(api.chunks(send(api, "GET", "/stream"))) == b"ab"
    assert b"".join(api.chunks(send(api, "GET", "/astream"))) == b"xy"
    head = send(api, "HEAD", "/stream")
    assert head.stream is None


def form(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def test_upload_and_cleanup(api: Api) -> None:
    body = form(("note", b"hi", None), ("file", b"data", "f.txt"))
    response = send(api, "POST", "/upload", body, content_type=MULTIPART)
    assert payload(response) == {"size": 4, "note": "hi", "data": "data"}
    assert KEPT[-1].closed  # closed by the server once the call is over


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"note": "x"}', "application/json", 415),
        (b"note=x", "", 415),
        (b"note=x&file=y", "application/x-www-form-urlencoded", 422),
        (form(("note", b"x", None)), "multipart/form-data", 400),
        (form(("file", b"x" * 2000, "f")), MULTIPART, 413),
        (b"x" * 5000, MULTIPART, 413),
        (b"", MULTIPART, 422),
    ],
)
def test_bad_forms(api: Api, body: bytes, content_type: str, status: int) -> None:
    headers = {"content_type": content_type} if content_type else {}
    response = send(api, "POST", "/upload", body, **headers)
    assert response.status == status
    assert response.header("content-type") == "application/problem+json"


def test_forms_to_json_endpoints_are_415(api: Api) -> None:
    response = send(
        api, "POST", "/items", b"name=n", content_type="application/x-www-form-urlencoded"
    )
    assert response.status == 415


def test_the_read_limit_grows_with_form_routes(api: Api) -> None:
    assert api.read_limit == max(api.max_body_size, 4096)
    assert Api().read_limit == Api().max_body_size


def test_json_without_a_content_type() -> None:
    strict, lenient = Api(), Api(strict_content_type=False)
    for app in (strict, lenient):
        app.route("/add")(lambda a, b: a + b)
    assert send(strict, "POST", "/add", b'{"a": 1, "b": 2}').status == 415
    assert send(lenient, "POST", "/add", b'{"a": 1, "b": 2}').body == b"3"


def test_declaration_errors() -> None:
    api = Api()

    def upload(file: UploadFile) -> None:
        return None

    def tenant(t: Annotated[str, Header()]) -> None:
        return None

    with pytest.raises(InvalidRouteError, match="POST"):
        api.route("/u", methods=["get"])(upload)
    with pytest.raises(InvalidRouteError, match="callback"):
        api.route("/c", callback=True)(tenant)
    with pytest.raises(InvalidRouteError, match="responses"):
        api.route("/r", responses={"404": "x"})  # type: ignore[dict-item]
    with pytest.raises(InvalidRouteError, match="description"):
        api.route("/r", responses={404: 1})  # type: ignore[dict-item]


def test_documented(api: Api) -> None:
    document = api.openapi()
    me = document["paths"]["/me"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in me["parameters"]] == [
        ("X-Tenant", "header", True),
        ("session", "cookie", False),
    ]
    item = document["paths"]["/items/{item_id}"]["get"]["responses"]["404"]
    assert item["description"] == "No such item"
    upload = document["paths"]["/upload"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert "content" not in document["paths"]["/shared"]["get"]["responses"]["200"]
