"""Symmetric through Flask's test client: the adapter, legacy names, Flask still usable."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import flask
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from apicore_introspect import SignatureError
from apicore_openapi import default_title
from apicore_openapi.testing import assert_offline, page_urls, validate_document
from symmetric import (
    DuplicatedRouteError,
    Endpoint,
    IncorrectRouteFormatError,
    InvalidTokenNameError,
    Symmetric,
)

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Symmetric:
    monkeypatch.setenv("SYMMETRIC_API_KEY", TOKEN)
    sym = Symmetric(title="Calc", setup_logging=False)

    @sym.router("/add")
    def add(a: int, b: int = 372) -> int:
        """Add two numbers."""
        return a + b

    @sym.router("/items/{item_id}", methods=["get", "delete"], auth_token=True)
    def item(item_id: int, verbose: bool = False) -> dict[str, Any]:
        return {"id": item_id, "verbose": verbose}

    @sym.router("/double", methods=["post"], response_code=201, tags=["math"])
    async def double(x: float) -> float:
        await asyncio.sleep(0)
        return x * 2

    return sym


def test_body_query_and_path_arguments(app: Symmetric) -> None:
    client = app.test_client()
    response = client.post("/add", json={"a": 48, "b": 21})
    assert (response.status_code, response.get_json()) == (200, 69)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = client.get("/items/3?verbose=true", headers=headers)
    assert response.get_json() == {"id": 3, "verbose": True}
    assert client.delete("/items/4", headers=headers).get_json() == {"id": 4, "verbose": False}


def test_async_function_runs_under_wsgi(app: Symmetric) -> None:
    response = app.test_client().post("/double", json={"x": 2.5})
    assert (response.status_code, response.get_json()) == (201, 5.0)


def test_tokens(app: Symmetric) -> None:
    client = app.test_client()
    assert client.get("/items/1").status_code == 401
    assert client.get("/items/1", headers={"symmetric_api_key": TOKEN}).status_code == 200
    assert client.get("/items/1", headers={"symmetric_api_key": "nope"}).status_code == 401
    # the public legacy default token is refused unless the development server allows it
    assert (
        client.get("/items/1", headers={"Symmetric-Api-Key": "symmetric_token"}).status_code == 401
    )


def test_default_token_allowed_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("SYMMETRIC_API_KEY", raising=False)
    sym = Symmetric(setup_logging=False)

    @sym.router("/s", auth_token=True)
    def s() -> int:
        return 1

    headers = {"Symmetric-Api-Key": "symmetric_token"}
    assert sym.test_client().post("/s", headers=headers).status_code == 401
    sym.allow_default_token()
    with caplog.at_level(logging.WARNING):
        assert sym.test_client().post("/s", headers=headers).status_code == 200
    assert "SECURITY WARNING" in caplog.text


def test_renamed_token_header_and_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "other-token-0123456789")
    sym = Symmetric(setup_logging=False)
    assert sym.client_token_name == "symmetric_api_key"
    assert sym.set_client_token_name("Custom-Key") is True
    assert sym.set_server_token_name("MY_KEY") is True
    assert sym.client_token_name == "Custom-Key"

    @sym.router("/s", auth_token=True)
    def s() -> int:
        return 1

    client = sym.test_client()
    assert client.post("/s", headers={"Custom-Key": "other-token-0123456789"}).status_code == 200
    assert client.post("/s", headers={"Custom-Key": TOKEN}).status_code == 401


@pytest.mark.parametrize(
    ("setter", "name", "message"),
    [
        ("set_client_token_name", 3, "Invalid client token name type"),
        ("set_client_token_name", "", "Empty client token name"),
        ("set_client_token_name", "has space", "Invalid client token name"),
        ("set_server_token_name", None, "Invalid server token name type"),
        ("set_server_token_name", "", "Empty server token name"),
    ],
)
def test_token_name_errors(setter: str, name: object, message: str) -> None:
    sym = Symmetric(setup_logging=False)
    with pytest.raises(InvalidTokenNameError, match=message):
        getattr(sym, setter)(name)
    with pytest.raises(ValueError, match=message):  # also apicore-auth's ConfigurationError
        getattr(sym, setter)(name)


@pytest.mark.parametrize(
    ("route", "methods"),
    [
        ("element", ["post"]),
        ("/a//b", ["post"]),
        ("/a", ["bogus"]),
        ("/a", "post"),
        ("/a/", ["get"]),
    ],
)
def test_route_errors_at_decoration(route: str, methods: Any) -> None:
    sym = Symmetric(setup_logging=False)
    with pytest.raises(IncorrectRouteFormatError):

        @sym.router(route, methods=methods)
        def f(a: int = 1) -> int:
            return a


def test_path_parameter_must_be_a_function_parameter() -> None:
    sym = Symmetric(setup_logging=False)
    with pytest.raises(SignatureError, match="no parameter 'y'"):

        @sym.router("/x/{y}", methods=["get"])
        def f(a: int = 1) -> int:
            return a


def test_duplicates_and_same_names() -> None:
    sym = Symmetric(setup_logging=False)

    @sym.router("/a", methods=["get"])
    def f() -> int:
        return 1

    @sym.router("/a", methods=["post"])  # legacy counted this as a duplicate
    def f2() -> int:
        return 2

    @sym.router("/b")  # legacy crashed Flask on a second function named like the first
    def f3() -> int:
        return 3

    with pytest.raises(DuplicatedRouteError, match="defined twice"):

        @sym.router("/a", methods=["GET"])
        def g() -> int:
            return 4

    client = sym.test_client()
    assert (client.get("/a").get_json(), client.post("/a").get_json()) == (1, 2)


def test_router_returns_the_function(app: Symmetric) -> None:
    def sub(a: int, b: int) -> int:
        return a - b

    assert app.router("/sub")(sub) is sub
    assert sub(3, 1) == 2


def test_legacy_properties(app: Symmetric) -> None:
    endpoints = app.endpoints
    assert [e.route for e in endpoints] == ["/add", "/double", "/items/{item_id}"]
    add = endpoints[0]
    assert isinstance(add, Endpoint)
    assert (add.methods, add.response_code, add.has_token) == (("POST",), 200, False)
    assert add.docstring == "Add two numbers."
    assert endpoints[1].docstring == "No description provided."
    assert endpoints[2].has_token
    document = app.openapi
    validate_document(document)
    assert document["info"]["title"] == "Calc"

    @app.router("/later")
    def later() -> None:
        return None

    assert "/later" in app.openapi["paths"]  # legacy cached the document forever


def test_title_from_the_module_when_not_given() -> None:
    sym = Symmetric(setup_logging=False)

    @sym.router("/a")
    def a() -> int:
        return 1

    assert sym.api_info().title == default_title(a.__module__)
    assert sym.generate_markdown_documentation("cool_module").startswith("# Cool Module API")


def test_markdown_documentation(app: Symmetric) -> None:
    text = app.generate_markdown_documentation("ignored")
    assert text.startswith("# Calc")
    assert "/add" in text
    assert "/items/{item_id}" in text


def test_docs_pages_offline(app: Symmetric) -> None:
    client = app.test_client()
    for page in ("/docs", "/redoc", "/swagger"):
        html = client.get(page).get_data(as_text=True)
        assert_offline(html)
        for url in page_urls(html):
            assert client.get(url).status_code == 200, url
    validate_document(client.get("/openapi.json?version=3.0").get_json())


def test_options_head_and_request_id(app: Symmetric) -> None:
    client = app.test_client()
    response = client.options("/add")
    assert (response.status_code, response.headers["Allow"]) == (204, "POST")
    assert "Content-Type" not in response.headers
    response = client.post("/add", json={"a": 1}, headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


def test_own_flask_routes_and_their_errors_are_problems(app: Symmetric) -> None:
    @app.app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.app.get("/fail")
    def fail() -> str:
        raise RuntimeError("hidden detail")

    @app.app.get("/teapot")
    def teapot() -> str:
        flask.abort(418)

    app.app.testing = False  # let Flask turn the exception into its 500 handling
    client = app.test_client()
    assert client.get("/health").get_json() == {"status": "ok"}
    response = client.get("/fail")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "hidden detail" not in response.get_data(as_text=True)
    response = client.get("/teapot")
    assert (response.status_code, response.content_type) == (418, "application/problem+json")
    # the catch-all still answers the rest
    assert client.post("/add", json={"a": 1}).get_json() == 373
    assert client.get("/").status_code == 404


@pytest.mark.parametrize("size", [10, 11, 64])
def test_body_limit_is_exact(size: int) -> None:
    sym = Symmetric(max_body_size=10, setup_logging=False)

    @sym.router("/n")
    def n(a: int = 0) -> int:
        return a

    body = b'{"a": 1}'.ljust(size)
    response = sym.test_client().post("/n", data=body, content_type="application/json")
    assert response.status_code == (200 if size <= 10 else 413)
    if size > 10:
        assert response.content_type == "application/problem+json"


def test_max_body_size_can_change() -> None:
    sym = Symmetric(setup_logging=False)
    sym.max_body_size = 5

    @sym.router("/n")
    def n(a: int = 0) -> int:
        return a

    response = sym.test_client().post("/n", json={"a": 1})
    assert (response.status_code, sym.max_body_size) == (413, 5)


def test_legacy_lenient_extra_keys() -> None:
    sym = Symmetric(extra="ignore", setup_logging=False)

    @sym.router("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

    assert sym.test_client().post("/add", json={"a": 1, "junk": 2}).get_json() == 373


def test_wsgi_callable(app: Symmetric) -> None:
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda data: None

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/openapi.json",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
    }
    body = b"".join(app(environ, start_response))
    assert seen == ["200 OK"]
    assert body.startswith(b'{"openapi"')


def test_start_sets_up_logging_once(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    level = root.level
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    for handler in saved:
        root.removeHandler(handler)
    try:
        sym = Symmetric()
        sym.start()
        sym.start()
        added = [h for h in root.handlers if getattr(h, "_apicore", False)]
        assert len(added) == 1
        assert root.level == logging.DEBUG
        sym.stop()
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)


LEGACY_ACCEPTED = [
    "/",
    "/symmetric",
    "/hi/hello",
    "/hello-world/basic_syntax",
    "/_element/BIGelement",
]
LEGACY_REJECTED_NOW_FINE = ["/element2", "/element__two", "/-worse", "/bad-_composition"]


@pytest.mark.parametrize("route", LEGACY_ACCEPTED + LEGACY_REJECTED_NOW_FINE)
def test_legacy_routes_and_former_limitations_are_served(route: str) -> None:
    sym = Symmetric(setup_logging=False)

    @sym.router(route, methods=["get"])
    def f() -> str:
        return route

    assert sym.test_client().get(route).get_json() == route


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v).encode())))
def test_no_body_gives_a_server_error(app: Symmetric, body: bytes) -> None:
    response = app.test_client().post("/add", data=body, content_type="application/json")
    assert response.status_code in (200, 400, 422)
    if response.status_code != 200:
        assert response.content_type == "application/problem+json"


def test_a_path_parameter_holding_a_newline_reaches_validation() -> None:
    app = Symmetric(title="Newline")

    @app.router("/squares/{n}", methods=["get"])
    def square(n: int) -> int:
        return n * n

    client = app.test_client()
    assert client.get("/squares/3").get_json() == 9
    response = client.get("/squares/a%0Ab")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["loc"] == ["path", "n"]


def test_asymmetrics_auth_keyword_gets_a_hint() -> None:
    sym = Symmetric(setup_logging=False)
    with pytest.raises(TypeError, match=r"auth= is asymmetric's name; symmetric's is auth_token="):
        sym.router("/x", auth=True)  # type: ignore[arg-type]


def test_tokens_come_from_symmetric_and_shared_variables() -> None:
    settings = Symmetric(setup_logging=False).api.auth_settings
    assert settings.env_vars == ("SYMMETRIC_API_KEY", "APICORE_API_KEY")
