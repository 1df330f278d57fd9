from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from apicore_openapi import (
    REDOC_CDN,
    SWAGGER_UI_CDN,
    ApiInfo,
    AssetNotFoundError,
    DocumentCache,
    RouteDoc,
    asset,
    asset_paths,
    build_document,
    redoc_html,
    swagger_ui_html,
)
from apicore_openapi.testing import page_urls


def make_handler(cache: DocumentCache, *, cdn: bool) -> type[http.server.BaseHTTPRequestHandler]:
    """A tiny adapter: what symmetric/asymmetric do with these functions."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            try:
                if path == "/openapi.json":
                    body, kind = cache.json_bytes(), "application/json"
                elif path == "/docs":
                    page = swagger_ui_html("/openapi.json", title="Example API", cdn=cdn)
                    body, kind = page.encode(), "text/html; charset=utf-8"
                elif path == "/redoc":
                    page = redoc_html("/openapi.json", title="Example API", cdn=cdn)
                    body, kind = page.encode(), "text/html; charset=utf-8"
                elif path.startswith("/docs/assets/"):
                    body, kind = asset(path.removeprefix("/docs/assets/"))
                else:
                    raise AssetNotFoundError(path)
            except AssetNotFoundError:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def serve(info: ApiInfo, endpoints: list[RouteDoc]) -> Iterator[Callable[[bool], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(cdn: bool) -> str:
        cache = DocumentCache(lambda: build_document(info, endpoints))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cache, cdn=cdn))
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_pages_and_every_asset_load_offline(serve: Callable[[bool], str], page: str) -> None:
    base = serve(False)
    with httpx.Client(base_url=base, timeout=10) as client:
        response = client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        urls = page_urls(response.text)
        assert urls, "the page references no assets"
        fetched = 0
        for url in urls:
            absolute = urllib.parse.urljoin(base + page, url)
            # Nothing outside the local server: the page works without internet.
            assert absolute.startswith(base + "/"), url
            reply = client.get(absolute)
            assert reply.status_code == 200, url
            suffix = "." + url.rsplit(".", 1)[-1]
            if suffix in EXPECTED_TYPES:
                assert reply.headers["content-type"].startswith(EXPECTED_TYPES[suffix]), url
                assert len(reply.content) > 100
                fetched += 1
            else:
                assert reply.headers["content-type"] == "application/json"
                assert reply.json()["openapi"] == "3.1.0"
        assert fetched == (5 if page == "/docs" else 1)


def test_swagger_initializer_and_config_reference_nothing_external() -> None:
    initializer, _ = asset("swagger-ui/swagger-initializer.js")
    assert b"http" not in initializer
    page = swagger_ui_html("/openapi.json")
    start = page.index('id="apicore-swagger-config">') + len('id="apicore-swagger-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["url"] == "/openapi.json"
    assert config["validatorUrl"] is None  # no call to validator.swagger.io


@pytest.mark.parametrize(
    ("render", "cdn_base"),
    [
        (lambda cdn: swagger_ui_html("/openapi.json", cdn=cdn), SWAGGER_UI_CDN),
        (lambda cdn: redoc_html("/openapi.json", cdn=cdn), REDOC_CDN),
    ],
)
def test_cdn_mode_switches_the_script_sources(render: Callable[[bool], str], cdn_base: str) -> None:
    offline = page_urls(render(False))
    online = page_urls(render(True))
    assert not any(url.startswith("http") for url in offline)
    assert any(url.startswith(cdn_base) for url in online)


def test_page_text_is_escaped() -> None:
    page = swagger_ui_html(
        '/x"y', title="<b>A&B</b>", config={"evil": "</script><script>alert(1)</script>"}
    )
    assert "<b>" not in page
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in page
    assert "</script><script>alert" not in page
    assert '"/x\\"y"' in page
    assert 'spec-url="/x&quot;y"' in redoc_html('/x"y')


def test_assets_url_is_respected() -> None:
    page = redoc_html("/api/openapi.json", assets_url="/api/static/")
    assert "/api/static/redoc/redoc.standalone.js" in page_urls(page)


@pytest.mark.parametrize("path", sorted(asset_paths()))
def test_every_asset_exists(path: str) -> None:
    body, content_type = asset("/" + path)
    assert body
    assert content_type


@pytest.mark.parametrize("path", ["../__init__.py", "swagger-ui/../../x", "redoc/index.html", ""])
def test_unknown_assets_are_not_found(path: str) -> None:
    with pytest.raises(AssetNotFoundError, match="no docs asset"):
        asset(path)


def test_bundled_ui_versions_render_openapi_31() -> None:
    swagger, _ = asset("swagger-ui/swagger-ui-bundle.js")
    redoc, _ = asset("redoc/redoc.standalone.js")
    assert b"isOAS31" in swagger  # Swagger UI >= 5 has the OpenAPI 3.1 plugin
    assert b'startsWith("3.1")' in redoc  # ReDoc >= 2 detects 3.1 documents
