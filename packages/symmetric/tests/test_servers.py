"""A legacy module served over real HTTP: `symmetric run` (Flask dev server) and gunicorn."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from apicore_openapi.testing import assert_offline, page_urls, validate_document
from apicore_test_support import BAD_JSON_BODIES

# conftest.Server: .url, .process, .output() (conftest is not importable in importlib mode)
Server = Any

TOKEN = "s3cret-token-for-tests-0123456789"
JSON = "application/json"
BIG = 2 * 1024 * 1024 + 1


@pytest.fixture(scope="module", params=["run", "gunicorn"])
def server(request: pytest.FixtureRequest, serve: Callable[..., Server]) -> tuple[str, Server]:
    if request.param == "run":
        # no token configured: the development server accepts the legacy default token
        return "run", serve(["-m", "symmetric", "run", "legacy_calc", "-p", "{port}"])
    argv = ["-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "legacy_calc:symmetric"]
    return "gunicorn", serve(argv, {"SYMMETRIC_API_KEY": TOKEN})


def token_for(kind: str) -> str:
    return "symmetric_token" if kind == "run" else TOKEN


def test_legacy_endpoints(server: tuple[str, Server]) -> None:
    url = server[1].url
    assert requests.get(url + "/sample", timeout=10).json() == "Hello World!"
    response = requests.post(url + "/add", json={"a": 48, "b": 21}, timeout=10)
    assert (response.status_code, response.json()) == (200, 69)
    assert requests.post(url + "/add", json={"a": 1}, timeout=10).json() == 373
    assert requests.get(url + "/search?q=x&limit=2", timeout=10).json() == ["x-0", "x-1"]
    assert requests.get(url + "/items/7", timeout=10).json() == {"id": 7}
    assert requests.delete(url + "/items/8", timeout=10).json() == {"id": 8}
    response = requests.post(url + "/slow-double", json={"x": 1.5}, timeout=10)
    assert (response.status_code, response.json()) == (201, 3.0)
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Symmetric-Api-Key": "{token}"},
        {"SYMMETRIC-API-KEY": "{token}"},
        {"Authorization": "Bearer {token}"},
        {"X-API-Key": "{token}"},
    ],
)
def test_token_header_forms(server: tuple[str, Server], headers: dict[str, str]) -> None:
    kind, srv = server
    sent = {k: v.format(token=token_for(kind)) for k, v in headers.items()}
    response = requests.post(srv.url + "/secret", json={"message": "hi"}, headers=sent, timeout=10)
    assert (response.status_code, response.json()) == (200, {"message": "hi", "length": 2})


def test_underscore_header_is_dropped_by_both_servers(server: tuple[str, Server]) -> None:
    # gunicorn >= 22 and Werkzeug's dev server drop header names with underscores, so the
    # legacy spelling `symmetric_api_key` never reaches the app: use Symmetric-Api-Key.
    kind, srv = server
    headers = {"symmetric_api_key": token_for(kind)}
    response = requests.post(
        srv.url + "/secret", json={"message": "x"}, headers=headers, timeout=10
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Symmetric-Api-Key": "wrong"}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": "Basic Zm9vOmJhcg=="}, 400),
    ],
)
def test_token_refusals(server: tuple[str, Server], headers: dict[str, str], status: int) -> None:
    response = requests.post(
        server[1].url + "/secret", json={"message": "x"}, headers=headers, timeout=10
    )
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "WWW-Authenticate" in response.headers


def test_default_token_only_on_the_development_server(server: tuple[str, Server]) -> None:
    kind, srv = server
    headers = {"Symmetric-Api-Key": "symmetric_token"}
    response = requests.post(
        srv.url + "/secret", json={"message": "x"}, headers=headers, timeout=10
    )
    if kind == "run":
        assert response.status_code == 200
        assert "SECURITY WARNING" in srv.output()
    else:
        assert response.status_code == 401


def test_gunicorn_without_token_fails_closed(serve: Callable[..., Server]) -> None:
    argv = ["-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "legacy_calc:symmetric"]
    srv = serve(argv)
    for token in ("symmetric_token", "", "anything"):
        headers = {"Symmetric-Api-Key": token}
        response = requests.post(
            srv.url + "/secret", json={"message": "x"}, headers=headers, timeout=10
        )
        assert response.status_code == 401
    assert requests.post(srv.url + "/add", json={"a": 1}, timeout=10).status_code == 200
    assert "no token is configured" in srv.output()


def test_function_error_is_a_500_problem_without_details(server: tuple[str, Server]) -> None:
    response = requests.post(server[1].url + "/boom", timeout=10)
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "secret internal detail" not in response.text
    assert "secret internal detail" in server[1].output()  # the traceback is in the log


def _chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        piece = min(64 * 1024, size - sent)
        sent += piece
        yield b" " * piece


BAD_INPUTS: list[tuple[str, str, str, dict[str, Any], int]] = [
    ("wrong content type", "POST", "/add", {"data": b'{"a": 1}', "ct": "text/plain"}, 415),
    ("form body", "POST", "/add", {"data": b"a=1", "ct": "application/x-www-form-urlencoded"}, 415),
    *((name, "POST", "/add", {"data": body}, status) for name, body, status in BAD_JSON_BODIES),
    ("lone surrogate", "POST", "/echo", {"data": b'{"text": "\\ud800"}'}, 400),
    ("mistyped path parameter", "GET", "/items/abc", {}, 422),
    ("mistyped query parameter", "GET", "/search?q=x&limit=many", {}, 422),
    ("missing query parameter", "GET", "/search", {}, 422),
    ("oversize body", "POST", "/add", {"data": b" " * BIG}, 413),
    ("oversize chunked body", "POST", "/add", {"chunks": BIG + 1024 * 1024}, 413),
    ("wrong method", "PUT", "/add", {"data": b"{}"}, 405),
    ("unknown route", "POST", "/nope", {"data": b"{}"}, 404),
    ("unknown route, GET", "GET", "/nope/deeper", {}, 404),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "spec", "status"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_matrix(
    server: tuple[str, Server], name: str, method: str, path: str, spec: dict[str, Any], status: int
) -> None:
    headers = {"Content-Type": spec.get("ct", JSON)}
    data: bytes | Iterator[bytes] | None = spec.get("data")
    if "chunks" in spec:
        data = _chunks(spec["chunks"])  # requests sends a generator chunked, no Content-Length
    response = requests.request(
        method, server[1].url + path, data=data, headers=headers, timeout=30
    )
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:apicore:problem:")
    assert problem["title"]
    assert "Traceback" not in response.text


def test_docs_are_served_offline(server: tuple[str, Server]) -> None:
    url = server[1].url
    document = requests.get(url + "/openapi.json", timeout=10).json()
    validate_document(document)
    assert set(document["paths"]) >= {"/add", "/secret", "/items/{item_id}", "/search"}
    for page in ("/docs", "/redoc", "/swagger"):
        response = requests.get(url + page, timeout=10)
        assert response.status_code == 200
        html = response.text
        assert_offline(html)
        urls = page_urls(html)
        assert urls
        for ref in urls:
            loaded = requests.get(urljoin(url + page, ref), timeout=10)
            assert loaded.status_code == 200, ref
    assert "redoc" in requests.get(url + "/docs", timeout=10).text.lower()  # legacy: ReDoc


def test_gunicorn_header_map_dangerous_passes_the_legacy_spelling(
    serve: Callable[..., Server],
) -> None:
    argv = ["-m", "gunicorn", "--header-map", "dangerous", "-w", "1"]
    srv = serve(
        [*argv, "-b", "127.0.0.1:{port}", "legacy_calc:symmetric"], {"SYMMETRIC_API_KEY": TOKEN}
    )
    for headers, status in (({"symmetric_api_key": TOKEN}, 200), ({"symmetric_api_key": "x"}, 401)):
        response = requests.post(
            srv.url + "/secret", json={"message": "x"}, headers=headers, timeout=10
        )
        assert response.status_code == status
