"""Errors, responses, headers and uploads through symmetric's WSGI app (in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import flask

import apicore_app
import symmetric
from symmetric import Cookie, HTTPError, Response, StreamingResponse, Symmetric, UploadFile


def test_the_names_are_apicore_apps() -> None:
    shared = {n for n in symmetric.__all__ if not n.startswith("_")} & set(apicore_app.__all__)
    assert {"Form", "HTTPError", "Request", "Response", "UploadFile"} <= shared
    assert all(getattr(symmetric, name) is getattr(apicore_app, name) for name in shared)


def build() -> Symmetric:
    app = Symmetric(setup_logging=False)

    @app.router("/ours/{n}", methods=["get"])
    def ours(n: int) -> int:
        raise HTTPError(404, f"No {n}")

    @app.router("/flask/{n}", methods=["get"])
    def flask_error(n: int) -> int:
        flask.abort(404, f"No {n}")

    @app.router("/flask-response", methods=["get"])
    def flask_response() -> int:
        flask.abort(flask.Response("teapot", status=418))

    @app.router("/native", methods=["get"])
    def native() -> flask.Response:
        return flask.Response("plain", status=203, mimetype="text/plain")

    @app.router("/created", methods=["post"], response_code=201)
    def created(name: str) -> Response:
        return Response({"name": name}, status=201, headers={"Location": f"/x/{name}"})

    @app.router("/stream", methods=["get"])
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(3):
                yield str(i).encode()

        return StreamingResponse(chunks())

    @app.router("/session", methods=["get"])
    def session(session: Annotated[str, Cookie()]) -> str:
        return session

    @app.router("/upload")
    def upload(file: UploadFile, note: str) -> str:
        return note + ":" + file.read().decode()

    return app


def test_errors_responses_streams_and_uploads() -> None:
    app = build()
    client = app.test_client()
    for prefix in ("/ours", "/flask"):
        response = client.get(f"{prefix}/7")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.get_json()["detail"] == "No 7"
    teapot = client.get("/flask-response")
    assert (teapot.status_code, teapot.data) == (418, b"teapot")
    native = client.get("/native")
    assert (native.status_code, native.data) == (203, b"plain")
    created = client.post("/created", json={"name": "n"})
    assert (created.status_code, created.headers["location"]) == (201, "/x/n")
    assert client.get("/stream").data == b"012"
    client.set_cookie("session", "s9")
    assert client.get("/session").get_json() == "s9"
    uploaded = client.post(
        "/upload",
        data={"note": "n", "file": (__import__("io").BytesIO(b"data"), "f.txt")},
        content_type="multipart/form-data",
    )
    assert uploaded.get_json() == "n:data"
    app.stop()
