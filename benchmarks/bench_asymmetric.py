"""asymmetric against the bare ASGI floor, raw Starlette and FastAPI: POST /add.

Run: ``python benchmarks/bench_asymmetric.py [--quick] [--profile] [--legacy-python PATH]``
in the bench environment (``hatch run bench:all asymmetric``).

Workload: ``POST /add`` with ``{"a":48,"b":21}`` answering ``69``; every app does the same
work (decode the JSON, check two ints, encode; 422 otherwise). Over HTTP every app runs
under the same server: uvicorn with httptools + uvloop, one worker, no access log, pinned to
one CPU; the method is ``harness``'s (warm-up, rotated rounds, medians). In-process, the
same apps are driven through their ASGI callables (no server, no sockets).

The bare ASGI floor (``floors.add_asgi``) is the limit of any framework doing this work on
this server. Raw Starlette does the same checks by hand in a Starlette route.

Legacy asymmetric 0.3.0 cannot be installed next to today's Starlette; to add it, give the
Python of a separate venv with ``--legacy-python`` (or ``ASYMMETRIC_LEGACY_PYTHON``)::

    python -m venv /tmp/legacy
    /tmp/legacy/bin/pip install asymmetric==0.3.0 uvloop==0.21.0 httptools

``--profile`` adds a cProfile of asymmetric's in-process request path.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import harness as h

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

INVALID = {"type": "about:blank", "title": "Unprocessable Content", "status": 422}


async def add(request: Request) -> JSONResponse:
    try:
        data = json.loads(await request.body())
    except ValueError:
        data = None
    if type(data) is dict and not data.keys() - {"a", "b"}:
        a, b = data.get("a"), data.get("b", 372)
        if type(a) is int and type(b) is int:
            return JSONResponse(a + b)
    return JSONResponse(INVALID, 422, media_type="application/problem+json")


app = Starlette(routes=[Route("/add", add, methods=["POST"])])
""",
    "fastapi_async": """
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class Add(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    a: int
    b: int = 372


@app.post("/add")
async def add(body: Add) -> int:
    return body.a + body.b
""",
    "fastapi_sync": """
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class Add(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    a: int
    b: int = 372


@app.post("/add")
def add(body: Add) -> int:
    return body.a + body.b
""",
}
LEGACY = """
from asymmetric import asymmetric as app


@app.router("/add")
async def add(a, b=372):
    return a + b
"""
LABELS = {
    "floor": "bare ASGI handler (floor)",
    "asymmetric_async": "asymmetric, `async def`",
    "asymmetric_sync": "asymmetric, `def`",
    "starlette_raw": "raw Starlette (same checks by hand)",
    "fastapi_async": "FastAPI, pydantic model, `async def`",
    "fastapi_sync": "FastAPI, pydantic model, `def` (threadpool)",
    "legacy": "legacy asymmetric 0.3.0 (no validation)",
}
REQUEST = h.Request("/add", b'{"a":48,"b":21}', expect=b"69")
DISTS = ["asymmetric", "apicore-app", "apicore-introspect", "starlette", "fastapi", "pydantic"]
DISTS += ["uvicorn", "uvloop", "httptools"]
AGAINST = [
    ("÷ floor", LABELS["floor"]),
    ("÷ raw Starlette", LABELS["starlette_raw"]),
    ("÷ FastAPI async", LABELS["fastapi_async"]),
]


def write_apps(workdir: Path) -> None:
    for name, source in APPS.items():
        (workdir / f"{name}.py").write_text(source, encoding="utf-8")
    (workdir / "legacy_asymmetric_0_3.py").write_text(LEGACY, encoding="utf-8")


def http_section(mode: h.Mode, workdir: Path, legacy_python: str | None) -> list[str]:
    servers = [h.Server(LABELS["floor"], h.uvicorn("floors:add_asgi", h.HERE), REQUEST)]
    for name in APPS:
        servers.append(h.Server(LABELS[name], h.uvicorn(f"{name}:app", workdir), REQUEST))
    if legacy_python:
        command = h.uvicorn("legacy_asymmetric_0_3:app", workdir, python=legacy_python)
        servers.append(h.Server(LABELS["legacy"], command, REQUEST))
    results = h.run_servers(servers, mode)
    ours = results[LABELS["asymmetric_async"]]
    lines = [
        "### Over HTTP: uvicorn (httptools + uvloop, 1 worker), requests per second\n",
        f"Ratios of throughput (higher is faster); {h.load_text(mode)}.\n",
        h.table(results, unit="req/s", spec=",.0f", against=AGAINST),
        h.headline(
            "asymmetric over HTTP ÷ FastAPI async (throughput)",
            h.ratio(ours, results[LABELS["fastapi_async"]]),
            ">= 1.8x",
        ),
        h.headline(
            "asymmetric over HTTP ÷ bare ASGI floor (throughput)",
            h.ratio(ours, results[LABELS["floor"]]),
            "as close to 1 as possible",
        ),
        "",
    ]
    if not legacy_python:
        lines.append("Legacy asymmetric 0.3.0 not measured (pass `--legacy-python`).\n")
    return lines


def load_apps(workdir: Path) -> dict[str, Any]:
    sys.path.insert(0, str(workdir))
    import floors

    apps: dict[str, Any] = {LABELS["floor"]: floors.add_asgi}
    for name in APPS:
        apps[LABELS[name]] = importlib.import_module(name).app
    return apps


def in_process_section(mode: h.Mode, apps: dict[str, Any]) -> list[str]:
    n = 300 if mode.quick else 3000
    results = h.asgi_in_process(apps, REQUEST, mode, n)
    ours = results[LABELS["asymmetric_async"]]
    return [
        "### In-process: each app's ASGI callable (no server, no sockets), µs per request\n",
        f"{n} requests per round; ratios of time (lower is faster).\n",
        h.table(results, unit="µs/request", spec=".1f", against=AGAINST),
        h.headline(
            "asymmetric in-process ÷ bare ASGI floor (time)",
            h.ratio(ours, results[LABELS["floor"]]),
            "<= 1.6x",
        ),
        h.headline(
            "asymmetric in-process ÷ raw Starlette (time)",
            h.ratio(ours, results[LABELS["starlette_raw"]]),
            "<= 1.0x",
        ),
        "",
    ]


def profile_section(apps: dict[str, Any], requests: int) -> list[str]:
    app = apps[LABELS["asymmetric_async"]]
    drive = h.asgi_driver(REQUEST)

    def run() -> None:
        asyncio.run(drive(app, requests))

    return [
        f"### Profile: asymmetric `async def`, {requests} in-process POST /add (cProfile)\n",
        h.profile(run),
    ]


def main() -> int:
    mode, args = h.Mode.parse()
    legacy_python = args.legacy_python or os.environ.get("ASYMMETRIC_LEGACY_PYTHON")
    workdir = Path(tempfile.mkdtemp(prefix="bench-asymmetric-"))
    write_apps(workdir)
    lines = [
        "## asymmetric: POST /add against the bare ASGI floor, raw Starlette and FastAPI\n",
        h.preamble(mode, DISTS, "every app does the same decoding, validation and encoding"),
    ]
    lines += http_section(mode, workdir, legacy_python)
    apps = load_apps(workdir)
    lines += in_process_section(mode, apps)
    if args.profile:
        lines += profile_section(apps, 2000 if mode.quick else 20000)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
