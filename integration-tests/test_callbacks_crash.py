"""Durable callbacks under load and crashes: ``asymmetric run`` SIGKILLed during submissions.

Concurrent clients submit jobs as fast as the server takes them, each with its own
``Idempotency-Key``, and retry a submission until a 202 comes back. Meanwhile the server is
SIGKILLed again and again (during submissions and runs) and restarted. Then no request is
sent: the last server process must deliver every job it and its predecessors accepted.

Pass: every 202 is delivered (0 lost), signed, with the right result; duplicates carry the
same ``webhook-id``; every 202 for one key names the same job, and the store holds exactly
one job per key (a retried submission whose 202 was lost created no second job).
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from apicore_callbacks import SQLiteJobStore, generate_secret
from apicore_callbacks.testing import CallbackReceiver

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
UP = float(os.environ.get("APICORE_CRASH_UP", "0.8"))  # mean seconds up between two kills
KILLS = int(os.environ.get("APICORE_CRASH_KILLS", "10"))
CLIENTS = int(os.environ.get("APICORE_CRASH_CLIENTS", "24"))


class Server:
    """``asymmetric run callback_app`` in a subprocess, restartable."""

    def __init__(self, env: dict[str, str], local: type[Local]) -> None:
        self.env = env
        self.local = local
        self.port = local.free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.up_seconds = 0.0
        self._up_since = 0.0

    def start(self) -> None:
        command = Path(sys.executable).parent / "asymmetric"
        self.process = subprocess.Popen(
            [str(command), "run", "callback_app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=APPS,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.local.wait_listening(self.port, self.process, timeout=20)
        self._up_since = time.monotonic()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.up_seconds += time.monotonic() - self._up_since
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None:
            self.local.stop(self.process)


@dataclass
class Load:
    """What the clients saw."""

    answers: dict[int, set[str]] = field(default_factory=dict)  # key -> job ids of its 202s
    requests: int = 0
    retries: int = 0
    ambiguous: int = 0  # failures after the request may have reached the server
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(
    port: int, hook: str, keys: Iterator[int], stop: threading.Event, load: Load
) -> None:
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            n = next(keys)
            give_up = time.monotonic() + 60
            while time.monotonic() < give_up:
                try:
                    response = client.post(
                        f"http://127.0.0.1:{port}/work",
                        json={"n": n},
                        headers={"Asymmetric-Callback-URL": hook, "Idempotency-Key": f"job-{n}"},
                    )
                except httpx.TransportError as exc:
                    with load.lock:
                        load.requests += 1
                        load.retries += 1
                        load.ambiguous += not isinstance(exc, httpx.ConnectError)
                    time.sleep(0.1)  # the server is restarting: leave it the CPU
                    continue
                assert response.status_code == 202, response.text
                with load.lock:
                    load.requests += 1
                    load.answers.setdefault(n, set()).add(response.json()["job_id"])
                break
            else:
                raise AssertionError(f"job {n} was never accepted")


@pytest.fixture
def secret() -> str:
    return generate_secret()


@pytest.fixture
def receiver(secret: str) -> Iterator[CallbackReceiver]:
    with CallbackReceiver(secrets=[secret]) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, secret: str, local: type[Local]) -> Iterator[Server]:
    env = {
        **os.environ,
        "APICORE_CALLBACKS_DB": str(tmp_path / "jobs.db"),
        "APICORE_CALLBACKS_SECRET": secret,
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
        "PYTHONPATH": str(APPS),
    }
    running = Server(env, local)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_no_accepted_job_is_lost_under_load(
    server: Server, receiver: CallbackReceiver, tmp_path: Path
) -> None:
    rng = random.Random(20261203)
    load = Load()
    keys = itertools.count()
    stop = threading.Event()
    started = time.monotonic()
    clients = [
        threading.Thread(
            target=client_loop, args=(server.port, receiver.url("/hook"), keys, stop, load)
        )
        for _ in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    # submissions go on all along; each kill comes after a random time up
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.5, 1.5) * UP)
        server.kill()
        server.start()
    time.sleep(UP)
    stop.set()
    for thread in clients:
        thread.join(90)
    load_seconds = time.monotonic() - started
    up_seconds = server.up_seconds + time.monotonic() - server._up_since
    restarted = server._up_since
    accepted = {min(ids): n for n, ids in load.answers.items()}
    pending = len(set(accepted) - set(receiver.by_id()))
    # no request from here on: the running server must deliver everything
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not set(accepted) <= set(receiver.by_id()):
        time.sleep(0.05)
    recovery = time.monotonic() - restarted
    server.stop()
    assert server.kills == KILLS
    delivered = receiver.by_id()
    missing = set(accepted) - set(delivered)
    assert not missing, f"{len(missing)} of {len(accepted)} accepted jobs were never delivered"
    assert set(delivered) <= set(accepted), "a job nobody was told about was delivered"
    assert all(len(ids) == 1 for ids in load.answers.values()), "a key got two different jobs"
    store = SQLiteJobStore(tmp_path / "jobs.db")
    try:
        stored = store.list_jobs(limit=10 * len(accepted) + 10)
    finally:
        store.close()
    assert len(stored) == len(accepted), "a retried submission created a second job"
    assert all(d.verified for d in receiver.deliveries)
    wrong = [
        (job_id, d.json())
        for job_id, n in accepted.items()
        for d in delivered[job_id]
        if d.json() != {"n": n, "square": n * n}
    ]
    assert not wrong, f"{len(wrong)} deliveries with a wrong body, e.g. {wrong[:3]}"
    duplicates = len(receiver.deliveries) - len(delivered)
    print(
        f"\n{len(accepted)} jobs accepted in {load_seconds:.1f} s by {CLIENTS} clients "
        f"({len(accepted) / load_seconds:.0f} jobs/s overall, "
        f"{len(accepted) / up_seconds:.0f} jobs/s while up), "
        f"{load.requests} requests, {load.retries} client retries "
        f"({load.ambiguous} after the request may have reached the server), "
        f"{server.kills} SIGKILLs, 0 lost, {duplicates} duplicate deliveries "
        f"(same webhook-id); {pending} jobs still to deliver when the clients stopped, "
        f"all delivered {recovery:.1f} s after the last restart"
    )
