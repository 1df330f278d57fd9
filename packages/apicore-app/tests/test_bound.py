"""Bound operations: ``Api.add_operation`` serves a ``Binding`` with the whole pipeline."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from apicore_app import Api, Headers, HTTPError, Request, Response


class EchoBinding:
    """A binding reading ``?n=`` as an integer; errors rendered as ``{"oops": status}``."""

    def __init__(self, func: Callable[..., Any], *, body_types: frozenset[str] | None) -> None:
        self.name = "echo"
        self.func = func
        self.is_async = asyncio.iscoroutinefunction(func)
        self.body_types = body_types

    def bind(
        self, request: Request, path: Mapping[str, str]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        query = dict(request.query())
        if not query.get("n", "").isdigit():
            raise ValueError("n must be a number")
        return (request.body,), {"n": int(query["n"]), **path}

    def dump(self, result: Any) -> Response:
        return Response.raw(200, json.dumps(result).encode(), [("Content-Type", "application/x")])

    def error(self, exc: Exception) -> Response | None:
        if isinstance(exc, ValueError):
            return Response({"oops": 400}, status=400)
        if isinstance(exc, HTTPError) and exc.status == 415:
            return Response({"oops": 415}, status=415)
        return None  # the pipeline's own answer


def _request(method: str, path: str, body: bytes = b"", content_type: str = "") -> Request:
    headers = Headers([("content-type", content_type)] if content_type else [])
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    return Request(method, path, query, headers, body)


def sync_echo(body: bytes, n: int, item: str) -> Any:
    if n == 0:
        raise RuntimeError("boom")
    return {"item": item, "n": n, "body": body.decode()}


async def async_echo(body: bytes, n: int, item: str) -> Any:
    return {"item": item, "n": n}


@pytest.fixture
def api() -> Api:
    api = Api()
    api.add_operation("/items/{item}", EchoBinding(sync_echo, body_types=frozenset({"text/plain"})))
    api.add_operation("/async/{item}", EchoBinding(async_echo, body_types=None), methods=["GET"])
    return api


def test_a_bound_operation_is_bound_called_and_dumped(api: Api) -> None:
    response = api.handle(_request("POST", "/items/a?n=2", b"hi", "text/plain"))
    assert (response.status, json.loads(response.body)) == (
        200,
        {"item": "a", "n": 2, "body": "hi"},
    )
    assert response.header("content-type") == "application/x"
    assert response.header("x-request-id")


def test_bind_errors_and_the_pipelines_refusals_are_rendered_by_the_binding(api: Api) -> None:
    response = api.handle(_request("POST", "/items/a?n=x"))
    assert (response.status, json.loads(response.body)) == (400, {"oops": 400})
    response = api.handle(_request("POST", "/items/a?n=1", b"{}", "application/json"))
    assert (response.status, json.loads(response.body)) == (415, {"oops": 415})


def test_a_crash_is_the_pipelines_500_problem(api: Api) -> None:
    response = api.handle(_request("POST", "/items/a?n=0"))
    assert response.status == 500
    assert response.header("content-type") == "application/problem+json"
    assert "boom" not in response.body.decode()


def test_routing_answers_405_and_async_functions_run_on_both_paths(api: Api) -> None:
    assert api.handle(_request("POST", "/async/b?n=1")).status == 405
    assert json.loads(api.handle(_request("GET", "/async/b?n=1")).body) == {"item": "b", "n": 1}
    response = asyncio.run(api.handle_async(_request("GET", "/async/c?n=3")))
    assert json.loads(response.body) == {"item": "c", "n": 3}
    api.stop()


def test_serve_document_replaces_the_generated_one(api: Api) -> None:
    api.serve_document({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    response = api.handle(_request("GET", "/openapi.json"))
    assert json.loads(response.body)["swagger"] == "2.0"
    assert api.handle(_request("GET", "/docs")).status == 200
