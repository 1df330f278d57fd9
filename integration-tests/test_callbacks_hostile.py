"""Hostile requests against a real ``asymmetric run`` server (uvicorn): no poison jobs.

- a non-ASCII ``traceparent`` (sent as latin-1 bytes) is accepted and dropped, and the job
  is delivered, instead of failing at every delivery attempt forever;
- callback URLs the delivery's HTTP client cannot send are a 422 at acceptance;
- a job is cancelled with ``DELETE /jobs/{id}`` and never delivered;
- a ``%0a`` in a path cannot forge an access-log line.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from apicore_callbacks.testing import CallbackReceiver

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, local: type[Local]) -> Iterator[tuple[str, Path]]:
    port = local.free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "APICORE_CALLBACKS_DB": str(tmp_path / "jobs.db"),
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
        "PYTHONPATH": str(APPS),
        "LOG_LEVEL": "INFO",
    }
    command = [str(Path(sys.executable).parent / "asymmetric"), "run", "callback_app"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        local.wait_listening(port, process, log=log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        local.stop(process, timeout=15)


def test_a_non_ascii_traceparent_is_dropped_and_the_job_delivered(
    server: tuple[str, Path], receiver: CallbackReceiver
) -> None:
    base, _ = server
    headers = [
        (b"Asymmetric-Callback-URL", receiver.url("/hook").encode()),
        (b"traceparent", b"00-\xe9\xe9-x"),
        (b"X-Request-ID", b"ok-id-1"),
    ]
    response = httpx.post(f"{base}/work", json={"n": 3}, headers=headers, timeout=10)
    assert response.status_code == 202, response.text
    assert receiver.wait_for(1, timeout=20)
    [delivery] = receiver.deliveries
    assert delivery.json() == {"n": 3, "square": 9}
    assert "traceparent" not in delivery.headers
    assert delivery.headers["x-request-id"] == "ok-id-1"
    status = httpx.get(f"{base}/jobs/{response.json()['job_id']}", timeout=10).json()
    assert (status["state"], status["delivery_attempts"]) == ("succeeded", 1)


@pytest.mark.parametrize(
    "url", [b"http://[v1.x]/hook", b"http://\xb9\xb2\xb3.example/hook", b"http://\xe9x.e:99999/"]
)
def test_callback_urls_the_client_cannot_send_are_422(server: tuple[str, Path], url: bytes) -> None:
    base, _ = server
    headers = [(b"Asymmetric-Callback-URL", url)]
    response = httpx.post(f"{base}/work", json={"n": 1}, headers=headers, timeout=10)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_delete_cancels_a_job_before_it_is_delivered(server: tuple[str, Path]) -> None:
    base, _ = server
    # a receiver that refuses connections: the job waits for its 5 s retry
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    response = httpx.post(
        f"{base}/work", json={"n": 2}, headers={"Asymmetric-Callback-URL": url}, timeout=10
    )
    assert response.status_code == 202
    location = base + response.headers["location"]
    deadline = time.monotonic() + 20
    while httpx.get(location, timeout=10).json()["delivery_attempts"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancelled = httpx.delete(location, timeout=10)
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert httpx.delete(location, timeout=10).status_code == 409
    assert httpx.get(location, timeout=10).json()["next_attempt_at"] is None


def test_a_line_break_in_a_path_cannot_forge_an_access_log_line(
    server: tuple[str, Path],
) -> None:
    base, log = server
    forged = "GET /admin 200 0.1ms request_id=forged"
    response = httpx.get(f"{base}/x%0a{forged.replace(' ', '%20')}", timeout=10)
    assert response.status_code == 404
    deadline = time.monotonic() + 10
    while "apicore.access: GET /x" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.05)
    lines = log.read_text(errors="replace").splitlines()
    assert not any(line.startswith(forged) for line in lines)
    assert any(f"apicore.access: GET /x\\n{forged} 404" in line for line in lines)
