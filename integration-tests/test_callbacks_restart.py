"""Pending callback jobs resume when a server restarts, without waiting for a request.

symmetric under gunicorn (with and without ``--preload``) and ``symmetric run`` are killed
with SIGKILL while their jobs run (each holding a 60 s lease), restarted, and sent no
request: every accepted job must still be delivered, well before the leases run out,
because the restarted process sees that the lease holder is dead.
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

from apicore_callbacks.testing import CallbackReceiver

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
BIN = Path(sys.executable).parent
JOBS = 12


COMMANDS = {
    "gunicorn": lambda port: [
        str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "2",
        "sym_callback_app:symmetric",
    ],
    "gunicorn --preload": lambda port: [
        str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "2", "--preload",
        "sym_callback_app:symmetric",
    ],
    "symmetric run": lambda port: [
        str(BIN / "symmetric"), "run", "sym_callback_app", "--host", "127.0.0.1",
        "--port", str(port),
    ],
}  # fmt: skip


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as running:
        yield running


@pytest.mark.parametrize("server", list(COMMANDS))
def test_a_restarted_server_resumes_jobs_without_a_request(
    server: str, tmp_path: Path, receiver: CallbackReceiver, local: type[Local]
) -> None:
    env = {
        **os.environ,
        "APICORE_CALLBACKS_DB": str(tmp_path / "jobs.db"),
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
        "PYTHONPATH": str(APPS),
    }
    port = local.free_port()

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            COMMANDS[server](port),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # SIGKILL the whole group: master and workers
        )
        local.wait_listening(port, process)
        return process

    def kill(process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    process = start()
    try:
        accepted = []
        with httpx.Client(timeout=10) as client:
            for n in range(JOBS):
                response = client.post(
                    f"http://127.0.0.1:{port}/work",
                    json={"n": n},
                    headers={"Asymmetric-Callback-URL": receiver.url(f"/r{n}")},
                )
                assert response.status_code == 202, response.text
                accepted.append(response.json()["job_id"])
        time.sleep(0.3)  # the jobs are now running (each takes 1 s), leased for 60 s
        kill(process)
        delivered_before = set(receiver.by_id())
        assert len(delivered_before) < JOBS
        killed_at = time.monotonic()
        process = start()
        # no request is sent to the restarted server
        assert receiver.wait_for(JOBS, timeout=20), (
            f"{JOBS - len(receiver.by_id())} jobs not delivered 20 s after the restart"
        )
        recovery = time.monotonic() - killed_at
    finally:
        if process.poll() is None:
            kill(process)
    assert set(receiver.by_id()) == set(accepted)
    for job_id, deliveries in receiver.by_id().items():
        n = accepted.index(job_id)
        assert deliveries[0].json() == {"n": n, "square": n * n}
    print(f"\n{server}: {JOBS} jobs delivered {recovery:.1f} s after SIGKILL and restart")
