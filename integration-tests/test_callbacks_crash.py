"""Durable callbacks under crashes: ``asymmetric run`` SIGKILLed again and again.

Every job answered with 202 must be delivered at least once, signed, and duplicates must
carry the same ``webhook-id``. Submissions use an ``Idempotency-Key`` per job, so a request
whose 202 was lost in a crash is retried without creating a second job.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apicore_callbacks import generate_secret
from apicore_callbacks.testing import CallbackReceiver

APPS = Path(__file__).parent / "apps"
JOBS = int(os.environ.get("APICORE_CRASH_JOBS", "1000"))
KILLS = int(os.environ.get("APICORE_CRASH_KILLS", "20"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``asymmetric run callback_app`` in a subprocess, restartable."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        command = Path(sys.executable).parent / "asymmetric"
        self.process = subprocess.Popen(
            [str(command), "run", "callback_app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=APPS,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited at start-up"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the server did not start within 20 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def secret() -> str:
    return generate_secret()


@pytest.fixture
def receiver(secret: str) -> Iterator[CallbackReceiver]:
    with CallbackReceiver(secrets=[secret]) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, secret: str) -> Iterator[Server]:
    env = {
        **os.environ,
        "APICORE_CALLBACKS_DB": str(tmp_path / "jobs.db"),
        "APICORE_CALLBACKS_SECRET": secret,
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
        "PYTHONPATH": str(APPS),
    }
    running = Server(env, free_port())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def submit(client: httpx.Client, server: Server, n: int, hook: str) -> str:
    """POST one job until a 202 comes back (the server may be down); return its id."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = client.post(
                f"http://127.0.0.1:{server.port}/work",
                json={"n": n},
                headers={"Asymmetric-Callback-URL": hook, "Idempotency-Key": f"job-{n}"},
            )
        except httpx.TransportError:
            if server.process is not None and server.process.poll() is not None:
                server.start()
            time.sleep(0.05)
            continue
        assert response.status_code == 202, response.text
        job_id: str = response.json()["job_id"]
        return job_id
    raise AssertionError(f"job {n} was never accepted")


def test_no_accepted_job_is_lost(server: Server, receiver: CallbackReceiver) -> None:
    rng = random.Random(20261123)
    kill_at = set(rng.sample(range(1, JOBS), KILLS - 3))  # the rest while draining
    accepted: dict[str, int] = {}
    hook = receiver.url("/hook")
    with httpx.Client(timeout=10) as client:
        for n in range(JOBS):
            accepted[submit(client, server, n, hook)] = n
            if n in kill_at:
                server.kill()
                server.start()
        for _ in range(KILLS - len(kill_at)):
            time.sleep(rng.uniform(0.05, 0.3))
            server.kill()
            server.start()
    assert server.kills >= KILLS
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not set(accepted) <= set(receiver.by_id()):
        time.sleep(0.2)
    delivered = receiver.by_id()
    missing = set(accepted) - set(delivered)
    assert not missing, f"{len(missing)} accepted jobs were never delivered"
    assert all(d.verified for d in receiver.deliveries)
    for job_id, n in accepted.items():
        assert delivered[job_id][0].json() == {"n": n, "square": n * n}
    duplicates = len(receiver.deliveries) - len(delivered)
    print(
        f"\n{len(accepted)} jobs, {server.kills} SIGKILLs, "
        f"{len(receiver.deliveries)} deliveries, {duplicates} duplicates "
        f"({duplicates / len(accepted):.2%}), all signatures verified"
    )
