"""pytest configuration for apicore-callbacks's own tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apicore_callbacks import CallbackRequest, Job, JobState
from apicore_callbacks.stores import JobSpec

_HERE = Path(__file__).parent


def require_system(program: str, *, install: str) -> str:
    """Return a system program's path; skip with an install hint, or fail in CI, when absent.

    ``.ci/run`` sets ``APICORE_REQUIRE_SYSTEM=1``: there a missing component is a failure.
    """
    path = shutil.which(program)
    if path is not None:
        return path
    message = f"{program} is not installed; install it with: {install}"
    if os.environ.get("APICORE_REQUIRE_SYSTEM") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(
    directory: Path, *, appendonly: bool = False, port: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``redis-server`` on a free 127.0.0.1 port; wait (bounded) until it answers.

    With ``appendonly`` every write is fsynced to the AOF in ``directory`` before Redis
    answers (``appendfsync always``), so a restart on the same directory has it back.
    """
    program = require_system("redis-server", install="apt-get install -y redis-server")
    port = port if port is not None else _free_port()
    args = [program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    args += ["--save", "", "--appendonly", "yes" if appendonly else "no"]
    if appendonly:
        args += ["--appendfsync", "always"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not _ping(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait(5)
            pytest.fail(f"redis-server did not start on port {port}")
        time.sleep(0.02)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a process, killing it if it does not exit within 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private ``redis-server`` (no persistence) for the whole session: ``redis://...``."""
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)


RedisFactory = Callable[..., tuple[subprocess.Popen[bytes], int]]


@pytest.fixture
def redis_factory(tmp_path: Path) -> Iterator[RedisFactory]:
    """Start extra ``redis-server`` processes (``appendonly=``, ``port=``); stopped at the end."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*, appendonly: bool = False, port: int | None = None) -> tuple[Any, int]:
        proc, actual = start_redis(tmp_path, appendonly=appendonly, port=port)
        procs.append(proc)
        return proc, actual

    yield start
    for proc in procs:
        stop(proc)


@pytest.fixture
def spec() -> Callable[..., JobSpec]:
    """Build job specs: ``spec(endpoint="add", key=None, owner=None, **arguments)``."""

    def build(
        endpoint: str = "add", key: str | None = None, owner: str | None = None, **arguments: object
    ) -> JobSpec:
        return JobSpec(
            endpoint=endpoint,
            arguments=arguments or {"a": 1},
            callback=CallbackRequest("https://receiver.example/hook", "PUT", "result"),
            idempotency_key=key,
            owner=owner,
            request_id="req-1",
            traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        )

    return build


@pytest.fixture
def job() -> Job:
    """A job delivering its result (its second delivery attempt comes next)."""
    return Job(
        id="job_1",
        endpoint="add",
        arguments={},
        callback=CallbackRequest("https://receiver.example/hook"),
        state=JobState.DELIVERING,
        created_at=0.0,
        updated_at=0.0,
        run_at=0.0,
        payload=b"1",
        outcome="result",
        delivery_count=1,
        run_count=1,
        fence=7,
    )
