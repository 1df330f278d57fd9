"""Slow clients and slow calls do not starve a server (the recommended deployments).

- symmetric served by hypercorn (no proxy): hypercorn reads each whole request before a
  thread runs the WSGI app, so clients that send part of a body and stall hold no thread.
  (gunicorn's sync and gthread workers read the body in the worker thread: behind no
  buffering proxy, a few such clients block every other request.)
- asymmetric under uvicorn: one slow sync endpoint holds at most ``endpoint_threads`` of the
  thread pool, so the other endpoints keep answering.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

APPS = Path(__file__).parent / "apps"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, cwd=APPS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited at start-up"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the server did not start within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(APPS)}


@pytest.fixture
def stalled() -> Iterator[list[socket.socket]]:
    sockets: list[socket.socket] = []
    yield sockets
    for sock in sockets:
        sock.close()


def test_symmetric_under_hypercorn_is_not_starved_by_stalled_bodies(
    env: dict[str, str], stalled: list[socket.socket]
) -> None:
    port = free_port()
    command = [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", "sym_calc:symmetric"]
    process = serve(command, port, env)
    try:
        for _ in range(32):  # more than any thread pool of the server
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(
                b"POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n{"
            )
            stalled.append(sock)
        with httpx.Client(timeout=10) as client:
            for a in range(5):
                response = client.post(f"http://127.0.0.1:{port}/add", json={"a": a, "b": 1})
                assert (response.status_code, response.json()) == (200, a + 1)
    finally:
        stop(process)


def test_a_slow_sync_endpoint_does_not_stall_the_others(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    release = tmp_path / "release"
    command = [str(BIN / "asymmetric"), "run", "slow_app", "--host", "127.0.0.1"]
    process = serve([*command, "--port", str(port)], port, {**env, "SLOW_RELEASE": str(release)})

    async def scenario() -> tuple[int, int]:
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            # 60 slow calls: more than the 40 threads of the pool
            slow = [asyncio.ensure_future(client.post("/slow", json={})) for _ in range(60)]
            await asyncio.sleep(1.0)
            fast = await asyncio.wait_for(client.post("/fast", json={}), 10)
            waiting = sum(not call.done() for call in slow)
            release.touch()
            answers = await asyncio.gather(*slow)
            assert all(a.status_code == 200 for a in answers)
            return fast.status_code, waiting

    try:
        assert asyncio.run(scenario()) == (200, 60)  # answered while every slow call waited
    finally:
        release.touch()
        stop(process)
