"""The docs site as a reader sees it: `mkdocs build`, served from 127.0.0.1, in Chromium.

The site is built (strict) into a temporary folder, served by a local HTTP server, and
opened in headless Chromium with every other host blocked: the pages must render offline
(the theme's web fonts are off in mkdocs.yml). Screenshots of the home page and of a
package page go to the test's temporary folder.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
def base_url(site: Path, serving: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url


# A rendered, styled page: many colours and a wide range of brightness.
STYLED = {"contrast": 150, "colors": 50, "mode": "RGB"}


def test_home_page_leads_with_what_people_install(
    base_url: str, page: tuple[Any, list[str]], screenshot: Callable[..., bool]
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
    assert screenshot(browser_page, "home.png", **STYLED)
    assert outside == []


def test_a_package_page_renders_offline(
    base_url: str, page: tuple[Any, list[str]], screenshot: Callable[..., bool]
) -> None:
    browser_page, outside = page
    browser_page.goto(f"{base_url}/packages/asymmetric/")
    browser_page.locator("article h1").first.wait_for()
    assert browser_page.locator("article h1").first.inner_text().strip("¶ \n") == "asymmetric"
    assert browser_page.locator("article pre code").count() >= 3
    # code is highlighted by the theme (spans with token classes), not plain text
    assert browser_page.locator("article pre code span.kn, article pre code span.k").count() > 0
    assert screenshot(browser_page, "asymmetric.png", **STYLED)
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
