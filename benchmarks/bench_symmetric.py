"""symmetric under gunicorn against a raw Flask app (and legacy symmetric 3.4.3, if given).

Run: ``python benchmarks/bench_symmetric.py [--quick] [--legacy-python PATH]``.

Each app runs under gunicorn, 1 sync worker, on 127.0.0.1, and answers ``POST /add`` with
``{"a": 48, "b": 21}``: symmetric validates ``a: int, b: int`` (strict JSON, types, 422s);
the raw Flask app parses the JSON by hand with no validation. A bounded load generator
(threads, ``http.client``, a fixed request count; gunicorn's sync worker closes every
connection, so each request reconnects) measures requests per second; apps alternate in
rounds so drift hits them alike. Targets (issue 4): symmetric >= 0.85x raw Flask and
>= 1.25x legacy symmetric 3.4.3.

Legacy symmetric needs Flask 1.x, so it runs from its own virtualenv:
``python -m venv /tmp/legacy && /tmp/legacy/bin/pip install symmetric==3.4.3
markupsafe==2.0.1 gunicorn`` then ``--legacy-python /tmp/legacy/bin/python`` (or set
``SYMMETRIC_LEGACY_PYTHON``). It logs every request at INFO, as it always did.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

RAW_FLASK = """
import json
from flask import Flask, jsonify, request

app = Flask(__name__)

@app.post("/add")
def add():
    data = json.loads(request.get_data())
    return jsonify(data["a"] + data["b"])
"""

SYMMETRIC = '''
from symmetric import symmetric

@symmetric.router("/add", methods=["post"])
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b
'''

LEGACY = '''
from symmetric import symmetric

@symmetric.router("/add", methods=["post"])
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b
'''

BODY = b'{"a": 48, "b": 21}'
EXPECTED = b"69"


@dataclass
class App:
    name: str
    python: str
    module: str
    target: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    port: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def one_request(port: int) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/add", BODY, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}: {data[:200]!r}")
        return data
    finally:
        conn.close()


def start(app: App, workdir: Path) -> None:
    (workdir / f"{app.module}.py").write_text(
        {"raw": RAW_FLASK, "sym": SYMMETRIC, "legacy": LEGACY}[app.module], encoding="utf-8"
    )
    app.port = free_port()
    argv = [app.python, "-m", "gunicorn", "-w", "1", "-k", "sync"]
    argv += ["-b", f"127.0.0.1:{app.port}", "--log-level", "warning", app.target]
    env = {**os.environ, **app.env}
    app.process = subprocess.Popen(
        argv, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"{app.name} exited with {app.process.returncode}")
        try:
            if one_request(app.port).strip() == EXPECTED:
                return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"{app.name} did not start in 30 s")


def stop(app: App) -> None:
    if app.process is not None:
        app.process.terminate()
        try:
            app.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait(timeout=10)


def load(port: int, requests: int, threads: int) -> float:
    """Send `requests` requests from `threads` threads; return requests per second."""
    per_thread = requests // threads
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(per_thread):
                if one_request(port).strip() != EXPECTED:
                    raise RuntimeError("wrong answer")
        except BaseException as exc:  # reported after the round
            errors.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"load failed: {errors[0]!r}")
    return per_thread * threads / elapsed


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"a": 48, "b": 21}'
wrk.headers["Content-Type"] = "application/json"
"""


def load_wrk(wrk: str, port: int, seconds: float, connections: int, script: Path) -> float:
    """Run wrk for `seconds` (bounded); return requests per second."""
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "-s", str(script)]
    done = subprocess.run(
        [*argv, f"http://127.0.0.1:{port}/add"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    if "Non-2xx" in done.stdout:
        raise RuntimeError(f"wrk saw errors:\n{done.stdout}")
    found = re.search(r"Requests/sec:\s+([0-9.]+)", done.stdout)
    if found is None:
        raise RuntimeError(f"cannot read wrk's output:\n{done.stdout}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--legacy-python", default=os.environ.get("SYMMETRIC_LEGACY_PYTHON"))
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator")
    args = parser.parse_args()
    requests, rounds, threads = (600, 1, 4) if args.quick else (2000, 3, 4)
    seconds = 1 if args.quick else 3
    wrk = None if args.no_wrk else shutil.which("wrk")
    quiet = {"LOG_LEVEL": "WARNING"}
    apps = [
        App("raw Flask (json.loads, no validation)", sys.executable, "raw", "raw:app", quiet),
        App(
            "symmetric 4 (validated), LOG_LEVEL=WARNING",
            sys.executable,
            "sym",
            "sym:symmetric",
            quiet,
        ),
        App(
            "symmetric 4 (validated), access log (INFO)",
            sys.executable,
            "sym",
            "sym:symmetric",
            {"LOG_LEVEL": "INFO", "LOG_FILE": os.devnull},
        ),
    ]
    legacy_note = ""
    if args.legacy_python and Path(args.legacy_python).exists():
        apps.append(
            App(
                "legacy symmetric 3.4.3 (Flask 1.1)",
                args.legacy_python,
                "legacy",
                "legacy:symmetric",
                {"LOG_FILE": os.devnull},
            )
        )
    else:
        legacy_note = (
            "Legacy symmetric 3.4.3 was not measured: pass --legacy-python (see the module "
            "docstring for the one-line virtualenv)."
        )
    results: dict[str, list[float]] = {app.name: [] for app in apps}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            for app in apps:
                start(app, workdir)
                load(app.port, requests // 10, threads)  # warm-up
            script = workdir / "post.lua"
            script.write_text(WRK_SCRIPT, encoding="utf-8")
            for _ in range(rounds):
                for app in apps:
                    if wrk:
                        rate = load_wrk(wrk, app.port, seconds, threads, script)
                    else:
                        rate = load(app.port, requests, threads)
                    results[app.name].append(rate)
        finally:
            for app in apps:
                stop(app)
    medians = {name: statistics.median(values) for name, values in results.items()}
    raw = medians[apps[0].name]
    ours = medians[apps[1].name]
    legacy = medians.get("legacy symmetric 3.4.3 (Flask 1.1)")
    print("## symmetric: POST /add under gunicorn (1 sync worker, 127.0.0.1)\n")
    if wrk:
        how = f"wrk, {threads} connections for {seconds} s per round"
    else:
        how = f"{requests} requests per round from {threads} Python client threads"
    print(
        f"Load: {how} (gunicorn's sync worker closes each connection); median of {rounds} rounds.\n"
    )
    print("| app | req/s | vs raw Flask | vs legacy 3.4.3 |")
    print("|---|---:|---:|---:|")
    for name, value in medians.items():
        vs_legacy = f"{value / legacy:.2f}x" if legacy else "n/a"
        print(f"| {name} | {value:,.0f} | {value / raw:.2f}x | {vs_legacy} |")
    print()
    print(f"Targets: symmetric >= 0.85x raw Flask (now {ours / raw:.2f}x)", end="")
    if legacy:
        print(f"; >= 1.25x legacy symmetric (now {ours / legacy:.2f}x).")
    else:
        print(". " + legacy_note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
