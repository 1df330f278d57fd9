from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

import apicore_app
import apicore_callbacks
from asymmetric import (
    Asymmetric,
    AsymmetricError,
    DuplicatedEndpointError,
    InvalidCallbackHeadersError,
    InvalidCallbackObjectError,
    asymmetric,
)
from asymmetric.testing import LifespanError, client, lifespan

pytestmark = pytest.mark.anyio


def make_app() -> Asymmetric:
    app = Asymmetric(title="Test", log_config=False)

    @app.router("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

    @app.router("/async-add")
    async def async_add(a: int, b: int = 372) -> int:
        await asyncio.sleep(0)
        return a + b

    @app.router("/items/{item_id}", methods=["get"])
    def item(item_id: int, q: str = "none") -> dict[str, Any]:
        return {"id": item_id, "q": q}

    @app.router("/created", methods=["put"], response_code=201)
    def created() -> str:
        return "yes"

    @app.router("/boom", methods=["get"])
    def boom() -> None:
        raise RuntimeError("secret detail")

    return app


async def test_plain_async_query_path_and_status() -> None:
    async with client(make_app()) as http:
        assert (await http.post("/add", json={"a": 48, "b": 21})).json() == 69
        assert (await http.post("/add", json={"a": 1})).json() == 373
        assert (await http.post("/async-add", json={"a": 48, "b": 21})).json() == 69
        response = await http.get("/items/42", params={"q": "hi"})
        assert response.json() == {"id": 42, "q": "hi"}
        response = await http.put("/created")
        assert (response.status_code, response.json()) == (201, "yes")


async def test_function_errors_are_500_problems_without_the_exception_text() -> None:
    async with client(make_app()) as http:
        response = await http.get("/boom", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "abc-123"
    assert "secret" not in response.text
    assert response.json()["request_id"] == "abc-123"


async def test_every_response_has_a_request_id() -> None:
    async with client(make_app()) as http:
        for response in (
            await http.post("/add", json={"a": 1}),
            await http.get("/missing"),
            await http.get("/add"),
            await http.get("/openapi.json"),
        ):
            assert len(response.headers["x-request-id"]) >= 8


async def test_sync_functions_run_off_the_event_loop() -> None:
    app = Asymmetric(log_config=False)
    threads: list[bool] = []

    @app.router("/where", methods=["get"])
    def where() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            threads.append(True)
            return True
        return False

    async with client(app) as http:
        assert (await http.get("/where")).json() is True
    assert threads == [True]


def test_router_returns_the_function_unchanged() -> None:
    app = Asymmetric(log_config=False)

    def f(a: int) -> int:
        return a

    assert app.router("/f")(f) is f
    assert app.router("/g", ["get"], 200, False)(f) is f


def test_duplicate_route_and_method_raises_the_legacy_error() -> None:
    app = Asymmetric(log_config=False)

    @app.router("/x", methods=["post", "get"])
    def x() -> None: ...

    @app.router("/x", methods=["put"])  # same route, other method: fine
    def y() -> None: ...

    with pytest.raises(DuplicatedEndpointError, match="/x") as info:

        @app.router("/x", methods=["get"])
        def z() -> None: ...

    assert isinstance(info.value, apicore_app.DuplicateRouteError)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, AsymmetricError)


@pytest.mark.parametrize("callback", [{"bogus": "a"}, {"callback_url_header": 1}, "yes"])
def test_invalid_callback_objects_raise_at_decoration(callback: Any) -> None:
    app = Asymmetric(log_config=False)
    with pytest.raises(InvalidCallbackObjectError) as info:
        app.router("/cb", callback=callback)
    assert isinstance(info.value, apicore_callbacks.InvalidCallbackObjectError)


def test_legacy_header_error_name_is_a_callback_request_error() -> None:
    assert issubclass(InvalidCallbackHeadersError, apicore_callbacks.CallbackRequestError)
    assert issubclass(InvalidCallbackHeadersError, AsymmetricError)


def test_unknown_methods_are_an_error_not_dropped() -> None:
    app = Asymmetric(log_config=False)
    with pytest.raises(apicore_app.RouteError, match="unknown HTTP method"):
        app.router("/m", methods=["fetch"])


def test_openapi_property_is_never_stale() -> None:
    app = Asymmetric(title="Docs", log_config=False)

    @app.router("/one")
    def one() -> int:
        return 1

    assert list(app.openapi["paths"]) == ["/one"]

    @app.router("/two")
    def two() -> int:
        return 2

    assert list(app.openapi["paths"]) == ["/one", "/two"]
    assert app.openapi["info"]["title"] == "Docs"


def test_singleton_is_an_asymmetric_instance() -> None:
    assert isinstance(asymmetric, Asymmetric)
    assert callable(asymmetric)


def test_unknown_attributes_are_forwarded_to_starlette() -> None:
    app = Asymmetric(log_config=False)
    assert app.routes == []
    assert app.state is app.app.state
    assert app.debug is False
    with pytest.raises(AttributeError):
        _ = app.no_such_attribute


class Stamp:
    def __init__(self, app: ASGIApp, value: str) -> None:
        self.app = app
        self.value = value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-stamp", self.value.encode())]
            await send(message)

        await self.app(scope, receive, stamped)


async def test_add_middleware_through_forwarding() -> None:
    app = make_app()
    app.add_middleware(Stamp, value="v1")
    assert [m.cls for m in app.user_middleware] == [Stamp]
    async with client(app) as http:
        response = await http.post("/add", json={"a": 1, "b": 2})
    assert (response.json(), response.headers["x-stamp"]) == (3, "v1")


async def test_starlette_routes_added_by_users_coexist() -> None:
    app = make_app()

    async def ping(request: Request) -> PlainTextResponse:
        return PlainTextResponse("pong")

    app.add_route("/ping", ping)
    async with client(app) as http:
        assert (await http.get("/ping")).text == "pong"
        assert (await http.post("/add", json={"a": 1, "b": 2})).json() == 3
        missing = await http.get("/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_startup_and_shutdown_hooks_run_in_order() -> None:
    events: list[str] = []
    app = Asymmetric(log_config=False)

    @app.on_startup
    def first() -> None:
        events.append("start-sync")

    @app.on_event("startup")
    async def second() -> None:
        events.append("start-async")

    @app.on_shutdown
    async def third() -> None:
        events.append("stop-async")

    app.add_event_handler("shutdown", lambda: events.append("stop-sync"))
    async with lifespan(app):
        assert events == ["start-sync", "start-async"]
    assert events == ["start-sync", "start-async", "stop-async", "stop-sync"]


def test_unknown_event_names_are_an_error() -> None:
    with pytest.raises(ValueError, match="startup"):
        Asymmetric(log_config=False).add_event_handler("begin", lambda: None)  # type: ignore[arg-type]


async def test_a_starlette_lifespan_context_and_its_state() -> None:
    import contextlib
    from collections.abc import AsyncIterator

    @contextlib.asynccontextmanager
    async def resources(app: object) -> AsyncIterator[dict[str, Any]]:
        yield {"db": "connected"}

    app = Asymmetric(lifespan=resources, log_config=False)
    async with lifespan(app) as state:
        assert state == {"db": "connected"}


async def test_a_failing_startup_hook_fails_startup() -> None:
    app = Asymmetric(log_config=False)

    @app.on_startup
    def broken() -> None:
        raise RuntimeError("no database")

    with pytest.raises(LifespanError, match="no database"):
        async with lifespan(app):
            pass


async def test_served_without_lifespan_still_answers() -> None:
    async with client(make_app(), run_lifespan=False) as http:
        assert (await http.post("/add", json={"a": 2, "b": 2})).json() == 4


async def test_log_config_reads_log_level(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import logging

    log_file = tmp_path / "app.log"
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    monkeypatch.setenv("LOG_FILE", str(log_file))
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    app = Asymmetric()

    @app.router("/hi", methods=["get"])
    def hi() -> str:
        return "hi"

    try:
        async with client(app) as http:
            await http.get("/hi", headers={"X-Request-ID": "rid-42"})
        assert "rid-42" in log_file.read_text()
    finally:
        for handler in root.handlers[:]:
            if handler not in before[1]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(before[0])


async def test_httpx_asgi_transport_directly() -> None:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.post("/add", json={"a": 1, "b": 1})).json() == 2


class Explode:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/explode":
            raise RuntimeError("middleware secret")
        await self.app(scope, receive, send)


async def test_errors_in_user_middleware_and_routes_are_problems() -> None:
    from starlette.exceptions import HTTPException

    app = make_app()
    app.add_middleware(Explode)

    async def teapot(request: Request) -> PlainTextResponse:
        raise HTTPException(418, "short and stout")

    app.add_route("/teapot", teapot)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        exploded = await http.get("/explode", headers={"X-Request-ID": "boom-1"})
        teapot_response = await http.get("/teapot")
        wrong_method = await http.post("/teapot")
    assert exploded.status_code == 500
    assert exploded.headers["content-type"] == "application/problem+json"
    assert exploded.headers["x-request-id"] == "boom-1"
    assert "secret" not in exploded.text
    assert teapot_response.status_code == 418
    assert teapot_response.json()["detail"] == "short and stout"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"
    assert set(wrong_method.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_symmetrics_auth_token_keyword_gets_a_hint() -> None:
    app = Asymmetric()
    with pytest.raises(TypeError, match=r"auth_token= is symmetric's name; asymmetric's is auth="):
        app.router("/x", auth_token=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'bogus'$"):
        app.router("/x", bogus=1)  # type: ignore[arg-type]


def test_tokens_come_from_asymmetric_and_shared_variables() -> None:
    settings = Asymmetric().api.auth_settings
    assert settings.env_vars == ("ASYMMETRIC_API_KEY", "APICORE_API_KEY")
