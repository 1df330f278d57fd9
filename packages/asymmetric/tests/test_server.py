"""Real servers on 127.0.0.1: ``asymmetric run``, ``uvicorn module:asymmetric``, hypercorn.

Every server is a subprocess on a free port, waited for with a bounded deadline and always
terminated by a finalizer.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apicore_callbacks.testing import CallbackReceiver
from apicore_openapi.testing import page_urls

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
TOKEN = "test-token-0123456789abcdef"
STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, command: list[str], port: int, env: dict[str, str], cwd: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.output = cwd / f"server-{port}.log"  # cwd is always a tmp_path: the tree stays clean
        with self.output.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=cwd,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, path: str = "/openapi.json") -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + path, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready within {STARTUP_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        return self.process.returncode


def environment(tmp: Path) -> dict[str, str]:
    return {
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
        "APICORE_CALLBACKS_DB": str(tmp / "jobs.db"),
        "APICORE_API_KEY": TOKEN,
        "LIFESPAN_LOG": str(tmp / "lifespan.log"),
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(tmp / "app.log"),
    }


def start(kind: str, tmp: Path, *extra: str) -> Server:
    port = free_port()
    env = environment(tmp)
    if kind == "asymmetric-run":
        command = [str(BIN / "asymmetric"), "run", "legacy_app", "--port", str(port)]
        command += ["--app-dir", str(HERE), "--http", "httptools", "--loop", "uvloop"]
    elif kind == "uvicorn":
        command = [str(BIN / "uvicorn"), "legacy_app:asymmetric", "--port", str(port)]
        command += ["--app-dir", str(HERE)]
    else:
        # hypercorn has no --app-dir: the module is found through PYTHONPATH instead
        command = [str(BIN / "hypercorn"), "legacy_app:asymmetric", "--bind"]
        command += [f"127.0.0.1:{port}", "--root-path", ""]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    server = Server([*command, *extra], port, env, tmp)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module", params=["asymmetric-run", "uvicorn"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    running = start(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client


def test_plain_async_get_and_path_parameters(http: httpx.Client) -> None:
    assert http.post("/add", json={"a": 48, "b": 21}).json() == 69
    assert http.post("/another-add", json={"a": 48}).json() == 420
    assert http.get("/sample").json() == "Hello World!"
    assert http.get("/items/42", params={"q": "x"}).json() == {"item_id": 42, "q": "x"}
    assert http.get("/items/nope").status_code == 422


def test_auth(http: httpx.Client) -> None:
    assert http.get("/secret").status_code == 401
    assert http.get("/secret", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert http.get("/secret", headers={"Authorization": f"Bearer {TOKEN}"}).json() == "classified"


def test_request_id_is_echoed_and_logged(http: httpx.Client, server: Server) -> None:
    response = http.get("/sample", headers={"X-Request-ID": "rid-from-client-1"})
    assert response.headers["x-request-id"] == "rid-from-client-1"
    assert len(http.get("/sample").headers["x-request-id"]) == 32


def test_docs_pages_are_served_offline(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    assert {"/add", "/another-add", "/sample", "/items/{item_id}", "/predict"} <= set(
        document["paths"]
    )
    for page in ("/docs", "/redoc"):
        response = http.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        urls = page_urls(response.text)
        assert urls
        for url in urls:
            assert not url.startswith(("http://", "https://", "//")), url
            assert http.get(url if url.startswith("/") else f"/{url}").status_code == 200, url


BAD = [
    (b"", "application/json"),
    (b"null", "application/json"),
    (b"42", "application/json"),
    (b'{"a": 1, "a": 2}', "application/json"),
    (b'{"a": NaN}', "application/json"),
    (b'{"a": 1e400}', "application/json"),
    (b'{"a": ' + b"9" * 5000 + b"}", "application/json"),
    (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    (b'{"a": "\\ud800"}', "application/json"),
    (b'{"a": "\xff"}', "application/json"),
    (b'{"a": ', "application/json"),
    (b'{"a": 1}', "text/plain"),
    (b"x" * (2 * 1024 * 1024), "application/json"),
]


def test_bad_input_matrix_has_no_5xx(http: httpx.Client) -> None:
    statuses = []
    for body, content_type in BAD:
        response = http.post("/another-add", content=body, headers={"content-type": content_type})
        statuses.append(response.status_code)
        assert response.headers["content-type"] == "application/problem+json", body[:20]
        assert "Traceback" not in response.text
    assert all(400 <= s < 500 for s in statuses), statuses
    assert http.get("/another-add").status_code == 405


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(32):  # 2 MiB against a 1 MiB limit, no Content-Length
            yield b" " * 65536

    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        response = client.post(
            "/add", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["type"] == "urn:apicore:problem:body-too-large"


def test_a_slow_sync_function_does_not_block_other_requests(server: Server) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(httpx.get, server.url + "/slow", params={"seconds": 3}, timeout=10)
        time.sleep(0.3)
        fast = httpx.get(server.url + "/sample", timeout=10)
        assert fast.json() == "Hello World!"
        assert not slow.done()  # answered while the slow call still sleeps in its thread
        assert slow.result().json() == "done"


def test_callbacks_are_delivered(http: httpx.Client) -> None:
    with CallbackReceiver() as receiver:
        accepted = http.post(
            "/predict",
            json={"data": [1, 2]},
            headers={"Asymmetric-Callback-URL": receiver.url("/r1")},
        )
        assert accepted.status_code == 202
        custom = http.post(
            "/predict-custom",
            json={"data": [3]},
            headers={"Send-Me-Here": receiver.url("/r2"), "Use-Me": "put", "Put-Me-In-Here": "k"},
        )
        assert custom.status_code == 202
        assert receiver.wait_for(2, timeout=15)
        by_path = {d.url.rsplit("/", 1)[-1]: d for d in receiver.deliveries}
    assert by_path["r1"].method == "POST"
    assert by_path["r1"].json() == {"sum": 3.0}
    assert (by_path["r2"].method, by_path["r2"].json()) == ("PUT", {"k": 3.0})
    job = http.get(accepted.headers["location"]).json()
    assert job["state"] in {"delivered", "succeeded", "done"}, job


def test_overlapping_callbacks_go_to_their_own_callers(http: httpx.Client, server: Server) -> None:
    # the legacy race: two overlapping requests with different headers swapped destinations
    def submit(n: int, receiver: CallbackReceiver) -> int:
        response = httpx.post(
            server.url + "/predict-custom",
            json={"data": [n]},
            headers={"Send-Me-Here": receiver.url(f"/race{n}"), "Put-Me-In-Here": f"key{n}"},
            timeout=10,
        )
        return response.status_code

    with CallbackReceiver() as receiver, concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda n: submit(n, receiver), range(1, 9)))
        assert statuses == [202] * 8
        assert receiver.wait_for(8, timeout=20)
        deliveries = receiver.deliveries
    for delivery in deliveries:
        n = int(delivery.url.rsplit("race", 1)[1])
        assert delivery.json() == {f"key{n}": float(n)}
    assert sorted(int(d.url.rsplit("race", 1)[1]) for d in deliveries) == list(range(1, 9))


def test_bad_callback_headers_are_422(http: httpx.Client) -> None:
    missing = http.post("/predict", json={"data": [1]})
    assert missing.status_code == 422
    loopback_port = http.post(
        "/predict", json={"data": [1]}, headers={"Asymmetric-Callback-URL": "ftp://x/"}
    )
    assert loopback_port.status_code == 422


def test_graceful_shutdown_finishes_in_flight_requests(tmp_path: Path) -> None:
    server = start("asymmetric-run", tmp_path)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(httpx.get, server.url + "/slow", params={"seconds": 1.5}, timeout=10)
            time.sleep(0.5)
            returncode = server.stop()
            response = slow.result()
    finally:
        server.stop()
    assert response.status_code == 200
    assert response.json() == "done"
    assert returncode in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM after shutting down
    assert (tmp_path / "lifespan.log").read_text().split() == ["startup", "shutdown"]
    assert "/slow 200" in (tmp_path / "app.log").read_text()


def test_asymmetric_run_with_many_uvicorn_options(tmp_path: Path) -> None:
    env_file = tmp_path / "server.env"
    env_file.write_text("FROM_ENV_FILE=1\n")
    server = start(
        "asymmetric-run",
        tmp_path,
        "--no-access-log",
        "--no-use-colors",
        "--no-proxy-headers",
        "--no-server-header",
        "--header",
        "X-Served-By:asymmetric",
        "--reload-dir",
        str(tmp_path),
        "--env-file",
        str(env_file),
        "--timeout-keep-alive",
        "3",
        "--limit-concurrency",
        "50",
        "--backlog",
        "64",
        "--lifespan",
        "on",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "5",
        "--root-path",
        "/api",
    )
    try:
        # behind a proxy that strips /api, as --root-path means
        response = httpx.get(server.url + "/sample", timeout=5)
        assert response.json() == "Hello World!"
        assert response.headers["x-served-by"] == "asymmetric"
        assert "server" not in response.headers
    finally:
        assert server.stop() in (0, -signal.SIGTERM)


def test_reload(tmp_path: Path) -> None:
    module = tmp_path / "reloaded_app.py"
    source = (
        "from asymmetric import asymmetric\n\n"
        "@asymmetric.router('/v', methods=['get'])\n"
        "def v() -> int:\n    return {}\n"
    )
    module.write_text(source.format(1))
    port = free_port()
    command = [str(BIN / "asymmetric"), "run", "reloaded_app", "--reload", "--port", str(port)]
    command += ["--reload-dir", str(tmp_path)]
    server = Server(command, port, environment(tmp_path), tmp_path)
    try:
        server.wait_ready("/v")
        assert httpx.get(server.url + "/v").json() == 1
        module.write_text(source.format(2))
        deadline = time.monotonic() + 20
        seen: Any = 1
        while seen != 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                seen = httpx.get(server.url + "/v", timeout=1).json()
            except httpx.TransportError:
                pass
        assert seen == 2, server.log()
    finally:
        server.stop()


@pytest.mark.skipif(shutil.which("hypercorn", path=str(BIN)) is None, reason="hypercorn missing")
def test_hypercorn_serves_the_app_once(tmp_path: Path) -> None:
    server = start("hypercorn", tmp_path)
    try:
        assert httpx.post(server.url + "/add", json={"a": 48, "b": 21}).json() == 69
        assert httpx.get(server.url + "/sample").json() == "Hello World!"
        assert httpx.get(server.url + "/docs").status_code == 200
    finally:
        server.stop()
    assert (tmp_path / "lifespan.log").read_text().split() == ["startup", "shutdown"]
