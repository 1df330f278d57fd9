"""apicore-client's retrying GET against plain httpx with the same pooling and transport.

Run: ``python benchmarks/bench_client.py [--quick]`` in the bench environment
(``hatch run bench:all client``).

Two transports, so the server cannot hide the client:

- a fast local server: the bare ASGI ``floors:ok_asgi`` under uvicorn (httptools + uvloop),
  pinned to one CPU, with this process (both clients) pinned to the other;
- in memory: ``httpx.MockTransport`` answering at once, no sockets: what remains is the
  client alone.

Both clients alternate in rotated rounds (``harness``); medians with the min-max.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

import harness as h
import httpx

from apicore_client import AsyncClient, Client, RetryPolicy, Timeouts

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
TIMEOUTS = Timeouts(connect=5.0, read=10.0, write=10.0, pool=5.0)
OK = b'{"ok":true}'
REQUEST = h.Request("/bench", b"", method="GET", expect=OK)
DISTS = ["apicore-client", "httpx", "httpcore", "uvicorn", "uvloop", "httptools"]
PLAIN, OURS = "plain httpx", "apicore-client"


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=OK, headers={"content-type": "application/json"})


def sync_pair(url: str, transport: httpx.BaseTransport | None) -> dict[str, Callable[[int], None]]:
    timeout = httpx.Timeout(**TIMEOUTS.as_dict())
    plain = httpx.Client(base_url=url, limits=LIMITS, timeout=timeout, transport=transport)
    ours = Client(url, limits=LIMITS, timeouts=TIMEOUTS, retry=RetryPolicy(), transport=transport)

    def run_plain(n: int) -> None:
        for _ in range(n):
            plain.get("/bench").raise_for_status()

    def run_ours(n: int) -> None:
        for _ in range(n):
            ours.get("/bench")

    return {PLAIN: run_plain, OURS: run_ours}


def async_pair(
    url: str, transport: httpx.AsyncBaseTransport | None, loop: asyncio.AbstractEventLoop
) -> dict[str, Callable[[int], None]]:
    timeout = httpx.Timeout(**TIMEOUTS.as_dict())
    plain = httpx.AsyncClient(base_url=url, limits=LIMITS, timeout=timeout, transport=transport)
    ours = AsyncClient(
        url, limits=LIMITS, timeouts=TIMEOUTS, retry=RetryPolicy(), transport=transport
    )

    async def run_plain(n: int) -> None:
        for _ in range(n):
            (await plain.get("/bench")).raise_for_status()

    async def run_ours(n: int) -> None:
        for _ in range(n):
            await ours.get("/bench")

    return {
        PLAIN: lambda n: loop.run_until_complete(run_plain(n)),
        OURS: lambda n: loop.run_until_complete(run_ours(n)),
    }


def measure(pair: dict[str, Callable[[int], None]], n: int, rounds: int) -> dict[str, h.Stats]:
    def one(name: str) -> float:
        started = time.perf_counter()
        pair[name](n)
        return (time.perf_counter() - started) / n * 1e6

    for run in pair.values():
        run(max(n // 5, 20))  # warm-up: pools filled, code paths hot
    return h.rotated_rounds(list(pair), rounds, one)


def main() -> int:
    mode, _ = h.Mode.parse()
    rounds = mode.rounds * (2 if mode.quick else 3)  # short rounds: more of them
    n_server, n_memory = (50, 200) if mode.quick else (1000, 5000)
    server = h.Server("ok", h.uvicorn("floors:ok_asgi", h.HERE), REQUEST)
    rows: list[tuple[str, dict[str, h.Stats]]] = []
    loop = asyncio.new_event_loop()
    try:
        server.start()
        server.wait_ready()
        url = f"http://127.0.0.1:{server.port}"
        with h.Pinned(1):
            memory = httpx.MockTransport(answer)
            rows.append(
                ("sync GET, local uvicorn", measure(sync_pair(url, None), n_server, rounds))
            )
            rows.append(
                ("async GET, local uvicorn", measure(async_pair(url, None, loop), n_server, rounds))
            )
            rows.append(("sync GET, in memory", measure(sync_pair(url, memory), n_memory, rounds)))
            rows.append(
                ("async GET, in memory", measure(async_pair(url, memory, loop), n_memory, rounds))
            )
    finally:
        server.stop()
        loop.close()
    lines = [
        "## apicore-client: retrying GET against plain httpx (same pooling, same transport)\n",
        h.preamble(mode, DISTS, "both clients alternate in each round"),
        f"{rounds} rounds of {n_server} GETs (local server) or {n_memory} (in memory) per "
        "client; µs per request, median (min–max); ratio of time (lower is faster).\n",
        "| transport | plain httpx µs | apicore-client µs | apicore-client ÷ httpx |",
        "|---|---:|---:|---:|",
    ]
    for name, results in rows:
        plain, ours = results[PLAIN], results[OURS]
        lines.append(
            f"| {name} | {plain.text('.1f')} | {ours.text('.1f')} | {h.ratio_text(ours, plain)} |"
        )
    lines.append("")
    for name, results in rows:
        if "in memory" in name:
            lines.append(
                h.headline(
                    f"apicore-client ÷ httpx, {name} (time)",
                    h.ratio(results[OURS], results[PLAIN]),
                    "<= 1.10x",
                )
            )
    print("\n".join([*lines, ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
