"""pymacaron-core against Connexion 3 and the bare floors: a POST with a model body.

Run: ``python benchmarks/bench_pymacaron.py [--quick]`` in the bench environment
(``hatch run bench:all pymacaron``).

Every app serves the same Swagger 2.0 petstore ``POST /v2/pets`` with request and response
validation: pymacaron-core (a Flask/WSGI app) and Connexion 3's ``FlaskApp`` (an ASGI app
around Flask). Like for like, both run under the same gunicorn worker class, twice:

- the sync worker (pymacaron-core's recommended server; a new connection per request):
  Connexion through ``a2wsgi.ASGIMiddleware``;
- uvicorn's worker (Connexion's recommended server; keep-alive): pymacaron-core through
  ``a2wsgi.WSGIMiddleware``, the adapter Connexion's ``FlaskApp`` itself puts around Flask.

Each group has its floor: a bare WSGI or ASGI handler doing the same decoding, validation
(fastjsonschema, compiled once) and encoding. The method is ``harness``'s.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import harness as h

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


def pymacaron_starlette() -> Any:
    """pymacaron-core spawned on a Starlette app: native ASGI through apicore-app."""
    from starlette.applications import Starlette

    from pymacaron_core import ApiPool

    app = Starlette()
    api = ApiPool.add("petstore", yaml_str=SPEC)
    api.spawn_api(app, base_path=api.spec.base_path)
    return app


def pymacaron_asgi() -> Any:
    """pymacaron-core behind a2wsgi's WSGIMiddleware, as Connexion's FlaskApp runs Flask."""
    return importlib.import_module("a2wsgi").WSGIMiddleware(pymacaron_app())


def connexion_wsgi() -> Any:
    """Connexion's FlaskApp behind a2wsgi's ASGIMiddleware, for gunicorn's sync worker."""
    return importlib.import_module("a2wsgi").ASGIMiddleware(connexion_app())


# -- the floors: the same decoding, validation and encoding by hand -------------------------
def _validators() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    fastjsonschema = importlib.import_module("fastjsonschema")
    definitions = importlib.import_module("yaml").safe_load(SPEC)["definitions"]
    new_pet = {"definitions": definitions, "$ref": "#/definitions/NewPet"}
    pet = {"definitions": definitions, "$ref": "#/definitions/Pet"}
    return fastjsonschema.compile(new_pet), fastjsonschema.compile(pet)


INVALID = json.dumps({"type": "about:blank", "title": "Bad Request", "status": 400}).encode()


def _create(
    validate_in: Callable[[Any], Any], validate_out: Callable[[Any], Any], body: bytes
) -> tuple[int, bytes]:
    try:
        pet = validate_in(json.loads(body))
    except ValueError:  # json.JSONDecodeError and fastjsonschema.JsonSchemaException
        return 400, INVALID
    out = {**pet, "id": 1}
    validate_out(out)
    return 201, json.dumps(out).encode()


def floor_wsgi() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    validate_in, validate_out = _validators()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        status, out = _create(validate_in, validate_out, environ["wsgi.input"].read(length))
        start_response(
            "201 Created" if status == 201 else "400 Bad Request",
            [("Content-Type", "application/json"), ("Content-Length", str(len(out)))],
        )
        return [out]

    return app


def floor_asgi() -> Callable[..., Awaitable[None]]:
    validate_in, validate_out = _validators()

    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":  # lifespan: not supported, as uvicorn allows
            raise RuntimeError("no lifespan")
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, out = _create(validate_in, validate_out, body)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(out))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": out})

    return app


# -- the measure ------------------------------------------------------------------------------
REQUEST = h.Request("/v2/pets", BODY, status=201)
DISTS = ["pymacaron-core", "apicore-specbind", "connexion", "flask", "a2wsgi", "fastjsonschema"]
DISTS += ["gunicorn", "uvicorn", "uvloop", "httptools"]
UVICORN_WORKER = "uvicorn.workers.UvicornWorker"
GROUPS = {
    "sync": ("gunicorn sync worker (WSGI; a new connection per request)", "sync"),
    "uvicorn": ("gunicorn + uvicorn worker (ASGI; keep-alive)", UVICORN_WORKER),
}
APPS = {
    "sync": [
        ("bare WSGI handler + fastjsonschema (floor)", "floor_wsgi()"),
        ("pymacaron-core", "pymacaron_app()"),
        ("Connexion 3 FlaskApp via a2wsgi.ASGIMiddleware", "connexion_wsgi()"),
    ],
    "uvicorn": [
        ("bare ASGI handler + fastjsonschema (floor)", "floor_asgi()"),
        ("pymacaron-core via a2wsgi.WSGIMiddleware", "pymacaron_asgi()"),
        ("pymacaron-core on Starlette (native ASGI)", "pymacaron_starlette()"),
        ("Connexion 3 FlaskApp", "connexion_app()"),
    ],
}


def main() -> int:
    mode, _ = h.Mode.parse()
    lines = [
        "## pymacaron-core vs Connexion 3: POST with a model body, same server class\n",
        h.preamble(mode, DISTS, "request and response validation on in every app"),
        f"Ratios of throughput (higher is faster); {h.load_text(mode)}. pymacaron-core's "
        "recommended server is the sync worker, Connexion's the uvicorn worker: both groups "
        "are shown.\n",
    ]
    headlines = []
    for key, (title, worker) in GROUPS.items():
        servers = [
            h.Server(name, h.gunicorn(f"bench_pymacaron:{factory}", HERE, worker=worker), REQUEST)
            for name, factory in APPS[key]
        ]
        results = h.run_servers(servers, mode)
        floor, ours, theirs = (name for name, _ in APPS[key] if "Starlette" not in name)
        against = [("÷ floor", floor), ("÷ Connexion", theirs)]
        lines += [f"### {title}\n", h.table(results, unit="req/s", spec=",.0f", against=against)]
        headlines.append(
            h.headline(
                f"pymacaron-core ÷ Connexion 3, {title.split(' (')[0]} (throughput)",
                h.ratio(results[ours], results[theirs]),
                ">= 2x",
            )
        )
    print("\n".join([*lines, *headlines, ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
