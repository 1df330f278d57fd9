"""The function's side of HTTP over real servers: uvicorn (asymmetric), gunicorn (symmetric).

Errors raised with ``HTTPError`` or the framework's own exception, ``Response`` with a
status and headers, a CSV, a streamed 50 MB download, header and cookie parameters, a 5 MB
upload with a form field, and malformed multipart bodies.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
BIN = Path(sys.executable).parent
PROBLEM = "application/problem+json"

SERVERS = {
    "asymmetric-uvicorn": lambda port: [
        str(BIN / "uvicorn"),
        "http_asym:asymmetric",
        "--host=127.0.0.1",
        f"--port={port}",
        "--no-access-log",
    ],
    "symmetric-gunicorn": lambda port: [
        str(BIN / "gunicorn"),
        "--workers=1",
        "--threads=4",
        f"--bind=127.0.0.1:{port}",
        "http_sym:symmetric",
    ],
}


class Server:
    def __init__(self, kind: str, tmp: Path, local: type[Local]) -> None:
        self.local = local
        self.port = local.free_port()
        self.log = tmp / f"{kind}.log"
        env = {**os.environ, "PYTHONPATH": str(APPS), "TMPDIR": str(tmp)}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                SERVERS[kind](self.port), cwd=tmp, env=env, stdout=log, stderr=log
            )
        try:
            local.wait_listening(self.port, self.process, what=kind, timeout=20, log=self.log)
        except AssertionError:
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The server process and its children (gunicorn's worker)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return pids

    def peak_rss_kb(self) -> int:
        """The largest peak resident memory (VmHWM) among the server's processes."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
        return max(peaks)

    def stop(self) -> None:
        self.local.stop(self.process, timeout=15)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, local: type[Local]
) -> Iterator[Server]:
    running = Server(request.param, tmp_path_factory.mktemp(request.param), local)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("prefix", ["/items", "/legacy-items"])
def test_not_found_is_a_problem(client: httpx.Client, prefix: str) -> None:
    """``HTTPError(404)`` and the framework's own 404 (Starlette, flask.abort) alike."""
    response = client.get(f"{prefix}/99")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["detail"]) == (404, "No item 99")
    assert response.headers["x-request-id"]
    assert client.get(f"{prefix}/1").json() == {"id": 1, "name": "hammer"}


def test_http_error_headers_are_sent(client: httpx.Client) -> None:
    assert client.get("/items/7").headers["x-item"] == "7"


def test_created_with_location(client: httpx.Client) -> None:
    response = client.post("/items", json={"name": "drill"})
    assert response.status_code == 201
    assert response.headers["location"] == "/items/3"
    assert response.json() == {"id": 3, "name": "drill"}


def test_csv_download(client: httpx.Client) -> None:
    response = client.get("/report.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text == "id,name\n1,hammer\n2,saw\n"


def test_native_response_passes_through(client: httpx.Client) -> None:
    response = client.get("/native")
    assert (response.status_code, response.text) == (202, "native")


def test_streamed_download_keeps_memory_flat(server: Server, client: httpx.Client) -> None:
    size = 50 * 1024 * 1024
    client.get("/download", params={"size": 1024}).raise_for_status()  # warm up
    before = server.peak_rss_kb()
    received = 0
    with client.stream("GET", "/download", params={"size": size}) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        for chunk in response.iter_bytes():
            received += len(chunk)
    assert received == size
    grown_mb = (server.peak_rss_kb() - before) / 1024
    assert grown_mb < 20, f"the server's peak memory grew by {grown_mb:.0f} MB"


def test_header_and_cookie_parameters(client: httpx.Client) -> None:
    response = client.get(
        "/whoami",
        params={"verbose": "true"},
        headers={
            "X-Tenant": "acme",
            "X-Count": "3",
            "X-Request-ID": "rid-1",
            "Cookie": "session=s3",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "tenant": "acme",
        "session": "s3",
        "count": 3,
        "verbose": True,
        "method": "GET",
        "path": "/whoami",
        "request_id": "rid-1",
        "client": "127.0.0.1",
    }


@pytest.mark.parametrize(
    ("headers", "cookies", "loc", "error"),
    [
        ({}, {"session": "s"}, ["header", "X-Tenant"], "missing"),
        ({"X-Tenant": "a"}, {}, ["cookie", "session"], "missing"),
        (
            {"X-Tenant": "a", "X-Count": "many"},
            {"session": "s"},
            ["header", "X-Count"],
            "int_parsing",
        ),
        (
            {"X-Tenant": "a", "X-Count": "0"},
            {"session": "s"},
            ["header", "X-Count"],
            "greater_than_equal",
        ),
    ],
)
def test_invalid_header_and_cookie_parameters(
    client: httpx.Client,
    headers: dict[str, str],
    cookies: dict[str, str],
    loc: list[str],
    error: str,
) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    response = client.get("/whoami", headers={**headers, **({"Cookie": cookie} if cookie else {})})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [(e["loc"], e["type"]) for e in response.json()["errors"]] == [(loc, error)]


def test_upload_of_5_mb_with_a_form_field(client: httpx.Client) -> None:
    data = os.urandom(5 * 1024 * 1024)
    response = client.post(
        "/upload",
        files={"file": ("data.bin", data, "application/octet-stream")},
        data={"note": "five megabytes"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "name": "data.bin",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "note": "five megabytes",
    }


def test_upload_over_the_file_limit_is_413(client: httpx.Client) -> None:
    data = b"\0" * (8 * 1024 * 1024 + 1)
    response = client.post("/upload", files={"file": ("big.bin", data)}, data={"note": "x"})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_uploads_leave_no_open_temporary_files(server: Server, client: httpx.Client) -> None:
    data = os.urandom(3 * 1024 * 1024)  # above the 1 MiB spool threshold: on disk
    for _ in range(3):
        response = client.post("/upload", files={"file": ("f", data)}, data={"note": "n"})
        assert response.status_code == 200
    for pid in server.worker_pids():
        fds = Path(f"/proc/{pid}/fd")
        open_temp = [
            target
            for fd in fds.iterdir()
            if (target := os.readlink(fd)).startswith(str(server.log.parent))
            and not target.endswith(".log")
            and "/wgunicorn-" not in target  # gunicorn's own worker heartbeat file
        ]
        assert open_temp == []


MALFORMED = [
    (
        "multipart/form-data",
        b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--x--\r\n',
    ),
    (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi',
    ),
    ("multipart/form-data; boundary=x", b"--x\r\nno headers at all\r\n--x--\r\n"),
    ("multipart/form-data; boundary=x", b"nothing like a multipart body"),
    (
        "multipart/form-data; boundary=x",
        b"--x\r\nContent-Disposition: attachment\r\n\r\nhi\r\n--x--\r\n",
    ),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
def test_malformed_multipart_is_400(client: httpx.Client, content_type: str, body: bytes) -> None:
    response = client.post("/upload", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


def test_form_to_json_endpoint_is_415(client: httpx.Client) -> None:
    response = client.post("/items", data={"name": "x"})
    assert response.status_code == 415


def test_json_without_content_type_is_415(client: httpx.Client) -> None:
    response = client.post("/items", content=b'{"name": "x"}')
    assert response.status_code == 415
