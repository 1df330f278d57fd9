"""The one method every benchmark uses: pinned CPUs, warm-up, rotated rounds, medians.

HTTP benchmarks start each server as a subprocess on 127.0.0.1 and, once it answers, pin the
server (every process and thread of it) to one CPU; the load generator runs pinned to the
other CPU: ``wrk -t1`` when installed (Debian package ``wrk``), else a Python keep-alive load
generator in its own pinned process (its ceiling is lower: compare ratios only). Every server
gets a warm-up, then ``rounds`` rounds of ``seconds`` each; the order of the servers is
rotated by one each round, so no server always runs first or last. Figures are medians with
the min-max of the rounds; a ratio is the ratio of the medians, with the range of the
per-round ratios (the two figures of one round were taken within a minute). Never a best-of.

In-process measures (no sockets) run the same way: the process is pinned to the server CPU,
each app gets a warm-up, then rotated rounds of ``n`` requests through its ASGI or WSGI
callable.

Each result section starts with the machine (CPU model, cores), the versions of every peer
and of ours, the date and the mode; ``--quick`` runs fewer and shorter rounds and every
section says so. ``headline()`` records the ratios ``hatch run bench:quick`` prints.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import http.client
import io
import json
import os
import platform
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
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
HEADLINES_ENV = "APICORE_BENCH_HEADLINES"

ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# -- mode and method --------------------------------------------------------------------------
@dataclass(frozen=True)
class Mode:
    """How long to measure: full (the published figures) or quick (a smoke run)."""

    quick: bool
    rounds: int
    seconds: int
    warmup: int

    @classmethod
    def parse(cls, argv: Sequence[str] | None = None) -> tuple[Mode, argparse.Namespace]:
        """The common options (``--quick``, ``--rounds``, ``--seconds``, ``--profile``)."""
        parser = argparse.ArgumentParser()
        parser.add_argument("--quick", action="store_true", help="3 short rounds (smoke run)")
        parser.add_argument("--rounds", type=int, help="rounds per server (full: 5)")
        parser.add_argument("--seconds", type=int, help="seconds per round (full: 5)")
        parser.add_argument("--profile", action="store_true", help="add a cProfile section")
        parser.add_argument("--legacy-python", default=None, help="python of a legacy venv")
        args = parser.parse_args(argv)
        rounds, seconds, warmup = (3, 1, 1) if args.quick else (5, 5, 2)
        mode = cls(args.quick, args.rounds or rounds, args.seconds or seconds, warmup)
        return mode, args

    @property
    def label(self) -> str:
        """Shown in every section: a quick run must never pass for a full one."""
        return "QUICK run (smoke test, not for quoting)" if self.quick else "full run"


# -- machine, versions, date ------------------------------------------------------------------
def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (else the platform's processor string)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.processor() or "unknown CPU"


def versions(dists: Iterable[str]) -> str:
    """``name version`` of each distribution, ``name absent`` when not installed."""
    parts = []
    for name in dists:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return ", ".join(parts)


def preamble(mode: Mode, dists: Iterable[str], method: str, *, served: bool = True) -> str:
    """The lines that open every section: machine, versions, date, method, mode.

    ``served=False`` for in-process measures (no server, no load generator).
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpus = cpu_pair()
    if not cpus:
        pinning = "NOT pinned (fewer than 2 CPUs available)"
    elif served:
        pinning = f"servers pinned to CPU {cpus[0]}, load generator to CPU {cpus[1]}"
    else:
        pinning = f"in one process pinned to CPU {cpus[0]}"
    return (
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; {platform.python_implementation()} {platform.python_version()}\n"
        f"- versions: {versions(dists)}\n"
        f"- date: {stamp}; {mode.label}\n"
        f"- method: {method}; {pinning}\n"
    )


# -- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    """The values of one measure, one per round, in round order."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, spec: str = ",.0f") -> str:
        """``median (min-max)``."""
        low, high = min(self.values), max(self.values)
        return f"{self.median:{spec}} ({low:{spec}}–{high:{spec}})"

    def spread(self) -> float:
        """(max - min) / median."""
        return (max(self.values) - min(self.values)) / self.median


def ratio(a: Stats, b: Stats) -> float:
    """The ratio of the medians."""
    return a.median / b.median


def ratio_text(a: Stats, b: Stats) -> str:
    """``ratio of medians (range of the per-round ratios)``."""
    per_round = [x / y for x, y in zip(a.values, b.values, strict=True)]
    return f"{ratio(a, b):.2f} ({min(per_round):.2f}–{max(per_round):.2f})"


def table(
    results: Mapping[str, Stats],
    *,
    unit: str,
    spec: str,
    against: Sequence[tuple[str, str]],
) -> str:
    """A Markdown table: each row's median (min-max), spread, and ratios to ``against``.

    ``against`` lists (column title, row name) pairs: the floor first, then the peers.
    """
    head = f"| app | {unit}, median (min–max) | spread |"
    rule = "|---|---:|---:|"
    for title, _ in against:
        head += f" {title} |"
        rule += "---:|"
    lines = [head, rule]
    for name, stats in results.items():
        line = f"| {name} | {stats.text(spec)} | {stats.spread():.0%} |"
        for _, other in against:
            line += f" {ratio_text(stats, results[other])} |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def headline(name: str, value: float, target: str) -> str:
    """Record a headline ratio for ``bench:quick`` and return its Markdown line."""
    path = os.environ.get(HEADLINES_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"name": name, "value": value, "target": target}) + "\n")
    return f"- **{name}: {value:.2f}x** (target {target})"


# -- pinning ----------------------------------------------------------------------------------
def cpu_pair() -> tuple[int, int] | None:
    """(server CPU, load CPU), or None when fewer than two CPUs are available."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else None


def _tree(pid: int) -> list[int]:
    """Every thread id of ``pid`` and of its descendants (Linux /proc)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{current}/task")]
        except OSError:
            continue
        for tid in tids:
            found.append(tid)
            try:
                children = Path(f"/proc/{current}/task/{tid}/children").read_text()
            except OSError:
                continue
            pending.extend(int(c) for c in children.split())
    return found


def pin(pid: int, cpu: int) -> None:
    """Pin a process with every thread and descendant to one CPU."""
    for tid in _tree(pid):
        try:
            os.sched_setaffinity(tid, {cpu})
        except OSError:  # a thread that just exited
            pass


# -- servers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    """The one request a benchmark sends, and what a correct answer looks like."""

    path: str
    body: bytes
    status: int = 200
    expect: bytes | None = None
    method: str = "POST"
    content_type: str = "application/json"

    def send(self, port: int, timeout: float = 5.0) -> None:
        """One request on a new connection; raises unless the answer is as expected."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request(
                self.method, self.path, self.body, {"Content-Type": self.content_type}
            )
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != self.status or (
            self.expect is not None and body.strip() != self.expect
        ):
            raise AnswerError(f"answered {response.status} {body[:300]!r}")


class AnswerError(Exception):
    """A server answered, but not what the benchmark expects."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn(
    target: str, app_dir: Path, *, python: str = sys.executable
) -> Callable[[int], list[str]]:
    """The command of uvicorn (httptools + uvloop, 1 worker, no access log) for ``target``."""

    def argv(port: int) -> list[str]:
        return [
            python, "-m", "uvicorn", target, "--port", str(port), "--host", "127.0.0.1",
            "--http", "httptools", "--loop", "uvloop", "--workers", "1", "--no-access-log",
            "--log-level", "warning", "--app-dir", str(app_dir),
        ]  # fmt: skip

    return argv


def gunicorn(
    target: str, app_dir: Path, *, worker: str = "sync", python: str = sys.executable
) -> Callable[[int], list[str]]:
    """The command of gunicorn, 1 worker of class ``worker``, for ``target``."""

    def argv(port: int) -> list[str]:
        return [
            python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--worker-class", worker, "--log-level", "warning", "--chdir", str(app_dir), target,
        ]  # fmt: skip

    return argv


@dataclass
class Server:
    """One server under test: started, probed until it answers correctly, pinned, stopped."""

    name: str
    command: Callable[[int], list[str]]
    request: Request
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = HERE
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    # a file, not a pipe: a server that logs every request would fill a pipe and stall
    log: IO[bytes] | None = None

    def start(self) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.command(self.port),
            cwd=self.cwd,
            env={**os.environ, "PYTHONWARNINGS": "ignore", **self.env},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def stderr(self) -> str:
        """The last lines the server wrote to stderr."""
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read()[-3000:].decode(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for a correct answer, then pin the server (imports ran on every CPU)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SystemExit(f"{self.name} exited with {code}:\n{self.stderr()}")
            try:
                self.request.send(self.port)
                break
            except AnswerError as exc:
                raise SystemExit(f"{self.name} {exc}") from exc
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s") from None
                time.sleep(0.1)
        cpus = cpu_pair()
        if cpus:
            pin(self.process.pid, cpus[0])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.log is not None:
            self.log.close()
            self.log = None


# -- load generators ----------------------------------------------------------------------------
CONNECTIONS = 32


def load_text(mode: Mode) -> str:
    """How each server was loaded, for the sections' text."""
    return (
        f"load by {generator_name()}; per server a {mode.warmup} s warm-up, then "
        f"{mode.rounds} rounds of {mode.seconds} s, the order rotated each round"
    )


def generator_name() -> str:
    if shutil.which("wrk"):
        return f"wrk -t1 -c{CONNECTIONS}"
    return f"a Python load generator ({CONNECTIONS} threads, keep-alive; install wrk)"


def _lua(request: Request) -> str:
    body = request.body.decode().replace("\\", "\\\\").replace("'", "\\'")
    return (
        f'wrk.method = "{request.method}"\n'
        f"wrk.body = '{body}'\n"
        f'wrk.headers["Content-Type"] = "{request.content_type}"\n'
    )


def _on_load_cpu() -> list[str]:
    cpus = cpu_pair()
    return ["taskset", "-c", str(cpus[1])] if cpus and shutil.which("taskset") else []


def load(port: int, request: Request, seconds: int) -> float:
    """Requests per second for ``seconds`` of load; raises on any wrong or failed answer."""
    if shutil.which("wrk"):
        return _load_wrk(port, request, seconds)
    command = [sys.executable, str(Path(__file__)), "--load", str(port), str(seconds)]
    spec = dict(request.__dict__)
    for key in ("body", "expect"):  # bytes, carried as latin-1 text
        spec[key] = None if spec[key] is None else spec[key].decode("latin-1")
    command.append(json.dumps(spec))
    done = subprocess.run(
        _on_load_cpu() + command, capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise SystemExit(f"load generator failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip())


def _load_wrk(port: int, request: Request, seconds: int) -> float:
    script = Path(os.environ.get("TMPDIR", "/tmp")) / f"apicore-bench-{os.getpid()}.lua"
    script.write_text(_lua(request), encoding="utf-8")
    try:
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script)]
        command.append(f"http://127.0.0.1:{port}{request.path}")
        out = subprocess.run(
            _on_load_cpu() + command,
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        script.unlink(missing_ok=True)
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw wrong statuses:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    if errors and any(int(n) for n in errors.groups()):
        # (read errors are counted when a server closes the connection after each
        # response, as gunicorn's sync worker does: those requests were answered)
        raise SystemExit(f"wrk saw socket errors:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    return float(found.group(1))


def _python_load(port: int, seconds: int, request: Request) -> float:
    """The fallback load generator: threads on keep-alive connections (reconnecting)."""
    counts = [0] * CONNECTIONS
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": request.content_type}

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.monotonic() < deadline and not errors:
                connection.request(request.method, request.path, request.body, headers)
                response = connection.getresponse()
                response.read()
                if response.status != request.status:
                    errors.append(f"status {response.status}")
                counts[slot] += 1
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    if errors:
        raise SystemExit(f"load generator saw {errors[:3]}")
    return sum(counts) / (time.monotonic() - started)


def run_servers(servers: Sequence[Server], mode: Mode) -> dict[str, Stats]:
    """Start every server, warm each up, then rotated rounds; req/s per round of each."""
    results: dict[str, list[float]] = {server.name: [] for server in servers}
    try:
        for server in servers:  # started together: their imports overlap
            server.start()
        for server in servers:
            server.wait_ready()
        for server in servers:
            load(server.port, server.request, mode.warmup)
        for round_ in range(mode.rounds):
            shift = round_ % len(servers)
            for server in [*servers[shift:], *servers[:shift]]:
                results[server.name].append(load(server.port, server.request, mode.seconds))
    finally:
        for server in servers:
            server.stop()
    return {name: Stats(tuple(values)) for name, values in results.items()}


# -- in-process ---------------------------------------------------------------------------------
def rotated_rounds(
    names: Sequence[str], rounds: int, one: Callable[[str], float]
) -> dict[str, Stats]:
    """``one(name)`` for every name, ``rounds`` times, the order rotated by one each round."""
    results: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in [*names[shift:], *names[:shift]]:
            results[name].append(one(name))
    return {name: Stats(tuple(values)) for name, values in results.items()}


class Pinned:
    """Pin this process to the server CPU (``which=0``) or the load CPU (1) for a while."""

    def __init__(self, which: int = 0) -> None:
        self.which = which

    def __enter__(self) -> None:
        self.saved = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        cpus = cpu_pair()
        if cpus:
            os.sched_setaffinity(0, {cpus[self.which]})

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            os.sched_setaffinity(0, self.saved)


def asgi_scope(method: str, path: str, body: bytes, content_type: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "state": {},
    }


def asgi_driver(
    request: Request,
) -> Callable[[ASGIApp, int], Coroutine[Any, Any, list[Any]]]:
    """``await drive(app, count)``: ``count`` requests through an ASGI callable, in-process.

    Each is followed by ``asyncio.sleep(0)``, letting the tasks an app spawns run, as a
    server's loop would. Returns the messages the app sent.
    """
    scope = asgi_scope(request.method, request.path, request.body, request.content_type)
    message = {"type": "http.request", "body": request.body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    async def drive(app: ASGIApp, count: int) -> list[Any]:
        sent: list[Any] = []

        async def send(event: Any) -> None:
            sent.append(event)

        for _ in range(count):
            await app(dict(scope), receive, send)
            await asyncio.sleep(0)
        return sent

    return drive


def asgi_in_process(
    apps: Mapping[str, ASGIApp], request: Request, mode: Mode, n: int
) -> dict[str, Stats]:
    """µs per request through each ASGI callable: warm-up, then rotated rounds of ``n``."""
    run = asgi_driver(request)

    async def drive(app: ASGIApp, count: int) -> float:
        started = time.perf_counter()
        sent = await run(app, count)
        elapsed = time.perf_counter() - started
        status = next(e["status"] for e in reversed(sent) if e["type"] == "http.response.start")
        body = sent[-1].get("body", b"")
        if status != request.status or (request.expect is not None and body != request.expect):
            raise SystemExit(f"in-process answer {status} {body[:300]!r}")
        return elapsed / count * 1e6

    async def measure() -> dict[str, Stats]:
        for app in apps.values():
            await drive(app, max(n // 5, 50))
        results: dict[str, list[float]] = {name: [] for name in apps}
        names = list(apps)
        for round_ in range(mode.rounds):
            shift = round_ % len(names)
            for name in [*names[shift:], *names[:shift]]:
                results[name].append(await drive(apps[name], n))
        return {name: Stats(tuple(values)) for name, values in results.items()}

    with Pinned(0):
        return asyncio.run(measure())


def wsgi_environ(request: Request) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": request.path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": request.content_type,
        "CONTENT_LENGTH": str(len(request.body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def wsgi_call(app: WSGIApp, base: Mapping[str, Any], body: bytes) -> tuple[str, bytes]:
    """One request through a WSGI callable, as a server does it: (status, body)."""
    environ = dict(base)
    environ["wsgi.input"] = io.BytesIO(body)
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc: object = None) -> None:
        status.append(line)

    result = app(environ, start_response)
    try:
        out = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], out


def wsgi_in_process(
    apps: Mapping[str, WSGIApp], request: Request, mode: Mode, n: int
) -> dict[str, Stats]:
    """µs per request through each WSGI callable: warm-up, then rotated rounds of ``n``."""
    base = wsgi_environ(request)

    def drive(app: WSGIApp, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            status, body = wsgi_call(app, base, request.body)
        elapsed = time.perf_counter() - started
        if int(status.split()[0]) != request.status or (
            request.expect is not None and body.strip() != request.expect
        ):
            raise SystemExit(f"in-process answer {status} {body[:300]!r}")
        return elapsed / count * 1e6

    with Pinned(0):
        for app in apps.values():
            drive(app, max(n // 5, 50))
        return rotated_rounds(list(apps), mode.rounds, lambda name: drive(apps[name], n))


def profile(run: Callable[[], None], *, limit: int = 25) -> str:
    """A cProfile of ``run``: the top functions by own time, then by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    parts = []
    for key in ("tottime", "cumulative"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(key).print_stats(limit)
        lines = [line for line in stream.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        parts.append(f"By {key}:\n\n```\n" + "\n".join(lines[start:]) + "\n```\n")
    return "\n".join(parts)


if __name__ == "__main__" and sys.argv[1:2] == ["--load"]:
    # the fallback load generator, run pinned in its own process by load()
    _port, _seconds, _spec = int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
    for _key in ("body", "expect"):
        if _spec[_key] is not None:
            _spec[_key] = _spec[_key].encode("latin-1")
    print(_python_load(_port, _seconds, Request(**_spec)))
