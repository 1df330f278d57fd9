"""The job store contract: every test runs against each store (SQLite, and Redis).

The Redis cases start a private ``redis-server``; without one they skip with an install hint
(and fail under ``APICORE_REQUIRE_SYSTEM=1``, as in CI).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from apicore_callbacks import (
    IdempotencyKeyReusedError,
    JobNotFoundError,
    JobState,
    JobStore,
    RedisJobStore,
    SQLiteJobStore,
)
from apicore_callbacks._holders import reclaim_dead
from apicore_callbacks.stores import JobAttempt, JobSpec

T0 = 1_700_000_000.123456


def open_store(kind: str, location: str) -> JobStore:
    """Open a store of ``kind`` (``sqlite``: a file path; ``redis``: ``url prefix``)."""
    if kind == "sqlite":
        return SQLiteJobStore(location)
    url, prefix = location.split(" ")
    return RedisJobStore(url, prefix=prefix)


@pytest.fixture(params=["sqlite", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Where a fresh store of each kind lives."""
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "jobs.db")
    url = request.getfixturevalue("redis_url")
    return "redis", f"{url} test:{uuid.uuid4().hex}:"


@pytest.fixture
def store(location: tuple[str, str]) -> Iterator[JobStore]:
    s = open_store(*location)
    yield s
    s.close()


Spec = Callable[..., JobSpec]


def test_is_a_job_store(store: JobStore) -> None:
    assert isinstance(store, JobStore)


def test_submit_persists_across_reopen(location: tuple[str, str], spec: Spec) -> None:
    first = open_store(*location)
    job, created = first.submit(spec(x=[1, 2]), now=10.0)
    first.close()
    again = open_store(*location)
    stored = again.get(job.id)
    again.close()
    assert created
    assert stored == job
    assert stored.arguments == {"x": [1, 2]}
    assert stored.state is JobState.QUEUED


def test_job_ids_are_unguessable(store: JobStore, spec: Spec) -> None:
    ids = {store.submit(spec(), now=0.0)[0].id for _ in range(20)}
    assert len(ids) == 20
    for job_id in ids:
        assert job_id.startswith("job_")
        assert len(job_id) >= 36
        assert "." not in job_id


def test_fields_round_trip(store: JobStore, spec: Spec) -> None:
    job, created = store.submit(spec(x=[1, {"y": None}], z="é"), now=T0)
    stored = store.get(job.id)
    assert created
    assert stored == job
    assert stored.arguments == {"x": [1, {"y": None}], "z": "é"}
    assert stored.callback == spec().callback
    assert (stored.request_id, stored.owner) == ("req-1", None)
    assert stored.traceparent is not None
    assert (stored.state, stored.created_at, stored.run_at) == (JobState.QUEUED, T0, T0)
    assert store.get("job_missing") is None


def test_claim_run_then_deliver(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w1", now=1.0, lease=30.0)
    assert (claim.stage, claim.job.state, claim.job.run_count) == ("run", JobState.RUNNING, 1)
    assert store.claim("w2", now=2.0, lease=30.0) == []
    assert store.finish_run(claim, now=3.0, outcome="result", payload=b'{"r":1}', deliver=True)
    [delivery] = store.claim("w1", now=3.0, lease=30.0)
    assert delivery.stage == "deliver"
    assert delivery.job.run_count == 1
    attempt = JobAttempt(job.id, 1, "deliver", 3.0, 4.0, ok=True, status_code=200)
    assert store.finish_delivery(delivery, attempt, now=4.0, retry_at=None)
    done = store.get(job.id)
    assert done is not None
    assert (done.state, done.payload, done.finished_at) == (JobState.SUCCEEDED, b'{"r":1}', 4.0)
    assert (done.delivery_count, done.outcome, done.last_error) == (1, "result", None)
    attempts = store.attempts(job.id)
    assert [(a.stage, a.number, a.ok) for a in attempts] == [("run", 1, True), ("deliver", 1, True)]
    assert attempts[1] == attempt


def test_error_outcome_ends_failed(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=1.0, outcome="error", payload=b"{}", deliver=True, error="boom")
    [delivery] = store.claim("w", now=1.0, lease=30.0)
    ok = JobAttempt(job.id, 1, "deliver", 1, 1, ok=True)
    store.finish_delivery(delivery, ok, now=1.0, retry_at=None)
    final = store.get(job.id)
    assert final is not None
    assert (final.state, final.last_error) == (JobState.FAILED, "boom")


def test_error_kept_without_delivery(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=1.0, outcome="error", payload=b"{}", deliver=False, error="x")
    assert store.claim("w", now=1.0, lease=30.0) == []
    final = store.get(job.id)
    assert final is not None
    assert (final.state, final.finished_at) == (JobState.FAILED, 1.0)


def test_expired_lease_is_reclaimed_and_stale_writes_are_fenced(
    store: JobStore, spec: Spec
) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [stale] = store.claim("w1", now=0.0, lease=10.0)
    assert store.claim("w2", now=9.0, lease=10.0) == []
    [fresh] = store.claim("w2", now=10.0, lease=10.0)
    assert fresh.token > stale.token
    assert fresh.job.run_count == 2
    assert not store.heartbeat(stale, now=11.0, lease=10.0)
    assert not store.finish_run(stale, now=11.0, outcome="result", payload=b"1", deliver=True)
    assert not store.release(stale, now=11.0)
    assert store.heartbeat(fresh, now=11.0, lease=10.0)
    assert store.claim("w3", now=20.5, lease=10.0) == []  # heartbeat extended it to 21
    assert store.finish_run(fresh, now=12.0, outcome="result", payload=b"2", deliver=True)
    stale_attempt = JobAttempt(job.id, 1, "deliver", 12, 12, ok=True)
    assert not store.finish_delivery(stale, stale_attempt, now=12.0, retry_at=None)
    final = store.get(job.id)
    assert final is not None
    assert (final.payload, final.state) == (b"2", JobState.DELIVERING)


def test_retry_schedule_and_dead_letter_and_requeue(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=0.0, outcome="result", payload=b"1", deliver=True)
    [d1] = store.claim("w", now=0.0, lease=30.0)
    failed = JobAttempt(job.id, 1, "deliver", 0.0, 0.0, ok=False, status_code=500, error="HTTP 500")
    assert store.finish_delivery(d1, failed, now=0.0, retry_at=100.0)
    assert store.claim("w", now=99.0, lease=30.0) == []
    assert store.next_due() == 100.0
    [d2] = store.claim("w", now=100.0, lease=30.0)
    assert store.finish_delivery(d2, failed, now=100.0, retry_at=None)
    dead = store.get(job.id)
    assert dead is not None
    assert (dead.state, dead.delivery_count, dead.last_error) == (JobState.DEAD, 2, "HTTP 500")
    assert store.next_due() is None
    assert [j.id for j in store.list_jobs(state=JobState.DEAD)] == [job.id]
    again = store.requeue(job.id, now=200.0)
    assert (again.state, again.delivery_count, again.finished_at) == (
        JobState.DELIVERING,
        0,
        None,
    )
    [d3] = store.claim("w", now=200.0, lease=30.0)
    assert d3.stage == "deliver"
    with pytest.raises(JobNotFoundError):
        store.requeue("job_nope", now=0.0)


def test_requeue_without_payload_runs_again(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=0.0)
    assert store.requeue(job.id, now=1.0).state is JobState.QUEUED


def test_release_gives_the_job_back(store: JobStore, spec: Spec) -> None:
    store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    assert store.release(claim, now=1.0)
    [again] = store.claim("w", now=1.0, lease=30.0)
    assert (again.job.run_count, again.job.state) == (1, JobState.RUNNING)


def test_claim_only_registered_endpoints(store: JobStore, spec: Spec) -> None:
    store.submit(spec("a"), now=0.0)
    store.submit(spec("b"), now=0.0)
    claims = store.claim("w", now=0.0, lease=9, limit=5, endpoints=["b"])
    assert [c.job.endpoint for c in claims] == ["b"]
    assert store.claim("w", now=0.0, lease=9, endpoints=[]) == []
    assert store.next_due(endpoints=["b"]) == 9.0
    assert store.next_due(endpoints=["a"]) == 0.0


def test_idempotency_key(store: JobStore, spec: Spec) -> None:
    first, created = store.submit(spec(key="k1", a=1), now=0.0)
    same, again = store.submit(spec(key="k1", a=1), now=1.0)
    assert created
    assert not again
    assert same.id == first.id
    with pytest.raises(IdempotencyKeyReusedError, match="new key"):
        store.submit(spec(key="k1", a=2), now=2.0)
    assert store.submit(spec(key="k1", owner="other", a=2), now=2.0)[1]
    assert store.submit(spec("other-endpoint", key="k1", a=2), now=2.0)[1]


def test_prune(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(key="k"), now=0.0)
    keep, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0, limit=1)
    store.finish_run(claim, now=5.0, outcome="error", payload=b"1", deliver=False)
    assert store.prune(finished_before=4.0) == 0
    assert store.prune(finished_before=6.0) == 1
    assert store.get(claim.job.id) is None
    assert store.attempts(claim.job.id) == []
    remaining = {j.id for j in store.list_jobs()}
    assert remaining == {job.id, keep.id} - {claim.job.id}


def test_list_jobs_newest_first_with_limit(store: JobStore, spec: Spec) -> None:
    ids = [store.submit(spec(i=i), now=float(i))[0].id for i in range(5)]
    assert [j.id for j in store.list_jobs(limit=3)] == ids[::-1][:3]
    assert store.list_jobs(state=JobState.DEAD) == []


# -- Redis only --------------------------------------------------------------------------


def test_claim_by_stage(store: JobStore, spec: Spec) -> None:
    to_run, _ = store.submit(spec(n=1), now=T0)
    to_deliver, _ = store.submit(spec(n=2), now=T0 + 0.5)
    [claim] = store.claim("w", now=T0 + 0.5, lease=30, stage="run", limit=1)
    assert claim.job.id == to_run.id  # the oldest first
    assert store.finish_run(claim, now=T0, outcome="result", payload=b"1", deliver=True)
    # only the delivering job is a delivery; only the queued one is a run
    [delivery] = store.claim("w", now=T0 + 1, lease=30, stage="deliver", limit=5)
    assert (delivery.stage, delivery.job.id) == ("deliver", to_run.id)
    [run] = store.claim("w", now=T0 + 1, lease=30, stage="run", limit=5)
    assert (run.stage, run.job.id) == ("run", to_deliver.id)
    assert store.claim("w", now=T0 + 1, lease=30, limit=5) == []


def test_cancel(store: JobStore, spec: Spec) -> None:
    queued, _ = store.submit(spec(n=1), now=T0)
    running, _ = store.submit(spec(n=2), now=T0 + 0.5)
    job, cancelled = store.cancel(queued.id, now=T0 + 1, reason="cancelled by an operator")
    assert cancelled
    assert (job.state, job.last_error, job.finished_at) == (
        JobState.CANCELLED,
        "cancelled by an operator",
        T0 + 1,
    )
    assert job.state.terminal
    [claim] = store.claim("w", now=T0 + 2, lease=30, limit=5)
    assert claim.job.id == running.id  # the cancelled job is never claimed
    assert store.cancel(running.id, now=T0 + 3)[1]
    # the worker that held the lease lost it: its result is dropped
    assert not store.finish_run(claim, now=T0 + 4, outcome="result", payload=b"1", deliver=True)
    again, cancelled = store.cancel(running.id, now=T0 + 5)
    assert not cancelled
    assert (again.state, again.finished_at) == (JobState.CANCELLED, T0 + 3)
    assert store.next_due() is None
    assert [j.id for j in store.list_jobs(state=JobState.CANCELLED)] == [running.id, queued.id]
    assert store.prune(finished_before=T0 + 10) == 2
    with pytest.raises(JobNotFoundError):
        store.cancel("job_missing", now=T0)


def test_a_cancelled_job_can_be_requeued(store: JobStore, spec: Spec) -> None:
    job, _ = store.submit(spec(), now=T0)
    store.cancel(job.id, now=T0)
    assert store.requeue(job.id, now=T0 + 1).state is JobState.QUEUED
    assert len(store.claim("w", now=T0 + 1, lease=30)) == 1


def test_leases_of_dead_holders_end_at_once(store: JobStore, spec: Spec) -> None:
    a, _ = store.submit(spec(n=1), now=T0)
    b, _ = store.submit(spec(n=2), now=T0 + 0.5)
    [claim_a] = store.claim("dead", now=T0 + 1, lease=60.0)
    [claim_b] = store.claim("alive", now=T0 + 1, lease=60.0)
    assert {claim_a.job.id, claim_b.job.id} == {a.id, b.id}
    holders = store.lease_holders(now=T0 + 2)  # type: ignore[attr-defined]
    assert sorted(holders) == ["alive", "dead"]
    assert store.lease_holders(now=T0 + 61) == []  # type: ignore[attr-defined]
    assert store.expire_leases([], now=T0 + 2) == 0  # type: ignore[attr-defined]
    assert store.expire_leases(["dead"], now=T0 + 2) == 1  # type: ignore[attr-defined]
    [again] = store.claim("new", now=T0 + 2, lease=60.0)
    assert (again.job.id, again.job.run_count) == (claim_a.job.id, 2)
    assert not store.heartbeat(claim_a, now=T0 + 3, lease=60.0)
    assert store.heartbeat(claim_b, now=T0 + 3, lease=60.0)


def test_reclaim_dead_ends_only_dead_local_holders(store: JobStore, spec: Spec) -> None:
    host = socket.gethostname()
    for n in range(3):
        store.submit(spec(n=n), now=T0 + n)
    alive = {10: "100", 20: "200"}
    for worker in (f"{host}:10:100:a", f"{host}:20:999:b", f"{host}:30:300:c"):
        store.claim(worker, now=T0 + 5, lease=60.0)
    # pid 20 was reused by another process, pid 30 is gone, pid 10 still runs
    assert reclaim_dead(store, now=T0 + 6, start_time=alive.get) == 2
    assert store.lease_holders(now=T0 + 6) == [f"{host}:10:100:a"]  # type: ignore[attr-defined]
    assert len(store.claim("w", now=T0 + 6, lease=60.0, limit=5)) == 2


CLAIMER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[3])
    from test_stores import open_store
    store = open_store(sys.argv[1], sys.argv[2])
    got = []
    for _ in range(2000):
        claims = store.claim(sys.argv[4], now=1.0, lease=600.0, limit=3)
        if not claims:
            break
        for c in claims:
            got.append(c.job.id)
            store.finish_run(c, now=1.0, outcome="result", payload=b"1", deliver=False)
    store.close()
    print(json.dumps(got))
    """
)


def test_concurrent_processes_claim_each_job_once(location: tuple[str, str], spec: Spec) -> None:
    store = open_store(*location)
    ids = {store.submit(spec(i=i), now=0.0)[0].id for i in range(150)}
    store.close()
    here = str(Path(__file__).parent)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, *location, here, f"w{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(3)
    ]
    claimed: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        claimed += json.loads(out)
    assert sorted(claimed) == sorted(ids)
