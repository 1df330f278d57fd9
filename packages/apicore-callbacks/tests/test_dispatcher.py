from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from apicore_callbacks import (
    CallbackConfig,
    CallbackRequest,
    DestinationPolicy,
    Dispatcher,
    IdempotencyKeyReusedError,
    Job,
    JobState,
    RetryPolicy,
    Settings,
    SQLiteJobStore,
    generate_secret,
    verify,
)
from apicore_callbacks.testing import CallbackReceiver, CallbackSink, Delivery, FakeClock

SECRET = generate_secret()
URL = "https://receiver.example/hook"


def make(
    tmp_path: Path,
    responder: Any = None,
    runner: Callable[[Job], Any] | None = None,
    **options: Any,
) -> tuple[Dispatcher, CallbackSink, FakeClock]:
    clock = FakeClock()
    sink = CallbackSink(secrets=[SECRET], responder=responder, clock=clock)
    settings = Settings(db=tmp_path / "jobs.db", secrets=(SECRET,), **options)
    dispatcher = Dispatcher(
        SQLiteJobStore(settings.db),
        settings=settings,
        runners={"add": runner or (lambda job: job.arguments["a"] + job.arguments["b"])},
        transport=sink.transport,
        resolver=sink.resolver,
        clock=clock,
    )
    return dispatcher, sink, clock


def submit(dispatcher: Dispatcher, url: str = URL, **kw: Any) -> Job:
    return dispatcher.submit(
        "add",
        {"a": 1, "b": 2},
        CallbackRequest(url, **kw),
        request_id="req-7",
        traceparent="00-abc-def-01",
    ).job


def state(dispatcher: Dispatcher, job: Job) -> JobState:
    fresh = dispatcher.store.get(job.id)
    assert fresh is not None
    return fresh.state


def test_success_is_delivered_signed_with_propagated_ids(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path)
    job = submit(dispatcher, key="sum", method="PUT")
    dispatcher.drain()
    [delivery] = sink.deliveries
    assert delivery.method == "PUT"
    assert delivery.url == URL
    assert delivery.json() == {"sum": 3}
    assert delivery.verified
    assert delivery.webhook_id == job.id
    assert delivery.headers["x-request-id"] == "req-7"
    assert delivery.headers["traceparent"] == "00-abc-def-01"
    assert delivery.headers["content-type"] == "application/json"
    assert state(dispatcher, job) is JobState.SUCCEEDED
    status = dispatcher.status(job.id)
    assert status is not None
    assert status["result"] == {"sum": 3}
    assert [a["stage"] for a in status["attempts"]] == ["run", "deliver"]


def test_function_failure_delivers_a_problem_without_exception_text(tmp_path: Path) -> None:
    def boom(job: Job) -> None:
        raise RuntimeError("secret-internal-detail")

    dispatcher, sink, _ = make(tmp_path, runner=boom)
    job = submit(dispatcher)
    dispatcher.drain()
    [delivery] = sink.deliveries
    assert delivery.headers["content-type"] == "application/problem+json"
    assert delivery.json()["type"] == "urn:apicore:problem:callback-function-failed"
    assert "secret-internal-detail" not in delivery.body.decode()
    assert "req-7" in delivery.json()["detail"]
    assert state(dispatcher, job) is JobState.FAILED


def test_failure_kept_when_error_delivery_is_off(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path, runner=lambda job: 1 / 0, deliver_errors=False)
    job = submit(dispatcher)
    dispatcher.drain()
    assert sink.deliveries == []
    assert state(dispatcher, job) is JobState.FAILED


def test_async_runner_and_non_json_result(tmp_path: Path) -> None:
    async def runner(job: Job) -> object:
        await asyncio.sleep(0)
        return {"set": {1}} if job.arguments["a"] == 0 else [job.arguments["a"]]

    dispatcher, sink, _ = make(tmp_path, runner=runner)
    ok = dispatcher.submit("add", {"a": 5}, CallbackRequest(URL)).job
    bad = dispatcher.submit("add", {"a": 0}, CallbackRequest(URL)).job
    dispatcher.drain()
    bodies = {d.webhook_id: d.json() for d in sink.deliveries}
    assert bodies[ok.id] == [5]
    assert bodies[bad.id]["status"] == 500
    assert state(dispatcher, bad) is JobState.FAILED


@pytest.mark.parametrize("failures", range(1, 10))
def test_receiver_recovers_after_k_failures(tmp_path: Path, failures: int) -> None:
    dispatcher, sink, clock = make(tmp_path, responder=[500] * failures)
    start = clock()
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    times = [d.received_at - start for d in sink.deliveries]
    assert len(times) == failures + 1
    schedule = RetryPolicy().schedule
    for n in range(1, len(times)):
        gap = times[n] - times[n - 1]
        assert schedule[n - 1] * 0.9 <= gap <= schedule[n - 1] * 1.1
    assert {d.webhook_id for d in sink.deliveries} == {job.id}
    assert all(d.verified for d in sink.deliveries)
    assert state(dispatcher, job) is JobState.SUCCEEDED


def test_always_failing_goes_dead_then_requeue_delivers(tmp_path: Path) -> None:
    answers = {"status": 500}
    dispatcher, sink, _ = make(tmp_path, responder=lambda d: answers["status"])
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    assert len(sink.deliveries) == 10
    assert state(dispatcher, job) is JobState.DEAD
    answers["status"] = 200
    dispatcher.requeue(job.id)
    dispatcher.drain(advance=True)
    assert len(sink.deliveries) == 11
    assert state(dispatcher, job) is JobState.SUCCEEDED
    status = dispatcher.status(job.id)
    assert status is not None
    assert status["delivery_attempts"] == 1


@pytest.mark.parametrize(
    ("status", "attempts", "final"),
    [
        (301, 3, JobState.DEAD),
        (302, 3, JobState.DEAD),
        (410, 1, JobState.DEAD),
        (404, 3, JobState.DEAD),
        (201, 1, JobState.SUCCEEDED),
        (204, 1, JobState.SUCCEEDED),
    ],
)
def test_status_semantics(tmp_path: Path, status: int, attempts: int, final: JobState) -> None:
    dispatcher, sink, _ = make(
        tmp_path,
        responder=lambda d: (status, {"location": "http://127.0.0.1/admin"}),
        retry=RetryPolicy(schedule=(1.0, 1.0)),
    )
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    assert len(sink.deliveries) == attempts
    assert all(d.url == URL for d in sink.deliveries)  # the redirect is never followed
    assert state(dispatcher, job) is final


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(("retry_after", "gap"), [("120", 120.0), ("3600", 600.0), ("1", 5.0)])
def test_retry_after_is_honoured_up_to_the_cap(
    tmp_path: Path, status: int, retry_after: str, gap: float
) -> None:
    def responder(delivery: Delivery) -> tuple[int, dict[str, str]]:
        first = len(sink.deliveries) == 1
        return (status, {"retry-after": retry_after}) if first else (200, {})

    dispatcher, sink, _ = make(
        tmp_path,
        responder=responder,
        retry=RetryPolicy(schedule=(5.0, 5.0), jitter=0.0, retry_after_cap=600.0),
    )
    submit(dispatcher)
    dispatcher.drain(advance=True)
    times = [d.received_at for d in sink.deliveries]
    assert len(times) == 2
    assert times[1] - times[0] == pytest.approx(gap)


def test_attempt_timeout_is_retried(tmp_path: Path) -> None:
    calls: list[int] = []

    def responder(delivery: Delivery) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow receiver")
        return 200

    dispatcher, sink, _ = make(tmp_path, responder=responder)
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    assert len(calls) == 2
    attempts = dispatcher.store.attempts(job.id)
    assert attempts[1].error is not None
    assert attempts[1].error.startswith("timeout")
    assert state(dispatcher, job) is JobState.SUCCEEDED


def test_blocked_destination_is_dead_not_retried(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path)
    dispatcher._resolver = lambda host, port: ["127.0.0.1"]
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    assert sink.deliveries == []
    final = dispatcher.store.get(job.id)
    assert final is not None
    assert final.state is JobState.DEAD
    assert final.last_error is not None
    assert "blocked destination" in final.last_error


def test_legacy_race_each_request_gets_its_own_result(tmp_path: Path) -> None:
    async def slow(job: Job) -> int:
        await asyncio.sleep(0.01 * job.arguments["n"])
        return int(job.arguments["n"])

    dispatcher, sink, _ = make(tmp_path, runner=slow)
    config = CallbackConfig()
    policy = DestinationPolicy()
    jobs = {}
    for n, (path, key) in enumerate([("/race1", "key1"), ("/race2", "key2")], start=1):
        headers = {
            "asymmetric-callback-url": f"https://receiver.example{path}",
            "Asymmetric-Custom-Callback-Key": key,
        }
        cb = config.parse(headers, policy=policy)
        jobs[dispatcher.submit("add", {"n": 3 - n}, cb).job.id] = (path, key, 3 - n)
    dispatcher.drain()
    assert len(sink.deliveries) == 2
    for delivery in sink.deliveries:
        path, key, n = jobs[delivery.webhook_id]
        assert delivery.url.endswith(path)
        assert delivery.json() == {key: n}


def test_idempotent_submission_returns_the_same_job(tmp_path: Path) -> None:
    dispatcher, _, _ = make(tmp_path)
    cb = CallbackRequest(URL)
    first = dispatcher.submit("add", {"a": 1, "b": 2}, cb, idempotency_key="k")
    second = dispatcher.submit("add", {"a": 1, "b": 2}, cb, idempotency_key="k")
    assert (first.created, second.created) == (True, False)
    assert second.job.id == first.job.id
    assert second.acceptance.body == first.acceptance.body
    with pytest.raises(IdempotencyKeyReusedError) as info:
        dispatcher.submit("add", {"a": 9, "b": 2}, cb, idempotency_key="k")
    assert info.value.problem()["status"] == 422


def test_acceptance_document(tmp_path: Path) -> None:
    dispatcher, _, _ = make(tmp_path, jobs_prefix="/api/jobs/")
    sub = dispatcher.submit("add", {"a": 1, "b": 2}, CallbackRequest(URL))
    assert sub.acceptance.status == 202
    assert sub.acceptance.headers == {"Location": f"/api/jobs/{sub.job.id}", "Retry-After": "1"}
    assert sub.acceptance.body == {
        "job_id": sub.job.id,
        "state": "queued",
        "status_url": f"/api/jobs/{sub.job.id}",
    }


def test_status_enforces_owner(tmp_path: Path) -> None:
    dispatcher, _, _ = make(tmp_path)
    job = dispatcher.submit("add", {"a": 1, "b": 2}, CallbackRequest(URL), owner="tok:ab12").job
    assert dispatcher.status(job.id) is None
    assert dispatcher.status(job.id, owner="tok:other") is None
    assert dispatcher.status(job.id, owner="tok:ab12") is not None
    assert dispatcher.status("job_missing") is None


def test_interrupted_too_often_fails(tmp_path: Path) -> None:
    dispatcher, sink, clock = make(tmp_path, max_runs=1, lease=5.0)
    job = submit(dispatcher)
    dispatcher.store.claim("dead-worker", now=clock(), lease=5.0)  # crashed mid-run
    clock.advance(6.0)
    dispatcher.drain()
    final = dispatcher.store.get(job.id)
    assert final is not None
    assert final.state is JobState.FAILED
    assert final.last_error is not None
    assert "interrupted" in final.last_error
    assert sink.deliveries[0].json()["status"] == 500


def test_background_worker_delivers_to_a_real_receiver(tmp_path: Path) -> None:
    with CallbackReceiver(secrets=[SECRET]) as receiver:
        settings = Settings.from_env(
            {},
            db=tmp_path / "jobs.db",
            secrets=SECRET,
            allow="127.0.0.1/32",
            poll_interval=0.05,
        )
        dispatcher = Dispatcher(settings=settings, runners={"add": lambda job: "ok"})
        with dispatcher:
            jobs = [
                dispatcher.submit("add", {}, CallbackRequest(receiver.url(f"/r{i}"))).job
                for i in range(5)
            ]
            assert receiver.wait_for(5, timeout=10)
        assert {d.webhook_id for d in receiver.deliveries} == {j.id for j in jobs}
        assert all(d.verified for d in receiver.deliveries)
        for d in receiver.deliveries:
            assert verify(d.body, d.headers, SECRET) == "ok"


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from apicore_callbacks import Dispatcher, Settings
    db, secret, marks = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    def runner(job):
        (marks / f"{job.id}.{job.run_count}").touch()
        if job.arguments.get("slow") and job.run_count == 1:
            time.sleep(60)  # killed here
        return {"n": job.arguments["n"]}

    settings = Settings.from_env({}, db=db, secrets=secret, allow="127.0.0.1/32",
                                 lease=1.0, poll_interval=0.05)
    d = Dispatcher(settings=settings, runners={"work": runner})
    d.start()
    print("ready", flush=True)
    time.sleep(30)
    """
)


def test_worker_killed_mid_job_reruns_and_delivers(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    marks = tmp_path / "marks"
    marks.mkdir()
    with CallbackReceiver(secrets=[SECRET]) as receiver:
        store = SQLiteJobStore(db)
        spec_jobs = []
        for n in range(6):
            job, _ = store.submit(
                __import__("apicore_callbacks").JobSpec(
                    endpoint="work",
                    arguments={"n": n, "slow": n == 0},
                    callback=CallbackRequest(receiver.url(f"/j{n}")),
                ),
                now=time.time(),
            )
            spec_jobs.append(job)
        slow = spec_jobs[0]

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-c", WORKER, str(db), SECRET, str(marks)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        worker = start()
        deadline = time.monotonic() + 20
        while not (marks / f"{slow.id}.1").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (marks / f"{slow.id}.1").exists()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        worker = start()
        try:
            assert receiver.wait_for(6, timeout=20)
            # the delivery is recorded after the receiver answers: wait for that commit
            # before killing the worker again (bounded)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                states = {store.get(j.id).state for j in spec_jobs}  # type: ignore[union-attr]
                if states == {JobState.SUCCEEDED}:
                    break
                time.sleep(0.02)
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        delivered = receiver.by_id()
        assert set(delivered) == {j.id for j in spec_jobs}
        assert all(d.verified for d in receiver.deliveries)
        assert delivered[slow.id][0].json() == {"n": 0}
        rerun = store.get(slow.id)
        store.close()
        assert rerun is not None
        assert rerun.run_count == 2
        assert rerun.state is JobState.SUCCEEDED
