"""pytest configuration for symmetric's own tests: real servers on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

APPS = Path(__file__).parent / "apps"


@dataclass
class Server:
    """A server process started by a test, with its base URL and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def apps_dir() -> Path:
    return APPS


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start `argv` (with `{port}` filled in) in tests/apps; wait until it answers."""
    started: list[Server] = []

    def start(argv: list[str], env: dict[str, str] | None = None) -> Server:
        port = free_port()
        log = tmp_path_factory.mktemp("server") / "server.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SYMMETRIC_")}
        environ.update(env or {})
        environ["PYTHONUNBUFFERED"] = "1"
        with log.open("wb") as stream:
            process = subprocess.Popen(
                [sys.executable, *(a.format(port=port) for a in argv)],
                cwd=APPS,
                env=environ,
                stdout=stream,
                stderr=subprocess.STDOUT,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        started.append(server)
        for _ in range(200):  # at most ~20 s
            if process.poll() is not None:
                raise AssertionError(f"server exited early:\n{server.output()}")
            try:
                requests.get(server.url + "/openapi.json", timeout=5)
                return server
            except requests.RequestException:  # not listening yet, or the worker still boots
                time.sleep(0.1)
        raise AssertionError(f"server did not answer in time:\n{server.output()}")

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
