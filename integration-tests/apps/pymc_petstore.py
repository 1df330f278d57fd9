"""pymacaron-core serving ``pymc_petstore.yaml`` on Flask (gunicorn) or Starlette (uvicorn).

``gunicorn 'pymc_petstore:flask_app()'`` and ``uvicorn --factory pymc_petstore:starlette_app``.
Handlers record their keyword arguments in the ``X-Kwargs`` header, so tests see exactly
what reached them. ``get_pet`` is ``async def``: it runs on both servers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask

from pymacaron_core import ApiPool

SPEC = Path(__file__).with_name("pymc_petstore.yaml")
_PET_TYPES = {"id": int, "name": str, "status": str}


def parse_pet_xml(body: bytes) -> Any:
    """The registered ``application/xml`` decoder: ``<Pet><id>1</id>...</Pet>`` as a dict."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ValueError(str(exc)) from None
    pet: dict[str, Any] = {}
    for child in root:
        kind = _PET_TYPES.get(child.tag, str)
        try:
            pet[child.tag] = kind(child.text or "")
        except ValueError:
            pet[child.tag] = child.text  # left to the schema: a 400 naming the field
    return pet


def _pet(**fields: Any) -> Any:
    return ApiPool.petstore.model.Pet(**fields)


def add_pet(pet: Any) -> Any:
    return pet


async def get_pet(petId: int, verbose: bool | None = None) -> Any:
    return _pet(id=petId, name="verbose rex" if verbose else "rex")


def update_pet_with_form(petId: int, **form: Any) -> Any:
    return _pet(id=petId, name=str(form.get("name") or "rex")), 200, {"X-Kwargs": _seen(form)}


def upload_file(petId: int, **form: Any) -> Any:
    size = len(form["file"]) if isinstance(form.get("file"), bytes) else 0
    message = f"pet {petId}: {size} bytes, metadata {form.get('additionalMetadata')!r}"
    reply = {"code": 200, "type": "upload", "message": message}
    return reply, 200, {"X-Kwargs": _seen({"petId": petId, **form})}


def _seen(kwargs: dict[str, Any]) -> str:
    return json.dumps(sorted(kwargs)) + "|" + json.dumps(kwargs.get("petId", None))


def _add() -> None:
    ApiPool.add("petstore", yaml_path=SPEC, decoders={"application/xml": parse_pet_xml})


def flask_app() -> flask.Flask:
    """The Flask app (WSGI)."""
    app = flask.Flask("pymc_petstore")
    _add()
    ApiPool.petstore.spawn_api(app, base_path="/v2")
    return app


def starlette_app() -> Any:
    """The Starlette app (ASGI)."""
    from starlette.applications import Starlette

    app = Starlette()
    _add()
    ApiPool.petstore.spawn_api(app, base_path="/v2")
    return app


# -- running it: the tests' servers ------------------------------------------------------------
_BIN = Path(sys.executable).parent
SERVERS = {
    "flask-gunicorn": lambda port: [
        str(_BIN / "gunicorn"),
        "--workers=1",
        "--threads=4",
        f"--bind=127.0.0.1:{port}",
        "pymc_petstore:flask_app()",
    ],
    "starlette-uvicorn": lambda port: [
        str(_BIN / "uvicorn"),
        "--factory",
        "pymc_petstore:starlette_app",
        "--host=127.0.0.1",
        f"--port={port}",
        "--no-access-log",
    ],
}


@contextlib.contextmanager
def serve(kind: str, tmp: Path) -> Iterator[str]:
    """Run this app under ``kind`` (a key of ``SERVERS``) on 127.0.0.1; yields its base URL.

    Raises:
        RuntimeError: the server exited or did not listen within 20 s (its log attached).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp / "server.log"
    env = {**os.environ, "PYTHONPATH": str(SPEC.parent)}
    with log.open("wb") as out:
        process = subprocess.Popen(SERVERS[kind](port), cwd=tmp, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no server in 20 s:\n{log.read_text()}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
