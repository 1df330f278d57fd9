import asyncio
import dataclasses
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apicore_app import Api, Headers, Request, Response, RouteError
from apicore_auth.testing import make_authenticator
from apicore_callbacks import Settings
from apicore_callbacks.testing import CallbackReceiver

TOKEN = "s3cret-token-value"


@dataclasses.dataclass
class Item:
    name: str
    price: float


def build(**options: Any) -> Api:
    api = Api(title="Test API", authenticator=make_authenticator({TOKEN: ["write"]}), **options)

    @api.route("/add")
    def add(a: int, b: int = 372) -> int:
        """Add two numbers."""
        return a + b

    @api.route("/items/{item_id}", methods=["get", "delete"])
    async def get_item(item_id: int, verbose: bool = False) -> Item:
        return Item(f"item {item_id}", 1.5 if verbose else 1.0)

    @api.route("/secret", auth=True)
    def secret() -> str:
        return "hidden"

    @api.route("/admin", auth="admin")
    def admin() -> str:
        return "admin"

    @api.route("/boom")
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    @api.route("/unserializable")
    def unserializable() -> Any:
        return object()

    @api.route("/where")
    def where() -> str:
        return threading.current_thread().name

    return api


def request(
    method: str,
    path: str,
    body: bytes = b"",
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> Request:
    given = dict(headers or {})
    if body and not any(name.lower() == "content-type" for name in given):
        given["content-type"] = "application/json"  # a body says what it is
    return Request(method, path, query, Headers(given), body)


@pytest.fixture
def api() -> Iterator[Api]:
    built = build()
    yield built
    built.stop()


def problem(response: Response) -> dict[str, Any]:
    assert response.header("content-type") == "application/problem+json"
    document: dict[str, Any] = json.loads(response.body)
    assert document["status"] == response.status
    return document


def test_body_arguments(api: Api) -> None:
    response = api.handle(request("POST", "/add", b'{"a": 48, "b": 21}'))
    assert (response.status, response.body) == (200, b"69")
    assert response.header("content-type") == "application/json"
    assert response.header("x-request-id")


def test_query_and_path_arguments_and_async_functions(api: Api) -> None:
    response = api.handle(request("GET", "/items/7", query="verbose=true"))
    assert json.loads(response.body) == {"name": "item 7", "price": 1.5}
    response = asyncio.run(api.handle_async(request("GET", "/items/7")))
    assert json.loads(response.body) == {"name": "item 7", "price": 1.0}


def test_sync_functions_run_in_a_thread_pool_under_asgi(api: Api) -> None:
    inline = api.handle(request("POST", "/where"))
    pooled = asyncio.run(api.handle_async(request("POST", "/where")))
    assert json.loads(inline.body) == threading.current_thread().name
    assert json.loads(pooled.body).startswith("apicore-sync")
    api.stop()


@pytest.mark.parametrize(
    ("req", "status", "slug"),
    [
        (request("GET", "/nope"), 404, "not-found"),
        (request("GET", "/add"), 405, "method-not-allowed"),
        (
            request("POST", "/add", b'{"a": 1', headers={"content-type": "application/json"}),
            400,
            "malformed-request",
        ),
        (request("POST", "/add", b'{"a": 1, "a": 2}'), 400, "malformed-request"),
        (request("POST", "/add", b"\xff"), 400, "malformed-request"),
        (request("POST", "/add", b'{"a": NaN}'), 400, "malformed-request"),
        (request("POST", "/add", b"[" * 5000 + b"]" * 5000), 400, "malformed-request"),
        (request("POST", "/add", b'{"a": "x"}'), 422, "validation-error"),
        (request("POST", "/add", b"[1]"), 422, "validation-error"),
        (
            request("POST", "/add", b'{"a": 1}', headers={"content-type": "text/plain"}),
            415,
            "unsupported-media-type",
        ),
        (request("POST", "/add", b'{"a": 1}' + b" " * 2_000_000), 413, "body-too-large"),
        (request("GET", "/items/x"), 422, "validation-error"),
        (request("GET", "/items/1", query="verbose=maybe"), 422, "validation-error"),
        (request("POST", "/secret"), 401, "unauthorized"),
        (
            request("POST", "/secret", headers={"authorization": "Bearer wrong"}),
            401,
            "unauthorized",
        ),
        (request("POST", "/admin", headers={"authorization": f"Bearer {TOKEN}"}), 403, "forbidden"),
    ],
)
def test_bad_requests_are_4xx_problems(api: Api, req: Request, status: int, slug: str) -> None:
    response = api.handle(req)
    document = problem(response)
    assert response.status == status
    assert document["type"] == f"urn:apicore:problem:{slug}"


def test_405_and_options_list_allowed_methods(api: Api) -> None:
    assert api.handle(request("PUT", "/items/1")).header("allow") == "GET, DELETE, HEAD"
    options = api.handle(request("OPTIONS", "/items/1"))
    assert (options.status, options.header("allow")) == (204, "GET, DELETE, HEAD")


def test_head_has_no_body(api: Api) -> None:
    response = api.handle(request("HEAD", "/items/1"))
    assert (response.status, response.body) == (200, b"")


def test_auth_with_a_token(api: Api) -> None:
    ok = api.handle(request("POST", "/secret", headers={"Authorization": f"Bearer {TOKEN}"}))
    assert (ok.status, ok.body) == (200, b'"hidden"')
    missing = api.handle(request("POST", "/secret"))
    assert missing.header("www-authenticate")
    assert TOKEN not in missing.body.decode()


def test_validation_status_400() -> None:
    response = build(validation_status=400).handle(request("POST", "/add", b"{}"))
    assert problem(response)["errors"][0]["loc"] == ["body", "a"]
    assert response.status == 400


def test_legacy_mode_ignores_unknown_keys() -> None:
    response = build(extra="ignore").handle(request("POST", "/add", b'{"a": 1, "zzz": 2}'))
    assert response.body == b"373"


def test_function_errors_are_500_without_details(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="apicore.app"):
        response = api.handle(request("POST", "/boom", headers={"X-Request-ID": "req-123"}))
    document = problem(response)
    assert response.status == 500
    assert "hunter2" not in response.body.decode()
    assert document["request_id"] == "req-123"
    assert response.header("x-request-id") == "req-123"
    assert "req-123" in caplog.text
    assert "hunter2" in caplog.text  # the log has the traceback
    assert api.handle(request("POST", "/unserializable")).status == 500


def test_request_ids_are_sanitized(api: Api) -> None:
    response = api.handle(
        request("POST", "/add", b'{"a": 1}', headers={"X-Request-ID": "bad id\nwith newline"})
    )
    rid = response.header("x-request-id")
    assert rid is not None
    assert len(rid) == 32
    assert "\n" not in rid


def test_docs_routes(api: Api) -> None:
    document = json.loads(api.handle(request("GET", "/openapi.json")).body)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Test API"
    assert set(document["paths"]) >= {"/add", "/items/{item_id}", "/secret"}
    legacy = json.loads(api.handle(request("GET", "/openapi.json", query="version=3.0")).body)
    assert legacy["openapi"] == "3.0.3"
    for path in ("/docs", "/redoc", "/swagger"):
        page = api.handle(request("GET", path))
        assert page.status == 200
        assert page.header("content-type") == "text/html; charset=utf-8"
        assert b"/openapi.json" in page.body
        assert "default-src 'self'" in (page.header("content-security-policy") or "")
    assert api.handle(request("GET", "/docs/assets/nope.js")).status == 404


def test_document_follows_new_routes(api: Api) -> None:
    before = json.loads(api.handle(request("GET", "/openapi.json")).body)

    @api.route("/late")
    def late() -> None: ...

    after = json.loads(api.handle(request("GET", "/openapi.json")).body)
    assert "/late" not in before["paths"]
    assert "/late" in after["paths"]


def test_declaration_errors(api: Api) -> None:
    def f(x: int) -> None: ...

    with pytest.raises(RouteError, match="defined twice"):
        api.route("/add")(f)
    with pytest.raises(RouteError, match="starting with '/'"):
        api.route("add")
    with pytest.raises(RouteError, match="unknown HTTP method"):
        api.route("/x", methods=["fetch"])
    with pytest.raises(TypeError, match="no parameter 'y'"):
        api.route("/x/{y}")(f)


def test_access_log(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="apicore.access"):
        api.handle(request("POST", "/add", b'{"a": 1}', headers={"X-Request-ID": "abc"}))
    assert "POST /add 200" in caplog.text
    assert "request_id=abc" in caplog.text


def test_callbacks_end_to_end(tmp_path: Path) -> None:
    with CallbackReceiver() as receiver:
        settings = Settings.from_env(
            {}, db=tmp_path / "jobs.db", allow="127.0.0.1", poll_interval=0.05
        )
        api = Api(callback_settings=settings, authenticator=make_authenticator([TOKEN]))

        @api.route("/predict", callback=True)
        def predict(x: float) -> dict[str, float]:
            return {"y": x * 2}

        api.start()
        try:
            url = receiver.url("/hook")
            accepted = api.handle(
                request("POST", "/predict", b'{"x": 2}', headers={"Asymmetric-Callback-URL": url})
            )
            assert accepted.status == 202
            body = json.loads(accepted.body)
            assert accepted.header("location") == f"/jobs/{body['job_id']}"
            assert receiver.wait_for(1, timeout=10)
            assert receiver.deliveries[0].json() == {"y": 4.0}
            status = api.handle(request("GET", f"/jobs/{body['job_id']}"))
            assert json.loads(status.body)["job_id"] == body["job_id"]
            missing = api.handle(request("POST", "/predict", b'{"x": 2}'))
            assert missing.status == 422
            bad = api.handle(
                request(
                    "POST", "/predict", b'{"x": "no"}', headers={"Asymmetric-Callback-URL": url}
                )
            )
            assert bad.status == 422
            assert api.handle(request("GET", "/jobs/job_nope")).status == 404
            async_accepted = asyncio.run(
                api.handle_async(
                    request(
                        "POST", "/predict", b'{"x": 3}', headers={"Asymmetric-Callback-URL": url}
                    )
                )
            )
            assert async_accepted.status == 202
            assert receiver.wait_for(2, timeout=10)
        finally:
            api.stop()


def test_finish_an_adapter_made_response(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    from apicore_app import problem as make_problem, problem_response

    req = request("POST", "/add", headers={"X-Request-ID": "early-1"})
    with caplog.at_level(logging.INFO, logger="apicore.access"):
        response = api.finish(req, problem_response(make_problem(413, "too big")))
    assert response.header("x-request-id") == "early-1"
    assert "POST /add 413" in caplog.text


def test_the_request_ids_reach_outgoing_client_calls() -> None:
    from apicore_introspect import current_call_context

    api = Api()

    @api.route("/sync-ctx")
    def sync_ctx() -> list[str | None]:
        context = current_call_context()
        assert context is not None
        return [context.request_id, context.traceparent, context.call_id]

    @api.route("/async-ctx")
    async def async_ctx() -> list[str | None]:
        context = current_call_context()
        assert context is not None
        return [context.request_id, context.traceparent, context.call_id]

    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    headers = {"X-Request-ID": "rid-7", "traceparent": trace, "PymCallID": "c-1"}
    expected = ["rid-7", trace, "c-1"]
    for path in ("/sync-ctx", "/async-ctx"):
        assert json.loads(api.handle(request("POST", path, headers=headers)).body) == expected
        response = asyncio.run(api.handle_async(request("POST", path, headers=headers)))
        assert json.loads(response.body) == expected
    assert current_call_context() is None  # nothing leaks out of a request
    api.stop()


def test_the_root_path_says_where_the_docs_are(api: Api) -> None:
    answer = api.handle(request("GET", "/"))
    assert answer.status == 404
    assert problem(answer)["detail"] == "No route for /; the API's docs are at /docs"
    assert problem(api.handle(request("GET", "/nope")))["detail"] == "No route for /nope"
    hidden = Api(docs_path=None)
    assert problem(hidden.handle(request("GET", "/")))["detail"] == "No route for /"


def test_the_docs_line_follows_the_docs_paths() -> None:
    assert Api().docs_line("127.0.0.1", 8000) == (
        "Docs: http://127.0.0.1:8000/docs (also /redoc, /swagger, /openapi.json)"
    )
    assert Api(docs_path=None, swagger_path=None).docs_line("::", 1, scheme="https") == (
        "Docs: https://[::]:1/redoc (also /openapi.json)"
    )
    off = Api(docs_path=None, redoc_path=None, swagger_path=None, openapi_path=None)
    assert off.docs_line("h", 1) is None


def test_an_unknown_openapi_version_is_refused_and_leaves_nothing_behind() -> None:
    api = Api()
    with pytest.raises(ValueError, match="use '3.1.0' or '3.0.3'"):
        api.openapi("2.0")  # type: ignore[arg-type]
    assert "2.0" not in api._documents
    assert api.openapi("3.0.3")["openapi"] == "3.0.3"
