"""Scaling out: callback jobs across two asymmetric API processes and two Celery workers.

A real ``redis-server`` (broker and job store), ``asymmetric run`` twice with
``APICORE_CALLBACKS_BROKER`` set, ``asymmetric worker`` twice. One API process is SIGKILLed and
restarted mid-run: every job it accepted is still delivered, and every job can be read from
the other API process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from apicore_callbacks import generate_secret
from apicore_callbacks.testing import CallbackReceiver

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
JOBS = int(os.environ.get("APICORE_SCALEOUT_JOBS", "500"))
BIN = Path(sys.executable).parent


@pytest.fixture
def redis_url(tmp_path: Path, redis_server: str, local: type[Local]) -> Iterator[str]:
    port = local.free_port()
    process = subprocess.Popen(
        [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
        + ["--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local.wait_listening(port, process, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        local.stop(process, timeout=15)


class Cluster:
    """Two API processes and two workers sharing one Redis."""

    def __init__(self, env: dict[str, str], local: type[Local]) -> None:
        self.env = env
        self.local = local
        self.ports = [local.free_port(), local.free_port()]
        self.api: list[subprocess.Popen[bytes] | None] = [None, None]
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_api(self, index: int) -> None:
        process = subprocess.Popen(
            [str(BIN / "asymmetric"), "run", "callback_app", "--host", "127.0.0.1"]
            + ["--port", str(self.ports[index])],
            cwd=APPS,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.api[index] = process
        self.local.wait_listening(self.ports[index], process, what=f"API process {index}")

    def start_worker(self, name: str) -> None:
        self.workers.append(
            subprocess.Popen(
                [str(BIN / "asymmetric"), "worker", "callback_app", "--concurrency=2"]
                + ["--loglevel=WARNING", f"--hostname={name}@%h"],
                cwd=APPS,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def kill_api(self, index: int) -> None:
        process = self.api[index]
        assert process is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in [*self.api, *self.workers]:
            if process is not None:
                self.local.stop(process, timeout=15)


@pytest.fixture
def cluster(
    redis_url: str, tmp_path: Path, local: type[Local]
) -> Iterator[tuple[Cluster, CallbackReceiver]]:
    secret = generate_secret()
    with CallbackReceiver(secrets=[secret]) as receiver:
        env = {
            **os.environ,
            "APICORE_CALLBACKS_BROKER": redis_url,
            "APICORE_CALLBACKS_SECRET": secret,
            "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
            "APICORE_CALLBACKS_DB": str(tmp_path / "unused.db"),
            "PYTHONPATH": str(APPS),
        }
        running = Cluster(env, local)
        try:
            running.start_api(0)
            running.start_api(1)
            running.start_worker("w1")
            running.start_worker("w2")
            yield running, receiver
        finally:
            running.stop()


def submit(client: httpx.Client, cluster: Cluster, index: int, n: int, hook: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = client.post(
                f"http://127.0.0.1:{cluster.ports[index]}/work",
                json={"n": n},
                headers={"Asymmetric-Callback-URL": hook, "Idempotency-Key": f"job-{n}"},
            )
        except httpx.TransportError:
            process = cluster.api[index]
            if process is not None and process.poll() is not None:
                cluster.start_api(index)
            time.sleep(0.05)
            continue
        assert response.status_code == 202, response.text
        job_id: str = response.json()["job_id"]
        return job_id
    raise AssertionError(f"job {n} was never accepted")


def test_jobs_survive_an_api_process_crash(cluster: tuple[Cluster, CallbackReceiver]) -> None:
    running, receiver = cluster
    hook = receiver.url("/hook")
    accepted: dict[str, tuple[int, int]] = {}  # job id -> (n, API process that accepted it)
    with httpx.Client(timeout=10) as client:
        for n in range(JOBS):
            index = n % 2
            accepted[submit(client, running, index, n, hook)] = (n, index)
            if n == JOBS // 2:
                running.kill_api(0)  # mid-run; it is restarted by the next submission to it
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not set(accepted) <= set(receiver.by_id()):
            time.sleep(0.2)
        delivered = receiver.by_id()
        missing = set(accepted) - set(delivered)
        assert not missing, f"{len(missing)} of {len(accepted)} accepted jobs were not delivered"
        assert all(d.verified for d in receiver.deliveries)
        for job_id, (n, _) in accepted.items():
            assert delivered[job_id][0].json() == {"n": n, "square": n * n}
        # every job is visible from the other API process (state lives in Redis)
        for job_id, (_, index) in list(accepted.items())[:: max(1, JOBS // 50)]:
            other = running.ports[1 - index]
            status = client.get(f"http://127.0.0.1:{other}/jobs/{job_id}").json()
            assert status["state"] == "succeeded", status
