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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
BIN = Path(sys.executable).parent


def serve(
    local: type[Local], command: list[str], port: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, cwd=APPS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        local.wait_listening(port, process)
    except AssertionError:
        local.stop(process)
        raise
    return process


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
    env: dict[str, str], stalled: list[socket.socket], local: type[Local]
) -> None:
    port = local.free_port()
    command = [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", "sym_calc:symmetric"]
    process = serve(local, command, port, env)
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
        local.stop(process)


def test_a_slow_sync_endpoint_does_not_stall_the_others(
    env: dict[str, str], tmp_path: Path, local: type[Local]
) -> None:
    port = local.free_port()
    release = tmp_path / "release"
    command = [str(BIN / "asymmetric"), "run", "slow_app", "--host", "127.0.0.1"]
    process = serve(
        local, [*command, "--port", str(port)], port, {**env, "SLOW_RELEASE": str(release)}
    )

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
        local.stop(process)
