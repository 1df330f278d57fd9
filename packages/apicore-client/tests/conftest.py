"""pytest configuration for apicore-client's own tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "packaging: builds the wheel and installs it in a fresh venv (slow, may need PyPI); "
        "deselect with -m 'not packaging'",
    )


@dataclass
class FlakyServer:
    """A real HTTP/1.1 server on 127.0.0.1 that answers 503 to its first ``fail_first`` requests."""

    url: str
    fail_first: int = 0
    delay: float = 0.0
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def flaky_server() -> Iterator[FlakyServer]:
    state = FlakyServer(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.seen.append((self.command, self.path, dict(self.headers.items()), body))
                number = len(state.seen)
            if state.delay:
                threading.Event().wait(state.delay)
            if number <= state.fail_first:
                payload = json.dumps(
                    {
                        "type": "urn:apicore:problem:unavailable",
                        "title": "Service Unavailable",
                        "status": 503,
                    }
                ).encode()
                self.send_response(503)
                self.send_header("content-type", "application/problem+json")
            else:
                payload = json.dumps({"attempt": number, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout tests)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
