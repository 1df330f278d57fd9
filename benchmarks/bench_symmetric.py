"""symmetric against the bare WSGI floor and raw Flask: POST /add under gunicorn.

Run: ``python benchmarks/bench_symmetric.py [--quick] [--profile] [--legacy-python PATH]``
in the bench environment (``hatch run bench:all symmetric``).

Workload: ``POST /add`` with ``{"a":48,"b":21}`` answering ``69``; every app does the same
work (decode the JSON, check two ints, encode; 422 otherwise). Over HTTP every app runs
under gunicorn, one sync worker (which closes the connection after each response, so every
request reconnects), pinned to one CPU; the method is ``harness``'s. In-process, the same
apps are driven through their WSGI callables.

The bare WSGI floor (``floors.add_wsgi``) is the limit of any framework doing this work on
this server. Raw Flask does the same checks by hand in a Flask view.

Legacy symmetric 3.4.3 needs Flask 1.x, so it runs from its own virtualenv:
``python -m venv /tmp/legacy && /tmp/legacy/bin/pip install symmetric==3.4.3
markupsafe==2.0.1 gunicorn`` then ``--legacy-python /tmp/legacy/bin/python`` (or set
``SYMMETRIC_LEGACY_PYTHON``). It logs every request at INFO, as it always did.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import harness as h

APPS = {
    "symmetric_app": '''
from symmetric import symmetric


@symmetric.router("/add", methods=["post"])
def add(a: int, b: int = 372) -> int:
    """Add two integers."""
    return a + b
''',
    "flask_raw": """
import json

from flask import Flask, Response, request

app = Flask(__name__)
INVALID = json.dumps({"type": "about:blank", "title": "Unprocessable Content", "status": 422})


@app.post("/add")
def add() -> Response:
    try:
        data = json.loads(request.get_data())
    except ValueError:
        data = None
    if type(data) is dict and not data.keys() - {"a", "b"}:
        a, b = data.get("a"), data.get("b", 372)
        if type(a) is int and type(b) is int:
            return Response(json.dumps(a + b), mimetype="application/json")
    return Response(INVALID, 422, mimetype="application/problem+json")
""",
    "legacy_symmetric_3_4": '''
from symmetric import symmetric


@symmetric.router("/add", methods=["post"])
def add(a: int, b: int = 372) -> int:
    """Add two integers."""
    return a + b
''',
}
LABELS = {
    "floor": "bare WSGI handler (floor)",
    "ours": "symmetric, LOG_LEVEL=WARNING",
    "ours_info": "symmetric, access log at INFO (stderr to a file)",
    "flask": "raw Flask (same checks by hand)",
    "legacy": "legacy symmetric 3.4.3 (Flask 1.1, logs at INFO)",
}
REQUEST = h.Request("/add", b'{"a":48,"b":21}', expect=b"69")
DISTS = ["symmetric", "apicore-app", "apicore-introspect", "flask", "werkzeug", "gunicorn"]
AGAINST = [("÷ floor", LABELS["floor"]), ("÷ raw Flask", LABELS["flask"])]
QUIET = {"LOG_LEVEL": "WARNING"}


def http_section(mode: h.Mode, workdir: Path, legacy_python: str | None) -> list[str]:
    servers = [
        h.Server(LABELS["floor"], h.gunicorn("floors:add_wsgi", h.HERE), REQUEST),
        h.Server(LABELS["ours"], h.gunicorn("symmetric_app:symmetric", workdir), REQUEST, QUIET),
        h.Server(
            LABELS["ours_info"],
            h.gunicorn("symmetric_app:symmetric", workdir),
            REQUEST,
            {"LOG_LEVEL": "INFO", "LOG_FILE": os.devnull},
        ),
        h.Server(LABELS["flask"], h.gunicorn("flask_raw:app", workdir), REQUEST),
    ]
    if legacy_python:
        command = h.gunicorn("legacy_symmetric_3_4:symmetric", workdir, python=legacy_python)
        servers.append(h.Server(LABELS["legacy"], command, REQUEST, {"LOG_FILE": os.devnull}))
    results = h.run_servers(servers, mode)
    ours = results[LABELS["ours"]]
    lines = [
        "### Over HTTP: gunicorn (1 sync worker, a new connection per request), req/s\n",
        f"Ratios of throughput (higher is faster); {h.load_text(mode)}.\n",
        h.table(results, unit="req/s", spec=",.0f", against=AGAINST),
        h.headline(
            "symmetric over HTTP ÷ raw Flask (throughput)",
            h.ratio(ours, results[LABELS["flask"]]),
            ">= 0.85x",
        ),
        "",
    ]
    if not legacy_python:
        lines.append("Legacy symmetric 3.4.3 not measured (pass `--legacy-python`).\n")
    return lines


def load_apps(workdir: Path) -> dict[str, Any]:
    os.environ.update(QUIET)
    sys.path.insert(0, str(workdir))
    import floors

    return {
        LABELS["floor"]: floors.add_wsgi,
        LABELS["ours"]: importlib.import_module("symmetric_app").symmetric,
        LABELS["flask"]: importlib.import_module("flask_raw").app,
    }


def in_process_section(mode: h.Mode, apps: dict[str, Any]) -> list[str]:
    n = 300 if mode.quick else 3000
    results = h.wsgi_in_process(apps, REQUEST, mode, n)
    return [
        "### In-process: each app's WSGI callable (no server, no sockets), µs per request\n",
        f"{n} requests per round; ratios of time (lower is faster).\n",
        h.table(results, unit="µs/request", spec=".1f", against=AGAINST),
        h.headline(
            "symmetric in-process ÷ bare WSGI floor (time)",
            h.ratio(results[LABELS["ours"]], results[LABELS["floor"]]),
            "<= 2.5x",
        ),
        "",
    ]


def profile_section(apps: dict[str, Any], requests: int) -> list[str]:
    app = apps[LABELS["ours"]]
    base = h.wsgi_environ(REQUEST)

    def drive() -> None:
        for _ in range(requests):
            h.wsgi_call(app, base, REQUEST.body)

    return [
        f"### Profile: symmetric, {requests} in-process POST /add (cProfile)\n",
        h.profile(drive),
    ]


def main() -> int:
    mode, args = h.Mode.parse()
    legacy_python = args.legacy_python or os.environ.get("SYMMETRIC_LEGACY_PYTHON")
    with tempfile.TemporaryDirectory(prefix="bench-symmetric-") as tmp:
        workdir = Path(tmp)
        for name, source in APPS.items():
            (workdir / f"{name}.py").write_text(source, encoding="utf-8")
        lines = [
            "## symmetric: POST /add against the bare WSGI floor and raw Flask\n",
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
