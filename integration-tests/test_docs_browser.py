"""The docs pages in a real browser, with every host but 127.0.0.1 unreachable.

An ``apicore_app.Api`` is served over real HTTP by a small threaded WSGI server; headless
Chromium (Debian's, driven by Playwright) opens ``/docs`` and ``/redoc``, sees the operations
rendered, runs "Try it out" on one endpoint and reads the response.
"""

from __future__ import annotations

import http
import socketserver
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from apicore_app import Api, Headers, Request


@dataclass
class Pet:
    """A pet."""

    name: str
    age: int = 0


def build_api() -> Api:
    api = Api(title="Browser Test API", version="1.2.3")

    @api.route("/add")
    def add(a: int, b: int = 372) -> int:
        """Add two numbers.

        Args:
            a: The first number.
            b: The second number.
        """
        return a + b

    @api.route("/pets/{pet_id}", methods=["get"])
    def get_pet(pet_id: int, verbose: bool = False) -> Pet | None:
        """Fetch a pet."""
        return Pet(f"pet {pet_id}")

    return api


def wsgi_app(api: Api) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [
            (key[5:].replace("_", "-").lower(), value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        ]
        if environ.get("CONTENT_TYPE"):
            headers.append(("content-type", environ["CONTENT_TYPE"]))
        request = Request(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", "/"),
            environ.get("QUERY_STRING", ""),
            Headers(headers),
            body,
        )
        response = api.handle(request)
        start_response(
            f"{response.status} {http.HTTPStatus(response.status).phrase}", response.headers
        )
        return [response.body]

    return app


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(serving: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    app = wsgi_app(build_api())
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    with serving(server) as url:
        yield url


def test_swagger_ui_renders_and_try_it_out_works(
    base_url: str, page: tuple[Any, list[str]], screenshot: Callable[..., bool]
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/docs")
    browser_page.wait_for_selector(".opblock")
    summaries = browser_page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/add" in text for text in summaries)
    assert any("/pets/{pet_id}" in text for text in summaries)
    assert "Browser Test API" in browser_page.locator(".info .title").inner_text()

    operation = browser_page.locator(".opblock-post").first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill('{"a": 48, "b": 21}')
    operation.locator("button.execute").click()
    response = operation.locator(".live-responses-table .response .response-col_description pre")
    response.first.wait_for()
    assert response.first.inner_text().strip() == "69"
    status = operation.locator(".live-responses-table .response .response-col_status").first
    assert status.inner_text().strip() == "200"

    assert screenshot(browser_page, "swagger.png", contrast=100, colors=20, full=True)
    assert outside == []


def test_redoc_renders_offline(
    base_url: str, page: tuple[Any, list[str]], screenshot: Callable[..., bool]
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/redoc")
    browser_page.get_by_text("Add two numbers.").first.wait_for()
    browser_page.get_by_text("Fetch a pet").first.wait_for()
    assert browser_page.get_by_text("The first number.").count() >= 1
    assert screenshot(browser_page, "redoc.png", contrast=100, colors=20)
    assert outside == []
