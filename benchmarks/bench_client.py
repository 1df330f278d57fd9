"""Overhead of apicore-client's retrying GET over plain httpx with the same pooling.

Run: ``python benchmarks/bench_client.py [--quick]``. A keep-alive HTTP/1.1 server runs in a
subprocess on 127.0.0.1; both clients share its connection-pool settings and alternate in
rounds so drift affects them equally. Target (issue 9): ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import httpx

from apicore_client import AsyncClient, Client, RetryPolicy, Timeouts

SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"ok": true}'

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one write per response, no 40 ms delayed-ACK stalls
    wbufsize = -1

    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
TIMEOUTS = Timeouts(connect=5.0, read=10.0, write=10.0, pool=5.0)


def _per_request(block: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    block()
    return (time.perf_counter() - start) / n


def bench_sync(url: str, rounds: int, n: int) -> tuple[float, float]:
    plain = httpx.Client(base_url=url, limits=LIMITS, timeout=httpx.Timeout(**TIMEOUTS.as_dict()))
    ours = Client(url, limits=LIMITS, timeouts=TIMEOUTS, retry=RetryPolicy())

    def run_plain() -> None:
        for _ in range(n):
            plain.get("/bench").raise_for_status()

    def run_ours() -> None:
        for _ in range(n):
            ours.get("/bench")

    run_plain()  # warm up both pools
    run_ours()
    a, b = [], []
    for _ in range(rounds):
        a.append(_per_request(run_plain, n))
        b.append(_per_request(run_ours, n))
    plain.close()
    ours.close()
    return statistics.median(a), statistics.median(b)


async def _timed(block: Callable[[], Awaitable[None]], n: int) -> float:
    start = time.perf_counter()
    await block()
    return (time.perf_counter() - start) / n


async def bench_async(url: str, rounds: int, n: int) -> tuple[float, float]:
    plain = httpx.AsyncClient(
        base_url=url, limits=LIMITS, timeout=httpx.Timeout(**TIMEOUTS.as_dict())
    )
    ours = AsyncClient(url, limits=LIMITS, timeouts=TIMEOUTS, retry=RetryPolicy())

    async def run_plain() -> None:
        for _ in range(n):
            (await plain.get("/bench")).raise_for_status()

    async def run_ours() -> None:
        for _ in range(n):
            await ours.get("/bench")

    await run_plain()
    await run_ours()
    a, b = [], []
    for _ in range(rounds):
        a.append(await _timed(run_plain, n))
        b.append(await _timed(run_ours, n))
    await plain.aclose()
    await ours.aclose()
    return statistics.median(a), statistics.median(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (< 10 s)")
    args = parser.parse_args()
    rounds, n = (5, 200) if args.quick else (15, 500)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        rows = [
            ("sync GET", *bench_sync(url, rounds, n)),
            ("async GET", *asyncio.run(bench_async(url, rounds, n))),
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("## apicore-client: retrying GET vs plain httpx (same pooling, local server)\n")
    print(f"{rounds} alternating rounds of {n} keep-alive GETs each; medians per request.\n")
    print("| client | plain httpx (µs/req) | apicore-client (µs/req) | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, plain, ours in rows:
        ratio = ours / plain
        verdict = "ok" if ratio <= 1.15 else "OVER"
        print(
            f"| {name} | {plain * 1e6:.1f} | {ours * 1e6:.1f} | {ratio:.3f} | <= 1.15 {verdict} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
