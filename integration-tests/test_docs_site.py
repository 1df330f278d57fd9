"""The docs site as a reader sees it: `mkdocs build`, served from 127.0.0.1, in Chromium.

The site is built (strict) into a temporary folder, served by a local HTTP server, and
opened in headless Chromium with every other host blocked: the pages must render offline
(the theme's web fonts are off in mkdocs.yml). Screenshots of the home page and of a
package page go to the test's temporary folder.
"""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What people install, in the order the home page must lead with.
INSTALLED = ["asymmetric", "symmetric", "pymacaron-core", "apicore-client"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs", reason="the docs dependencies are in the test group")
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page, outside
    finally:
        context.close()


def styled(png: bytes) -> bool:
    """A rendered, styled page: many colours and a wide range of brightness."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colors = image.getcolors(maxcolors=1 << 18) or []
    low, high = image.convert("L").getextrema()
    assert isinstance(low, (int, float))
    assert isinstance(high, (int, float))
    return high - low > 150 and len(colors) > 50


def test_home_page_leads_with_what_people_install(
    base_url: str, page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/")
    browser_page.locator("article h1").first.wait_for()
    assert browser_page.locator("article h1").first.inner_text().strip("¶ \n") == "apicore"
    first_table = browser_page.locator("article table").first
    rows = first_table.locator("tbody tr").all_inner_texts()
    assert [next(name for name in INSTALLED if name in row) for row in rows] == INSTALLED
    assert browser_page.get_by_role("link", name="Getting started").count() >= 1
    # the theme's stylesheet applied: the header bar is coloured, not default black on white
    header = browser_page.locator("header.md-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    png = browser_page.screenshot(path=str(tmp_path / "home.png"), full_page=False)
    assert styled(png)
    assert outside == []


def test_a_package_page_renders_offline(
    base_url: str, page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/packages/asymmetric/")
    browser_page.locator("article h1").first.wait_for()
    assert browser_page.locator("article h1").first.inner_text().strip("¶ \n") == "asymmetric"
    assert browser_page.locator("article pre code").count() >= 3
    # code is highlighted by the theme (spans with token classes), not plain text
    assert browser_page.locator("article pre code span.kn, article pre code span.k").count() > 0
    png = browser_page.screenshot(path=str(tmp_path / "asymmetric.png"), full_page=False)
    assert styled(png)
    assert outside == []


def test_the_getting_started_page_shows_the_snippets(
    base_url: str, page: tuple[Any, list[str]]
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/getting-started/")
    text = browser_page.locator("article").inner_text()
    assert "uv pip install ./packages/* gunicorn" in text
    assert '@asymmetric.router("/mean", callback=True)' in text
    assert "--8<--" not in text
    assert outside == []
