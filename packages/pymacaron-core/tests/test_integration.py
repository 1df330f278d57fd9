"""The legacy README's examples over real HTTP against gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pymacaron_core import Pool
from pymacaron_core.swagger import ApiPool
from pymacaron_core.testing import server_call_context

HERE = Path(__file__).resolve().parent
STARTUP_SECONDS = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn, one sync worker, serving every test spec; always terminated."""
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn",
                "--bind", f"127.0.0.1:{port}",
                "--workers", "1",
                "--worker-class", "sync",
                "--graceful-timeout", "2",
                "pymc_testapp.wsgi:app",
            ],
            cwd=HERE,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
            try:
                requests.get(f"{base}/v1/version", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                # not listening yet, or listening while the worker still imports the app
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start in {STARTUP_SECONDS}s:\n{log.read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_login_with_a_model_body(server: str, http: requests.Session) -> None:
    r = http.post(f"{server}/v1/login", json={"email": "a@a.a", "password": "secret"}, timeout=5)
    assert (r.status_code, r.json()) == (200, {"message": "Welcome a@a.a!"})
    r = http.post(f"{server}/v1/login", json={"email": "a@a.a", "password": "no"}, timeout=5)
    assert (r.status_code, r.json()) == (401, {"error": "INVALID_CREDENTIALS"})


def test_bad_input_is_the_spec_declared_error(server: str, http: requests.Session) -> None:
    r = http.post(f"{server}/v1/login", data=b"{not json", timeout=5)
    assert r.status_code == 400
    # login.yaml declares `default: Error` ({error, status}) in application/json
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["status"] == 400
    assert r.json()["error"].startswith("Invalid JSON")


def test_error_callback_formats_handler_and_validation_errors(
    server: str, http: requests.Session
) -> None:
    r = http.get(f"{server}/v1/fail", timeout=5)
    assert (r.status_code, r.json()) == (500, {"error": "the handler failed", "status": 500})
    r = http.get(f"{server}/v1/echo/x/notanumber", timeout=5)
    assert r.status_code == 400
    assert r.json()["status"] == 400


def test_crash_with_default_callback_leaks_nothing(server: str, http: requests.Session) -> None:
    r = http.get(f"{server}/v1/crash", timeout=5)
    assert r.status_code == 500
    assert "hunter2" not in r.text
    assert "Traceback" not in r.text


def test_typed_path_and_query_arguments(server: str, http: requests.Session) -> None:
    r = http.get(f"{server}/v1/echo/abc/7", params={"opt": "3", "flag": "true"}, timeout=5)
    assert r.json() == {"item": "abc", "num": 7, "opt": 3, "flag": True}


def test_html_endpoint(server: str, http: requests.Session) -> None:
    r = http.get(f"{server}/v1/hello", params={"name": "you"}, timeout=5)
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.text == "<h1>hello you</h1>"


def test_x_decorate_server_and_x_persist(server: str, http: requests.Session) -> None:
    r = http.post(f"{server}/v1/user", json={"name": "Grace", "surname": "Hopper"}, timeout=5)
    assert r.status_code == 201
    user_url = f"{server}/v1/user/{r.json()['id']}"
    assert http.get(user_url, timeout=5).status_code == 401
    r = http.get(user_url, headers={"Authorization": "Bearer let-me-in"}, timeout=5)
    assert r.json() == {"id": "grace.hopper", "name": "Grace", "surname": "Hopper"}


def test_call_id_and_path_headers(server: str, http: requests.Session) -> None:
    headers = {"PymCallID": "id-1", "PymCallPath": "front"}
    r = http.get(f"{server}/v1/version", headers=headers, timeout=5)
    assert r.json() == {"version": "1.2.3", "call_id": "id-1", "call_path": "front.public"}
    assert r.headers["PymCallID"] == "id-1"


def test_petstore_and_notes(server: str, http: requests.Session) -> None:
    r = http.post(f"{server}/v2/pets", json={"name": "Rex"}, timeout=5)
    assert r.status_code == 201
    assert http.get(f"{server}/v2/pets/{r.json()['id']}", timeout=5).json()["name"] == "Rex"
    r = http.post(f"{server}/api/notes", json={"title": "hello", "tags": ["a"]}, timeout=5)
    assert r.status_code == 201
    assert (
        http.get(f"{server}/api/notes", params={"tags": "a"}, timeout=5).json()[-1]["title"]
        == "hello"
    )


def test_remote_clients_over_http(server: str, pool: Pool) -> None:
    host, port = server.removeprefix("http://").split(":")
    ApiPool.add("public", yaml_path=HERE / "specs" / "public.yaml", base_url=server)
    # the legacy way: the spec's host and scheme, with host/port overrides
    ApiPool.add("user", yaml_path=HERE / "specs" / "user.yaml", host=host, port=int(port))
    try:
        assert ApiPool.public.client.version().version == "1.2.3"
        with server_call_context("cid-9", "cli"):
            version = ApiPool.public.client.version(max_attempts=2, read_timeout=5)
        assert (version.call_id, version.call_path) == ("cid-9", "cli.public")
        created = ApiPool.user.client.create_user(
            ApiPool.user.model.NameSurname(name="Edsger", surname="Dijkstra")
        )
        assert ApiPool.user.client.get_user(id=created.id, uppercase=True).name == "EDSGER"
    finally:
        ApiPool.public.client.close()
        ApiPool.user.client.close()
