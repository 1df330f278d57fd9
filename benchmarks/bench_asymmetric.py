"""Throughput of asymmetric against raw Starlette and FastAPI under the same uvicorn settings.

Run: ``python benchmarks/bench_asymmetric.py [--quick] [--profile]`` in an environment with
asymmetric and the ``bench`` group (``hatch -e bench run python benchmarks/bench_asymmetric.py``).

Workload (issue 5, reference/performance.md): ``POST /add`` with ``{"a":48,"b":21}`` returning
``69``. Every app runs under uvicorn with httptools + uvloop, one worker, on 127.0.0.1, no
access log; the servers are measured one after another in alternating order, in the same
run, with wrk (``-t1 -c32``) when installed, else a Python keep-alive load generator (its own
ceiling is far lower: compare ratios only).

The legacy asymmetric 0.3.0 cannot be installed next to today's Starlette. To measure it in
the same run, give the Python of a separate venv with
``--legacy-python /path/bin/python`` (or ``ASYMMETRIC_LEGACY_PYTHON``)::

    python -m venv /tmp/legacy
    /tmp/legacy/bin/pip install asymmetric==0.3.0 uvloop==0.21.0 httptools

``--profile`` adds an in-process cProfile of asymmetric's request path (ASGI entry ->
apicore-app pipeline) to show where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.client
import io
import os
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

APPS = {
    "asymmetric_async": """
from asymmetric import Asymmetric

app = Asymmetric(log_config=False)


@app.router("/add")
async def add(a: int, b: int = 372) -> int:
    return a + b
""",
    "asymmetric_sync": """
from asymmetric import Asymmetric

app = Asymmetric(log_config=False)


@app.router("/add")
def add(a: int, b: int = 372) -> int:
    return a + b
""",
    "starlette_raw": """
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def add(request: Request) -> JSONResponse:
    data = json.loads(await request.body())
    return JSONResponse(data["a"] + data.get("b", 372))


app = Starlette(routes=[Route("/add", add, methods=["POST"])])
""",
    "fastapi_async": """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Add(BaseModel):
    a: int
    b: int = 372


@app.post("/add")
async def add(body: Add) -> int:
    return body.a + body.b
""",
    "fastapi_sync": """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Add(BaseModel):
    a: int
    b: int = 372


@app.post("/add")
def add(body: Add) -> int:
    return body.a + body.b
""",
}
BODY = b'{"a":48,"b":21}'
LUA = """wrk.method = "POST"
wrk.body = '{"a":48,"b":21}'
wrk.headers["Content-Type"] = "application/json"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int, command: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *command]
    return command


LEGACY = """
from asymmetric import asymmetric as app


@app.router("/add")
async def add(a, b=372):
    return a + b
"""


class Server:
    def __init__(self, name: str, directory: Path, python: str = sys.executable) -> None:
        self.name = name
        self.port = free_port()
        command = [python, "-m", "uvicorn", f"{name}:app", "--port", str(self.port)]
        command += ["--http", "httptools", "--loop", "uvloop", "--workers", "1"]
        command += ["--no-access-log", "--log-level", "warning", "--app-dir", str(directory)]
        # pinned to CPU 0 once started, so the imports of all apps use both CPUs
        self.process = subprocess.Popen(command, cwd=directory)

    def wait_ready(self) -> None:
        name = self.name
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{name} failed to start")
            try:
                status, body = post(self.port)
                if status == 200 and body == b"69":
                    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
                        os.sched_setaffinity(self.process.pid, {0})
                    return
                raise SystemExit(f"{name} answered {status} {body!r}")
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{name} did not start within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def post(port: int) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("POST", "/add", BODY, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load_wrk(port: int, seconds: float, script: Path) -> float:
    command = ["wrk", "-t1", "-c32", f"-d{max(1, round(seconds))}s", "-s", str(script)]
    command.append(f"http://127.0.0.1:{port}/add")
    output = subprocess.run(
        pinned(1, command), capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    return float(match.group(1))


def load_python(port: int, seconds: float, script: Path) -> float:
    del script
    count = [0] * 8
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < deadline:
            connection.request("POST", "/add", BODY, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
                return
            count[slot] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(count))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    if errors:
        raise SystemExit(f"load generator saw statuses {errors[:3]}")
    return sum(count) / (time.monotonic() - started)


SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/add",
    "raw_path": b"/add",
    "root_path": "",
    "query_string": b"",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 50000),
    "headers": [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/json"),
        (b"content-length", b"15"),
    ],
}


def in_process(names: list[str], requests: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` wall µs per request through each app's ASGI interface."""
    sys.path.insert(0, str(WORKDIR))
    import importlib

    apps = {name: importlib.import_module(name).app for name in names}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def drive(app: Any, n: int) -> float:
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        started = time.perf_counter()
        for _ in range(n):
            await app(dict(SCOPE), receive, send)
            await asyncio.sleep(0)
        elapsed = time.perf_counter() - started
        if sent[-1].get("body") != b"69":
            raise SystemExit(f"unexpected answer {sent[-2:]}")
        return elapsed / n * 1e6

    async def measure() -> dict[str, float]:
        best = {name: float("inf") for name in names}
        for app in apps.values():
            await drive(app, 200)  # warm-up
        for round_ in range(repeats):
            for name in names if round_ % 2 == 0 else names[::-1]:
                best[name] = min(best[name], await drive(apps[name], requests))
        return best

    return asyncio.run(measure())


def profile_in_process(requests: int) -> str:
    """cProfile of asymmetric's own request path, driven through its ASGI interface."""
    sys.path.insert(0, str(WORKDIR))
    from asymmetric_async import app  # type: ignore[import-not-found]

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/add",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"15")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: Any) -> None:
        pass

    async def drive(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(scope, receive, send)
        return (time.perf_counter() - started) / n * 1e6

    asyncio.run(drive(1000))  # warm up
    per_request = asyncio.run(drive(requests))
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(drive(requests))
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(14)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    table = "\n".join(lines[-16:])
    return (
        f"In-process (no server, no sockets): {per_request:.1f} µs per request through "
        f"`Asymmetric.__call__`. Top functions by own time:\n\n```\n{table}\n```\n"
    )


WORKDIR = Path(tempfile.mkdtemp(prefix="bench-asymmetric-"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--legacy-python",
        default=os.environ.get("ASYMMETRIC_LEGACY_PYTHON"),
        help="python of a venv with asymmetric==0.3.0, uvloop==0.21.0 and httptools",
    )
    args = parser.parse_args()
    rounds, seconds = (1, 1) if args.quick else (3, 2)
    rounds = args.rounds or rounds
    for name, source in APPS.items():
        (WORKDIR / f"{name}.py").write_text(source)
    (WORKDIR / "legacy_asymmetric_0_3.py").write_text(LEGACY)
    script = WORKDIR / "post.lua"
    script.write_text(LUA)
    load = load_wrk if shutil.which("wrk") else load_python
    generator = "wrk -t1 -c32" if load is load_wrk else "Python threads, 8 keep-alive connections"
    servers: list[Server] = []
    results: dict[str, list[float]] = {name: [] for name in APPS}
    try:
        for name in APPS:
            servers.append(Server(name, WORKDIR))
        if args.legacy_python:
            servers.append(Server("legacy_asymmetric_0_3", WORKDIR, args.legacy_python))
            results["legacy_asymmetric_0_3"] = []
        for server in servers:  # started together, so their imports overlap
            server.wait_ready()
        if not args.quick:
            for server in servers:
                load(server.port, 1, script)  # warm-up
        for round_ in range(rounds):
            order = servers if round_ % 2 == 0 else servers[::-1]
            for server in order:
                results[server.name].append(load(server.port, seconds, script))
    finally:
        for server in servers:
            server.stop()
    median = {name: statistics.median(values) for name, values in results.items()}
    raw = median["starlette_raw"]
    print("## asymmetric: POST /add throughput under uvicorn (httptools + uvloop, 1 worker)\n")
    print(
        f"{rounds} round(s) of {seconds} s per app, alternating order, load by {generator}; "
        "median req/s. Targets (issue 5): async >= 0.85x raw Starlette, >= 1.6x FastAPI "
        "async and above legacy asymmetric 0.3.0 (no validation; measured only with "
        "--legacy-python); sync >= 1.3x FastAPI sync.\n"
    )
    print("| app | req/s | ÷ raw Starlette | ÷ FastAPI async | ÷ FastAPI sync |")
    print("|---|---:|---:|---:|---:|")
    for name, value in median.items():
        print(
            f"| {name} | {value:,.0f} | {value / raw:.2f} | "
            f"{value / median['fastapi_async']:.2f} | {value / median['fastapi_sync']:.2f} |"
        )
    print()
    names = list(APPS)
    micro = in_process(names, 500 if args.quick else 3000, 3 if args.quick else 5)
    print(
        "In-process, the same apps through their ASGI interface (no server, no sockets; "
        "best of several runs, robust to a busy machine): µs per request and ratios of "
        "throughput (1/µs).\n"
    )
    print("| app | µs/request | ÷ raw Starlette | ÷ FastAPI async | ÷ FastAPI sync |")
    print("|---|---:|---:|---:|---:|")
    for name, value in micro.items():
        print(
            f"| {name} | {value:.1f} | {micro['starlette_raw'] / value:.2f} | "
            f"{micro['fastapi_async'] / value:.2f} | {micro['fastapi_sync'] / value:.2f} |"
        )
    print()
    if args.profile:
        print(profile_in_process(2000 if args.quick else 20000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
