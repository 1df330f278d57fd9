"""pytest configuration for apicore-client's own tests."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "packaging: builds the wheel and installs it in a fresh venv (slow, may need PyPI); "
        "deselect with -m 'not packaging'",
    )


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 while the block runs; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


Serve = Callable[[type[BaseHTTPRequestHandler]], contextlib.AbstractContextManager[str]]


@pytest.fixture
def serve() -> Serve:
    """``with serve(Handler) as url:`` runs a test HTTP server on 127.0.0.1."""
    return _serving


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

    with _serving(Handler) as url:
        state.url = url
        yield state


def problem(status: int, title: str, slug: str, **extra: object) -> dict[str, object]:
    return {"type": f"urn:apicore:problem:{slug}", "title": title, "status": status, **extra}


@dataclass
class PetServer:
    """A pet API implemented by hand (no framework) on 127.0.0.1, as the specs in specs/ describe.

    Every path is under ``/v1``; ``/openapi.json`` serves ``document``. ``/v1/flaky`` answers
    503 to its first ``fail_first`` requests. Pet 13 is answered without its required name.
    """

    url: str
    document: dict[str, object] = field(default_factory=dict)
    fail_first: int = 0
    flaky_calls: int = 0
    pets: dict[int, dict[str, object]] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, object]:
        parts = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(parts.query)
        path = parts.path
        with self.lock:
            self.seen.append((method, target, headers, body))
            if (method, path) == ("GET", "/openapi.json"):
                return 200, "application/json", self.document
            if (method, path) == ("GET", "/v1/flaky"):
                self.flaky_calls += 1
                if self.flaky_calls <= self.fail_first:
                    return (
                        503,
                        "application/problem+json",
                        problem(503, "Unavailable", "unavailable"),
                    )
                return 200, "application/json", {"attempt": self.flaky_calls}
            if (method, path) == ("POST", "/v1/echo"):
                return 200, "application/json", {k.lower(): v for k, v in headers.items()}
            if (method, path) == ("GET", "/v1/pets"):
                pets = sorted(self.pets.values(), key=lambda p: -int(str(p["id"])))
                tags = query.get("tags", [""])[0].split(",") if "tags" in query else None
                if tags is not None:
                    pets = [p for p in pets if p.get("tag") in tags]
                return 200, "application/json", pets[: int(query.get("limit", ["50"])[0])]
            if (method, path) == ("POST", "/v1/pets"):
                data = json.loads(body or b"null")
                if not isinstance(data, dict) or not data.get("name"):
                    errors = [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]
                    return (
                        422,
                        "application/problem+json",
                        problem(422, "Validation error", "validation-error", errors=errors),
                    )
                pet = {"id": len(self.pets) + 1, **data}
                self.pets[int(str(pet["id"]))] = pet
                return 201, "application/json", pet
            found = re.fullmatch(r"/v1/pets/(\d+)", path)
            if found and method in {"GET", "DELETE"}:
                pet_id = int(found.group(1))
                if pet_id == 13:
                    return 200, "application/json", {"id": 13}
                if pet_id not in self.pets:
                    detail = f"There is no pet {pet_id}."
                    return (
                        404,
                        "application/problem+json",
                        problem(404, "Not found", "not-found", detail=detail),
                    )
                if method == "DELETE":
                    del self.pets[pet_id]
                    return 204, "", None
                return 200, "application/json", self.pets[pet_id]
            return 404, "application/problem+json", problem(404, "Not found", "not-found")


@pytest.fixture
def pet_server() -> Iterator[PetServer]:
    state = PetServer(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, content_type, data = state.route(
                self.command, self.path, dict(self.headers.items()), body
            )
            payload = b"" if data is None else json.dumps(data).encode()
            self.send_response(status)
            if content_type:
                self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    with _serving(Handler) as url:
        state.url = url
        yield state
