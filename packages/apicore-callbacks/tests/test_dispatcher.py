from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from apicore_callbacks import (
    CallbackConfig,
    CallbackRequest,
    DeliveryRetryPolicy,
    DestinationPolicy,
    Dispatcher,
    IdempotencyKeyReusedError,
    Job,
    JobState,
    Settings,
    SQLiteJobStore,
    generate_secret,
    verify,
)
from apicore_callbacks.adapters import InvalidCallbackURLError
from apicore_callbacks.stores import JobSpec
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
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
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
    assert (
        delivery.headers["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    )
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
    schedule = DeliveryRetryPolicy().schedule
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
        retry=DeliveryRetryPolicy(schedule=(1.0, 1.0)),
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
        retry=DeliveryRetryPolicy(schedule=(5.0, 5.0), jitter=0.0, retry_after_cap=600.0),
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
    assert info.value.problem_fields()["status"] == 422


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
                JobSpec(
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


# -- hostile conditions ------------------------------------------------------------------


def stored(dispatcher: Dispatcher, url: str, traceparent: str | None = None) -> Job:
    """A job stored without the acceptance checks (as by an older version)."""
    job, _ = dispatcher.store.submit(
        JobSpec(
            endpoint="add",
            arguments={"a": 1, "b": 2},
            callback=CallbackRequest(url),
            request_id="req\r\n-forged",
            traceparent=traceparent,
        ),
        now=dispatcher._clock(),
    )
    return job


def test_malformed_forwarded_headers_are_dropped_not_fatal(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path)
    old = stored(dispatcher, URL, traceparent="00-\xe9\xe9-x")
    new = dispatcher.submit(
        "add",
        {"a": 1, "b": 2},
        CallbackRequest(URL),
        request_id="caf\xe9",
        traceparent="00-\xe9\xe9-x",
    ).job
    assert (new.request_id, new.traceparent) == (None, None)
    dispatcher.drain(advance=True)
    assert {d.webhook_id for d in sink.deliveries} == {old.id, new.id}
    for delivery in sink.deliveries:
        assert "traceparent" not in delivery.headers
        assert "x-request-id" not in delivery.headers
    assert state(dispatcher, old) is JobState.SUCCEEDED


def test_an_unsendable_url_is_refused_at_submit_and_dead_when_stored(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path)
    with pytest.raises(InvalidCallbackURLError, match="cannot be sent"):
        submit(dispatcher, url="http://[v1.x]/")
    old = stored(dispatcher, "http://[v1.x]/")
    dispatcher.drain(advance=True)
    final = dispatcher.store.get(old.id)
    assert final is not None
    assert (final.state, final.delivery_count) == (JobState.DEAD, 1)
    assert final.last_error == "the callback URL cannot be sent"
    assert sink.deliveries == []


def test_any_exception_in_a_delivery_is_an_attempt_on_the_schedule(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def responder(delivery: Delivery) -> int:
        raise RuntimeError("a bug below the HTTP client")

    retry = DeliveryRetryPolicy(schedule=(1.0, 2.0))
    dispatcher, _, _ = make(tmp_path, responder=responder, retry=retry)
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    final = dispatcher.store.get(job.id)
    assert final is not None
    assert (final.state, final.delivery_count) == (JobState.DEAD, 3)
    assert final.last_error == "internal error (RuntimeError)"
    errors = [a.error for a in dispatcher.store.attempts(job.id) if a.stage == "deliver"]
    assert errors == ["internal error (RuntimeError)"] * 3
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(tracebacks) == 3  # one per attempt, not one per lease forever


def test_a_function_calling_sys_exit_fails_the_job(tmp_path: Path) -> None:
    def runner(job: Job) -> None:
        sys.exit(3)

    dispatcher, sink, _ = make(tmp_path, runner=runner)
    job = submit(dispatcher)
    dispatcher.drain(advance=True)
    assert state(dispatcher, job) is JobState.FAILED
    assert sink.deliveries[0].json()["status"] == 500


class SlowReceiver:
    """A raw HTTP receiver on 127.0.0.1: drips its headers, or sends an endless body."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.requests = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            with contextlib.suppress(OSError):
                conn.recv(65536)
                self.requests += 1
                if self.mode == "drip":
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    for _ in range(100):  # one header line every 0.1 s, for at most 10 s
                        if self.stopping.wait(0.1):
                            return
                        conn.sendall(b"x-drip: 1\r\n")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                    chunk = b"%x\r\n%s\r\n" % (4096, b"x" * 4096)
                    for _ in range(2500):  # 10 MB, more than the bound
                        if self.stopping.is_set():
                            return
                        conn.sendall(chunk)

    def __enter__(self) -> SlowReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()


def real(tmp_path: Path, **options: Any) -> Dispatcher:
    settings = Settings.from_env(
        {}, db=tmp_path / "jobs.db", allow="127.0.0.1/32", poll_interval=0.05, **options
    )
    return Dispatcher(settings=settings, runners={"add": lambda job: "ok"})


def test_an_attempt_has_a_wall_clock_deadline(tmp_path: Path) -> None:
    with SlowReceiver("drip") as receiver:
        # each read gets a byte within 0.1 s: only an overall deadline ends the attempt
        dispatcher = real(tmp_path, retry=DeliveryRetryPolicy(schedule=(), timeout=1.0))
        job = dispatcher.submit("add", {}, CallbackRequest(receiver.url())).job
        dispatcher.drain()
    final = dispatcher.store.get(job.id)
    assert final is not None
    assert final.state is JobState.DEAD
    assert final.last_error == "timeout (no complete answer within 1 s)"


def test_the_answer_read_from_a_receiver_is_bounded(tmp_path: Path) -> None:
    with SlowReceiver("endless") as receiver:
        dispatcher = real(
            tmp_path, max_response_body=10_000, retry=DeliveryRetryPolicy(schedule=(), timeout=30.0)
        )
        job = dispatcher.submit("add", {}, CallbackRequest(receiver.url())).job
        dispatcher.drain()
    assert state(dispatcher, job) is JobState.SUCCEEDED


def test_runs_and_deliveries_have_separate_budgets(tmp_path: Path) -> None:
    release = threading.Event()
    ran: list[int] = []

    def runner(job: Job) -> str:
        n = job.arguments["n"]
        ran.append(n)
        if n == 0:
            release.wait(20)  # a slow function holds the only run slot
        return "ok"

    with SlowReceiver("drip") as slow, CallbackReceiver() as fast:
        settings = Settings.from_env(
            {},
            db=tmp_path / "jobs.db",
            allow="127.0.0.1/32",
            poll_interval=0.05,
            concurrency=1,
            delivery_concurrency=1,
            retry=DeliveryRetryPolicy(schedule=(), timeout=15.0),
        )
        store = SQLiteJobStore(settings.db)
        # a job already run, waiting for its delivery
        ready, _ = store.submit(JobSpec("work", {"n": 9}, CallbackRequest(fast.url())), now=0)
        [claim] = store.claim("setup", now=0, lease=60, stage="run")
        store.finish_run(claim, now=0, outcome="result", payload=b'"ok"', deliver=True)
        dispatcher = Dispatcher(store, settings=settings, runners={"work": runner})
        with dispatcher:
            dispatcher.submit("work", {"n": 0}, CallbackRequest(fast.url("/slow-run")))
            # a slow function does not delay the delivery of another job
            assert fast.wait_for(1, timeout=10)
            assert fast.deliveries[0].webhook_id == ready.id
            release.set()
            assert fast.wait_for(2, timeout=10)
            # a receiver that holds the only delivery slot does not delay runs
            dispatcher.submit("work", {"n": 1}, CallbackRequest(slow.url()))
            deadline = time.monotonic() + 10
            while slow.requests == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            dispatcher.submit("work", {"n": 2}, CallbackRequest(fast.url("/after")))
            deadline = time.monotonic() + 10
            while 2 not in ran and time.monotonic() < deadline:
                time.sleep(0.02)
            assert 2 in ran
            assert len(fast.deliveries) == 2  # its delivery waits for the slot
            dispatcher.stop(timeout=0.5)
        store.close()


def test_leases_of_a_dead_process_resume_at_once(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    dead = f"{socket.gethostname()}:{child.pid}:1:0"
    with CallbackReceiver() as receiver:
        settings = Settings.from_env(
            {}, db=tmp_path / "jobs.db", allow="127.0.0.1/32", poll_interval=0.05, lease=600.0
        )
        store = SQLiteJobStore(settings.db)
        job, _ = store.submit(JobSpec("add", {}, CallbackRequest(receiver.url())), now=time.time())
        [claim] = store.claim(dead, now=time.time(), lease=600.0)
        assert claim.job.id == job.id
        with Dispatcher(store, settings=settings, runners={"add": lambda job: "ok"}):
            # without the holder check the job would wait for its 600 s lease
            assert receiver.wait_for(1, timeout=10)
        assert receiver.deliveries[0].webhook_id == job.id
        store.close()


def test_cancel_stops_a_job_for_its_owner_only(tmp_path: Path) -> None:
    dispatcher, sink, _ = make(tmp_path)
    owned = dispatcher.submit("add", {"a": 1, "b": 1}, CallbackRequest(URL), owner="alice").job
    assert dispatcher.cancel(owned.id, owner="bob") is None
    assert dispatcher.cancel(owned.id) is None
    assert dispatcher.cancel("job_nope") is None
    result = dispatcher.cancel(owned.id, owner="alice")
    assert result is not None
    job, cancelled = result
    assert cancelled
    assert (job.state, job.last_error) == (JobState.CANCELLED, "cancelled by its owner")
    assert dispatcher.drain(advance=True) == 0
    assert sink.deliveries == []
    again = dispatcher.cancel(owned.id, owner="alice")
    assert again is not None
    assert not again[1]
    status = dispatcher.status(owned.id, owner="alice")
    assert status is not None
    assert (status["state"], status["next_attempt_at"]) == ("cancelled", None)
