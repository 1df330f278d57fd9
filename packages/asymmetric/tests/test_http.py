"""Errors, responses, headers and uploads through asymmetric's ASGI app (in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Annotated, Any

import anyio
import pytest
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

import apicore_app
import asymmetric
from asymmetric import Asymmetric, Header, HTTPError, Response, StreamingResponse, UploadFile
from asymmetric.testing import client

pytestmark = pytest.mark.anyio


def test_the_names_are_apicore_apps() -> None:
    shared = {n for n in asymmetric.__all__ if not n.startswith("_")} & set(apicore_app.__all__)
    assert {"Form", "HTTPError", "Request", "Response", "UploadFile"} <= shared
    assert all(getattr(asymmetric, name) is getattr(apicore_app, name) for name in shared)


def build() -> Asymmetric:
    app = Asymmetric(log_config=False)

    @app.router("/ours/{n}", methods=["get"])
    def ours(n: int) -> int:
        raise HTTPError(404, f"No {n}")

    @app.router("/starlette/{n}", methods=["get"])
    async def starlette_error(n: int) -> int:
        raise HTTPException(404, f"No {n}", headers={"X-N": str(n)})

    @app.router("/redirect", methods=["get"])
    def redirect() -> int:
        raise HTTPException(304)

    @app.router("/native", methods=["get"])
    def native() -> PlainTextResponse:
        return PlainTextResponse("plain", status_code=203)

    @app.router("/created", methods=["post"], response_code=201)
    def created(name: str) -> Response:
        return Response(None, status=201, headers={"Location": f"/x/{name}"})

    @app.router("/stream", methods=["get"])
    def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[str]:
            for i in range(3):
                yield f"{i},"

        return StreamingResponse(chunks(), media_type="text/csv")

    @app.router("/sync-stream", methods=["get"])
    def sync_stream() -> StreamingResponse:
        return StreamingResponse(iter([b"a", b"b"]))

    @app.router("/tenant", methods=["get"])
    def tenant(tenant: Annotated[int, Header("X-Tenant")]) -> int:
        return tenant

    @app.router("/upload")
    async def upload(file: UploadFile, note: str) -> str:
        return note + ":" + (await file.aread()).decode()

    return app


async def test_errors_responses_streams_and_uploads() -> None:
    async with client(build()) as http:
        for prefix in ("/ours", "/starlette"):
            response = await http.get(f"{prefix}/7")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == "No 7"
        assert (await http.get("/starlette/7")).headers["x-n"] == "7"
        assert (await http.get("/redirect")).status_code == 304
        native = await http.get("/native")
        assert (native.status_code, native.text) == (203, "plain")
        created = await http.post("/created", json={"name": "n"})
        assert (created.status_code, created.headers["location"]) == (201, "/x/n")
        assert created.content == b""
        streamed = await http.get("/stream")
        assert streamed.text == "0,1,2,"
        assert streamed.headers["content-type"] == "text/csv; charset=utf-8"
        assert (await http.get("/sync-stream")).content == b"ab"
        assert (await http.get("/tenant", headers={"X-Tenant": "12"})).json() == 12
        assert (await http.get("/tenant", headers={"X-Tenant": "x"})).status_code == 422
        uploaded = await http.post("/upload", files={"file": ("f", b"data")}, data={"note": "n"})
        assert uploaded.json() == "n:data"
        assert (await http.head("/stream")).content == b""


async def test_a_stream_stops_when_the_client_goes_away() -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for i in range(1000):
            produced.append(i)
            yield b"x" * 1024

    app = Asymmetric(log_config=False)
    app.router("/big", methods=["get"])(lambda: StreamingResponse(chunks()))
    sent: list[MutableMapping[str, Any]] = []
    disconnect = anyio.Event()

    async def receive() -> dict[str, Any]:
        if not sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)
        if len(sent) == 5:
            disconnect.set()  # the client leaves after a few chunks
        await anyio.sleep(0)

    scope = {"type": "http", "method": "GET", "path": "/big", "headers": [], "query_string": b""}
    await app.endpoint(scope, receive, send)
    assert sent[0]["status"] == 200
    assert len(produced) < 100
    assert sent[-1].get("more_body") is True  # never completed: the client is gone
