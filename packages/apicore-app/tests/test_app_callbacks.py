"""Callback jobs through the Api: cancelling with ``DELETE /jobs/{id}``; the access log."""

import asyncio
import json
import logging
import threading
import time
from pathlib import Path

import pytest

from apicore_app import Api, Headers, Request, WsgiApp
from apicore_app._app import log_safe
from apicore_auth.testing import make_authenticator
from apicore_callbacks import Settings

ALICE, BOB = "alice-token-value-1", "bob-token-value-22"


def request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> Request:
    fields = {"content-type": "application/json"} if body else {}
    return Request(method, path, "", Headers({**fields, **(headers or {})}), body)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_delete_cancels_a_job_for_its_owner_only(tmp_path: Path) -> None:
    settings = Settings.from_env({}, db=tmp_path / "jobs.db")
    api = Api(callback_settings=settings, authenticator=make_authenticator([ALICE, BOB]))

    @api.route("/predict", callback=True, auth=True)
    def predict(x: float) -> float:
        return x

    # the worker is not started: the job stays queued until it is cancelled
    headers = {"Asymmetric-Callback-URL": "https://receiver.example/hook", **bearer(ALICE)}
    accepted = api.handle(request("POST", "/predict", b'{"x": 1}', headers))
    assert accepted.status == 202
    path = accepted.header("location")
    assert path is not None
    for others in ({}, bearer(BOB), bearer("wrong-token-value")):
        answer = api.handle(request("DELETE", path, headers=others))
        assert answer.status == 404  # not the owner: no hint the job exists
    assert api.handle(request("DELETE", "/jobs/job_nope", headers=bearer(ALICE))).status == 404
    cancelled = api.handle(request("DELETE", path, headers=bearer(ALICE)))
    assert cancelled.status == 200
    body = json.loads(cancelled.body)
    assert (body["state"], body["last_error"]) == ("cancelled", "cancelled by its owner")
    again = api.handle(request("DELETE", path, headers=bearer(ALICE)))
    assert again.status == 409
    assert "already ended (cancelled)" in json.loads(again.body)["detail"]
    status = api.handle(request("GET", path, headers=bearer(ALICE)))
    assert json.loads(status.body)["state"] == "cancelled"


def test_delete_elsewhere_is_not_a_job_route(tmp_path: Path) -> None:
    api = Api(callback_settings=Settings.from_env({}, db=tmp_path / "jobs.db"))

    @api.route("/predict", callback=True)
    def predict(x: float) -> float:
        return x

    assert api.handle(request("DELETE", "/openapi.json")).status == 404  # as before
    assert api.handle(request("DELETE", "/jobs/a/b")).status == 404


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("/plain/path", "/plain/path"),
        ("/a\nGET /forged 200", "/a\\nGET /forged 200"),
        ("/a\r\x1b[31m\x00", "/a\\r\\x1b[31m\\x00"),
        ("/a\u2028b\x85", "/a\\u2028b\\x85"),
        ("/back\\slash", "/back\\\\slash"),
        ("/caf\u00e9", "/caf\u00e9"),
    ],
)
def test_log_safe(text: str, logged: str) -> None:
    assert log_safe(text) == logged


def test_access_log_lines_cannot_be_forged(caplog: pytest.LogCaptureFixture) -> None:
    api = Api()

    @api.route("/add")
    def add(a: int) -> int:
        return a

    with caplog.at_level(logging.INFO, logger="apicore.access"):
        api.handle(request("GET", "/x\nGET /admin 200 0.1ms request_id=forged"))
    [record] = [r for r in caplog.records if r.name == "apicore.access"]
    line = record.getMessage()
    assert "\n" not in line
    assert line.startswith("GET /x\\nGET /admin 200 0.1ms request_id=forged 404 ")


@pytest.mark.parametrize(
    ("software", "served"), [("gunicorn/23.0.0", True), ("", False), ("waitress", False)]
)
def test_served_by_a_server_without_start_up_hooks(
    monkeypatch: pytest.MonkeyPatch, software: str, served: bool
) -> None:
    monkeypatch.setenv("SERVER_SOFTWARE", software)
    assert Api.served() is served


def test_one_slow_sync_endpoint_cannot_take_every_thread() -> None:
    release = threading.Event()
    api = Api(threads=4, endpoint_threads=2)

    @api.route("/slow")
    def slow() -> int:
        release.wait(20)
        return 1

    @api.route("/fast")
    def fast() -> int:
        return 2

    async def scenario() -> tuple[int, int]:
        slow_calls = [
            asyncio.ensure_future(api.handle_async(request("POST", "/slow", b"{}")))
            for _ in range(6)
        ]
        await asyncio.sleep(0.2)
        # six slow calls wait, but hold only two of the four threads
        answer = await asyncio.wait_for(api.handle_async(request("POST", "/fast", b"{}")), 10)
        done = sum(call.done() for call in slow_calls)
        release.set()
        await asyncio.gather(*slow_calls)
        return answer.status, done

    try:
        assert asyncio.run(scenario()) == (200, 0)
    finally:
        release.set()
        api.stop()


def test_endpoint_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="endpoint_threads"):
        Api(endpoint_threads=0)


def _callback_api(tmp_path: Path) -> Api:
    """An ``Api`` with one callback route (so it has a dispatcher to start)."""
    api = Api(callback_settings=Settings.from_env({}, db=tmp_path / "jobs.db"))

    @api.route("/job", callback=True)
    def job() -> None:
        return None

    return api


def test_start_waits_for_a_start_in_progress_and_stop_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gunicorn --preload and threaded servers call start from several threads at once: a
    # second start must not return before the worker runs, nor a stop come in between
    api = _callback_api(tmp_path)
    events: list[str] = []
    inside = threading.Event()

    def slow_start(self: object) -> None:
        events.append("starting")
        inside.set()
        time.sleep(0.2)
        events.append("started")

    monkeypatch.setattr(type(api.dispatcher), "start", slow_start)
    monkeypatch.setattr(type(api.dispatcher), "stop", lambda self, t: events.append("stopped"))
    first = threading.Thread(target=api.start)
    first.start()
    assert inside.wait(5)
    assert not api._started  # adapters read the flag unlocked: not set before the worker runs
    api.start()
    events.append("second start returned")
    api.stop()
    first.join(5)
    assert events == ["starting", "started", "second start returned", "stopped"]


def test_a_failed_start_is_not_reported_started_and_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = _callback_api(tmp_path)
    calls: list[int] = []

    def flaky_start(self: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the worker could not start")

    monkeypatch.setattr(type(api.dispatcher), "start", flaky_start)
    monkeypatch.setattr(type(api.dispatcher), "stop", lambda self, t: None)
    app = WsgiApp(api)
    with pytest.raises(RuntimeError):
        app.start()
    assert (app.started, api._started) == (False, False)
    app.start()
    assert (app.started, api._started, len(calls)) == (True, True, 2)
    app.stop()
