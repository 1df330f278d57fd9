"""pymacaron-core vs Connexion 3: a POST with a model body, gunicorn, one worker, loopback.

Both servers serve the same Swagger 2.0 petstore with request and response validation on:
pymacaron-core's Flask app under a sync worker, Connexion 3's FlaskApp (an ASGI app) under
a uvicorn worker. A bounded load generator (threads, ``http.client`` keep-alive, a fixed
number of requests) measures requests per second.

    python benchmarks/bench_pymacaron.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

SPEC = """
swagger: "2.0"
info: {title: Petstore, version: "1.0.0"}
basePath: /v2
consumes: [application/json]
produces: [application/json]
paths:
  /pets:
    post:
      operationId: createPet
      x-bind-server: bench_pymacaron.create_pet
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/NewPet"}}
      responses:
        201: {description: created, schema: {$ref: "#/definitions/Pet"}}
definitions:
  NewPet:
    type: object
    required: [name]
    properties:
      name: {type: string, minLength: 1, maxLength: 50}
      tag: {type: string, maxLength: 20}
      age: {type: integer, minimum: 0, maximum: 100}
      toys:
        type: array
        maxItems: 5
        items: {$ref: "#/definitions/Toy"}
  Pet:
    allOf:
      - $ref: "#/definitions/NewPet"
      - type: object
        required: [id]
        properties:
          id: {type: integer, format: int64}
  Toy:
    type: object
    additionalProperties: false
    required: [label]
    properties:
      label: {type: string, maxLength: 20}
      price: {type: number, minimum: 0, maximum: 1000}
"""

BODY = json.dumps(
    {"name": "Rex", "tag": "dog", "age": 3, "toys": [{"label": "ball", "price": 1.5}]}
).encode()


# -- the two apps (imported by gunicorn from this file) -------------------------------------
def create_pet(pet: Any) -> Any:
    """pymacaron-core handler: the body arrives as a NewPet model."""
    from pymacaron_core import ApiPool

    return ApiPool.petstore.model.Pet(id=1, **pet.to_dict()), 201


def connexion_create_pet(body: dict[str, Any]) -> Any:
    """Connexion handler: the body arrives as a dict."""
    return {**body, "id": 1}, 201


def pymacaron_app(validate_responses: bool = True) -> Any:
    from flask import Flask

    from pymacaron_core import ApiPool

    app = Flask("bench")
    api = ApiPool.add("petstore", yaml_str=SPEC, validate_responses=validate_responses)
    api.spawn_api(app, base_path=api.spec.base_path)
    return app


def raw_flask_app() -> Any:
    """Plain Flask, no validation and no models: the floor of the WSGI stack."""
    import flask

    app = flask.Flask("raw")

    @app.post("/v2/pets")
    def create() -> Any:
        data = json.loads(flask.request.get_data())
        return flask.Response(json.dumps({**data, "id": 1}), 201, mimetype="application/json")

    return app


def connexion_app(validate_responses: bool = True) -> Any:
    # imported by name: connexion is a bench-only dependency, absent from the types env
    connexion = importlib.import_module("connexion")
    resolver = importlib.import_module("connexion.resolver")

    path = Path(tempfile.mkdtemp()) / "petstore.yaml"
    path.write_text(SPEC)
    app = connexion.FlaskApp(__name__, specification_dir=str(path.parent))
    app.add_api(
        path.name,
        resolver=resolver.Resolver(function_resolver=lambda _op_id: connexion_create_pet),
        validate_responses=validate_responses,
    )
    return app


# -- server and load generator ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(target: str, worker: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--worker-class", worker, "--log-level", "warning", "--chdir", str(HERE), target],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{target} exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{target} did not start in 30 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _load(port: int, total: int, threads: int) -> tuple[float, int]:
    """Send ``total`` POSTs over ``threads`` keep-alive connections; return (req/s, errors)."""
    errors = [0] * threads
    per_thread = total // threads
    headers = {"Content-Type": "application/json"}

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(per_thread):
            conn.request("POST", "/v2/pets", body=BODY, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                errors[index] += 1
        conn.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - started
    return per_thread * threads / elapsed, sum(errors)


def _measure_pair(
    targets: list[tuple[str, str]], total: int, threads: int, rounds: int
) -> list[tuple[float, int]]:
    """Start every server, then alternate loads ``rounds`` times; best rate of each.

    The machine is shared: alternating and keeping the best round makes the ratio less
    sensitive to other work running at the same time.
    """
    started = [_start(target, worker) for target, worker in targets]
    try:
        best = [(0.0, 0)] * len(started)
        for _, port in started:
            _load(port, max(total // 10, threads), threads)  # warm-up
        for _ in range(rounds):
            for index, (_, port) in enumerate(started):
                rate, errors = _load(port, total, threads)
                if rate > best[index][0]:
                    best[index] = (rate, errors)
        return best
    finally:
        for proc, _ in started:
            _stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (under 10 s)")
    args = parser.parse_args()
    total, threads, rounds = (300, 4, 1) if args.quick else (1500, 4, 3)
    modes = (True,) if args.quick else (False, True)
    try:
        importlib.import_module("connexion")
    except ImportError:
        have_connexion = False
    else:
        have_connexion = True
    print("## pymacaron-core vs Connexion 3: POST with a model body\n")
    print(
        f"gunicorn, 1 worker each, 127.0.0.1; {total} requests over {threads} client threads "
        f"(http.client, keep-alive where the server allows it), best of {rounds} alternating "
        "rounds after a warm-up. Both validate requests; response validation as in the first "
        "column. pymacaron-core runs under the sync worker (which closes every connection), "
        "Connexion's FlaskApp (ASGI) under uvicorn's worker; plain Flask (no validation, no "
        "models) under the sync worker is the floor of the stack.\n"
    )
    columns = ["responses validated", "pymacaron-core req/s", "Connexion 3 req/s", "ratio"]
    print("| " + " | ".join([*columns, "plain Flask req/s"]) + " |")
    print("|---|---:|---:|---:|---:|")
    for validate in modes:
        flag = "True" if validate else "False"
        targets = [(f"bench_pymacaron:pymacaron_app(validate_responses={flag})", "sync")]
        if not args.quick:
            targets.append(("bench_pymacaron:raw_flask_app()", "sync"))
        if have_connexion:
            targets.append(
                (
                    f"bench_pymacaron:connexion_app(validate_responses={flag})",
                    "uvicorn.workers.UvicornWorker",
                )
            )
        results = _measure_pair(targets, total, threads, rounds)
        ours, our_errors = results[0]
        floor_text = "-" if args.quick else f"{results[1][0]:,.0f}"
        if have_connexion:
            theirs, their_errors = results[-1]
            ratio = f"{ours / theirs:.2f}x" if theirs else "n/a"
            theirs_text = f"{theirs:,.0f}"
        else:
            their_errors, ratio = 0, "n/a"
            theirs_text = "not installed (`pip install 'connexion[flask,uvicorn]'`)"
        bad = our_errors + their_errors
        note = f" ({bad} non-201 answers)" if bad else ""
        print(
            f"| {'yes' if validate else 'no'} | {ours:,.0f} | {theirs_text} | {ratio}{note} "
            f"| {floor_text} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
