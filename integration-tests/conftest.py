"""Shared fixtures for the cross-package integration tests."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest


def require_system(program: str, *, install: str) -> str:
    """Return the path of a system program, or skip (fail in CI) when it is absent.

    Tests that need a real component (redis-server, chromium, ...) call this. On a
    developer's machine a missing program skips the test with the command that installs
    it; with ``APICORE_REQUIRE_SYSTEM=1`` (set by ``.ci/run``) it is a failure instead.
    """
    path = shutil.which(program)
    if path is not None:
        return path
    message = f"{program} is not installed; install it with: {install}"
    if os.environ.get("APICORE_REQUIRE_SYSTEM") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium (``apt-get install -y chromium``)."""
    return require_system("chromium", install="apt-get install -y chromium")


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The path of Debian's redis-server (``apt-get install -y redis-server``)."""
    return require_system("redis-server", install="apt-get install -y redis-server")


@pytest.fixture(scope="session")
def npx() -> str:
    """The path of ``npx`` (Debian's ``nodejs`` and ``npm``), which runs pinned npm tools."""
    return require_system("npx", install="apt-get install -y nodejs npm")


@pytest.fixture(scope="session")
def uvx() -> str:
    """The path of ``uvx`` (installed with hatch, or ``python3 -m pip install uv``)."""
    return require_system("uvx", install="python3 -m pip install uv")


@pytest.fixture(scope="session")
def curl() -> str:
    """The path of ``curl`` (``apt-get install -y curl``)."""
    return require_system("curl", install="apt-get install -y curl")


@pytest.fixture(scope="session")
def git() -> str:
    """The path of ``git`` (``apt-get install -y git``)."""
    return require_system("git", install="apt-get install -y git")


@pytest.fixture(scope="session")
def uv() -> str:
    """The path of uv (hatch installs it; ``pip install uv`` otherwise)."""
    return require_system("uv", install="pip install uv (pip install hatch brings it too)")


class Local:
    """Helpers for the server processes a test starts on 127.0.0.1 (every wait is bounded)."""

    @staticmethod
    def free_port() -> int:
        """A TCP port on 127.0.0.1 that is free now."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port

    @staticmethod
    def wait_listening(
        port: int,
        process: subprocess.Popen[bytes],
        *,
        what: str = "the server",
        timeout: float = 30.0,
        log: Path | None = None,
    ) -> None:
        """Return once ``port`` accepts connections; fail if ``process`` exits or on timeout.

        The failure shows ``log``'s text when given (the process's output).
        """
        deadline = time.monotonic() + timeout
        while process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
        exited = process.poll() is not None
        state = "exited at start-up" if exited else f"did not start within {timeout:g} s"
        output = "" if log is None else ":\n" + log.read_text(errors="replace")
        raise AssertionError(f"{what} {state}{output}")

    @staticmethod
    def stop(
        process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 10.0
    ) -> None:
        """Send ``sig`` to a running ``process``; kill it if it has not exited in ``timeout`` s."""
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def local() -> type[Local]:
    """:class:`Local`: free ports, waiting for a server process to listen, stopping it."""
    return Local


@contextmanager
def _serving(server: socketserver.TCPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def serving() -> Callable[[socketserver.TCPServer], AbstractContextManager[str]]:
    """Serve a bound server (on 127.0.0.1) from a thread: ``with serving(server) as url:``."""
    return _serving


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


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    """Headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A browser page that reaches only 127.0.0.1, and the other URLs it tried to load."""
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


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[..., bool]:
    """Save a page's screenshot in the test's folder; say whether it shows a rendered page.

    ``screenshot(page, "home.png", contrast=100, colors=20)`` is true when the brightness
    spans more than ``contrast`` and the image has more than ``colors`` colours (counted in
    PIL ``mode``, ``"L"`` by default), i.e. the page is not blank.
    """

    def take(
        page: Any, name: str, *, contrast: int, colors: int, mode: str = "L", full: bool = False
    ) -> bool:
        from PIL import Image

        png = page.screenshot(path=str(tmp_path / name), full_page=full)
        image = Image.open(io.BytesIO(png))
        low, high = image.convert("L").getextrema()
        assert isinstance(low, (int, float))
        assert isinstance(high, (int, float))
        found = image.convert(mode).getcolors(maxcolors=1 << 18) or []
        return high - low > contrast and len(found) > colors

    return take
