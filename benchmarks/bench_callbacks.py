"""Callback endpoints under load: 202 answers per second, their p99, and delivery drain rate.

``asymmetric run`` (uvicorn, 1 process, SQLite store with synchronous=FULL) serves a callback
endpoint on 127.0.0.1; ``wrk`` (Debian package; a Python asyncio load generator when it is
absent, which is itself the bottleneck) keeps 32 requests in flight for a fixed time; a local
threaded receiver takes the deliveries. Targets (issue 6): >= 500 accepted jobs/s sustained,
deliveries draining at >= 300/s.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h
import httpx

from apicore_callbacks import generate_secret
from apicore_callbacks.testing import CallbackReceiver

APPS = Path(__file__).resolve().parent.parent / "integration-tests" / "apps"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).parent / "asymmetric"
    process = subprocess.Popen(
        [str(command), "run", "callback_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=APPS,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                cpus = h.cpu_pair()
                if cpus:  # the server on one CPU, wrk on the other (harness)
                    h.pin(process.pid, cpus[0])
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not start")


async def load(port: int, hook: str, seconds: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(first: int) -> None:
            n = first
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = await client.post(
                    f"http://127.0.0.1:{port}/work",
                    json={"n": n},
                    headers={"Asymmetric-Callback-URL": hook},
                )
                if response.status_code != 202:
                    raise SystemExit(f"unexpected {response.status_code}: {response.text}")
                latencies.append(time.perf_counter() - started)
                n += concurrency

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Asymmetric-Callback-URL"] = "{hook}"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{{"n": ' .. counter .. '}}')
end
"""


def wrk_load(port: int, hook: str, seconds: float, script: Path) -> tuple[int, float, float, int]:
    """Run wrk; return (requests, p50 ms, p99 ms, non-2xx)."""
    script.write_text(WRK_SCRIPT.format(hook=hook))
    cpus = h.cpu_pair()
    done = subprocess.run(
        [
            *(["taskset", "-c", str(cpus[1])] if cpus and shutil.which("taskset") else []),
            "wrk",
            "-t1",
            "-c32",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/work",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout

    def millis(label: str) -> float:
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        assert found, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return requests, millis("50%"), millis("99%"), int(non2xx.group(1)) if non2xx else 0


def main(argv: list[str]) -> int:
    mode, _ = h.Mode.parse(argv)
    seconds = 5.0 if mode.quick else 30.0
    secret = generate_secret()
    with tempfile.TemporaryDirectory() as tmp, CallbackReceiver(secrets=[secret]) as receiver:
        env = {
            **os.environ,
            "APICORE_CALLBACKS_DB": str(Path(tmp) / "jobs.db"),
            "APICORE_CALLBACKS_SECRET": secret,
            "APICORE_CALLBACKS_ALLOW": "127.0.0.1",
            "PYTHONPATH": str(APPS),
        }
        port = free_port()
        server = start_server(env, port)
        try:
            started = time.perf_counter()
            if shutil.which("wrk"):
                generator = "wrk, 1 thread"
                total, p50, p99, failed = wrk_load(
                    port, receiver.url("/hook"), seconds, Path(tmp) / "load.lua"
                )
                total -= failed
            else:
                generator = "Python asyncio + httpx (install wrk for a faster generator)"
                latencies = asyncio.run(load(port, receiver.url("/hook"), seconds, 32))
                total, failed = len(latencies), 0
                ordered = sorted(latencies)
                p50 = statistics.median(ordered) * 1000
                p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
            submitted = time.perf_counter()
            delivered_during = len(receiver.by_id())
            receiver.wait_for(total, timeout=600)
            drained = time.perf_counter()
        finally:
            server.terminate()
            server.wait(timeout=20)
        delivered = len(receiver.by_id())
    accept_rate = total / (submitted - started)
    drain_rate = (delivered - delivered_during) / max(drained - submitted, 1e-9)
    print("## apicore-callbacks: callback endpoint under load (asymmetric run, SQLite store)\n")
    dists = ["asymmetric", "apicore-callbacks", "uvicorn", "uvloop", "httptools"]
    print(h.preamble(mode, dists, "one run: sustained load, then the delivery drain"))
    print(
        f"{seconds:.0f} s of load, 32 requests in flight ({generator}), 1 uvicorn process, "
        f"127.0.0.1; {failed} non-202 answers.\n"
    )
    print("| measure | value | target | ratio to target |")
    print("|---|---:|---:|---:|")
    print(
        f"| accepted jobs (202) per second | {accept_rate:,.0f} | 500 | {accept_rate / 500:.2f} |"
    )
    print(f"| 202 latency p50 / p99 (ms) | {p50:.1f} / {p99:.1f} | | |")
    drain = f"{drain_rate:,.0f} | 300 | {drain_rate / 300:.2f}"
    print(f"| deliveries per second after the load | {drain} |")
    print(f"| jobs accepted / delivered | {total:,} / {delivered:,} | | |")
    print(f"| delivered while the load ran | {delivered_during:,} | | |")
    # wrk does not count the requests still in flight when it stops: more may be delivered
    return 0 if delivered >= total and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
