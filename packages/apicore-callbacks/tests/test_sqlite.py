from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from apicore_callbacks import (
    Attempt,
    CallbackRequest,
    IdempotencyKeyReusedError,
    JobNotFoundError,
    JobSpec,
    JobState,
    JobStore,
    SQLiteJobStore,
)

CB = CallbackRequest("https://receiver.example/hook")


def spec(
    endpoint: str = "add", key: str | None = None, owner: str | None = None, **arguments: object
) -> JobSpec:
    return JobSpec(
        endpoint=endpoint,
        arguments=arguments or {"a": 1},
        callback=CB,
        idempotency_key=key,
        owner=owner,
        request_id="req-1",
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteJobStore]:
    s = SQLiteJobStore(tmp_path / "jobs.db")
    yield s
    s.close()


def test_is_a_job_store(store: SQLiteJobStore) -> None:
    assert isinstance(store, JobStore)


def test_durable_pragmas(store: SQLiteJobStore) -> None:
    db = store._conn()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_submit_persists_across_reopen(tmp_path: Path) -> None:
    first = SQLiteJobStore(tmp_path / "jobs.db")
    job, created = first.submit(spec(x=[1, 2]), now=10.0)
    first.close()
    again = SQLiteJobStore(tmp_path / "jobs.db")
    stored = again.get(job.id)
    again.close()
    assert created
    assert stored is not None
    assert stored.arguments == {"x": [1, 2]}
    assert stored.callback == CB
    assert stored.request_id == "req-1"
    assert stored.state is JobState.QUEUED


def test_job_ids_are_unguessable(store: SQLiteJobStore) -> None:
    ids = {store.submit(spec(), now=0.0)[0].id for _ in range(20)}
    assert len(ids) == 20
    for job_id in ids:
        assert job_id.startswith("job_")
        assert len(job_id) >= 36
        assert "." not in job_id


def test_claim_run_then_deliver(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w1", now=1.0, lease=30.0)
    assert claim.stage == "run"
    assert claim.job.state is JobState.RUNNING
    assert claim.job.run_count == 1
    assert store.claim("w2", now=2.0, lease=30.0) == []
    assert store.finish_run(claim, now=3.0, outcome="result", payload=b'{"r":1}', deliver=True)
    [delivery] = store.claim("w1", now=3.0, lease=30.0)
    assert delivery.stage == "deliver"
    attempt = Attempt(job.id, 1, "deliver", 3.0, 4.0, ok=True, status_code=200)
    assert store.finish_delivery(delivery, attempt, now=4.0, retry_at=None)
    done = store.get(job.id)
    assert done is not None
    assert done.state is JobState.SUCCEEDED
    assert done.payload == b'{"r":1}'
    assert done.finished_at == 4.0
    assert [a.stage for a in store.attempts(job.id)] == ["run", "deliver"]


def test_error_outcome_ends_failed(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=1.0, outcome="error", payload=b"{}", deliver=True, error="boom")
    [delivery] = store.claim("w", now=1.0, lease=30.0)
    store.finish_delivery(
        delivery, Attempt(job.id, 1, "deliver", 1, 1, ok=True), now=1.0, retry_at=None
    )
    final = store.get(job.id)
    assert final is not None
    assert (final.state, final.last_error) == (JobState.FAILED, "boom")


def test_error_kept_without_delivery(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=1.0, outcome="error", payload=b"{}", deliver=False, error="x")
    assert store.claim("w", now=1.0, lease=30.0) == []
    final = store.get(job.id)
    assert final is not None
    assert final.state is JobState.FAILED


def test_expired_lease_is_reclaimed_and_stale_writes_are_fenced(store: SQLiteJobStore) -> None:
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
    final = store.get(job.id)
    assert final is not None
    assert final.payload == b"2"


def test_retry_schedule_and_dead_letter_and_requeue(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    store.finish_run(claim, now=0.0, outcome="result", payload=b"1", deliver=True)
    [d1] = store.claim("w", now=0.0, lease=30.0)
    failed = Attempt(job.id, 1, "deliver", 0.0, 0.0, ok=False, status_code=500, error="HTTP 500")
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
    assert (again.state, again.delivery_count) == (JobState.DELIVERING, 0)
    [d3] = store.claim("w", now=200.0, lease=30.0)
    assert d3.stage == "deliver"
    with pytest.raises(JobNotFoundError):
        store.requeue("job_nope", now=0.0)


def test_requeue_without_payload_runs_again(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    assert store.requeue(job.id, now=1.0).state is JobState.QUEUED


def test_release_gives_the_job_back(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0)
    assert store.release(claim, now=1.0)
    [again] = store.claim("w", now=1.0, lease=30.0)
    assert again.job.run_count == 1


def test_claim_only_registered_endpoints(store: SQLiteJobStore) -> None:
    store.submit(spec("a"), now=0.0)
    store.submit(spec("b"), now=0.0)
    assert [
        c.job.endpoint for c in store.claim("w", now=0.0, lease=9, limit=5, endpoints=["b"])
    ] == ["b"]
    assert store.claim("w", now=0.0, lease=9, endpoints=[]) == []
    assert store.next_due(endpoints=["b"]) == 9.0


def test_idempotency_key(store: SQLiteJobStore) -> None:
    first, created = store.submit(spec(key="k1", a=1), now=0.0)
    same, again = store.submit(spec(key="k1", a=1), now=1.0)
    assert created
    assert not again
    assert same.id == first.id
    with pytest.raises(IdempotencyKeyReusedError, match="new key"):
        store.submit(spec(key="k1", a=2), now=2.0)
    assert store.submit(spec(key="k1", owner="other", a=2), now=2.0)[1]
    assert store.submit(spec("other-endpoint", key="k1", a=2), now=2.0)[1]


def test_prune(store: SQLiteJobStore) -> None:
    job, _ = store.submit(spec(), now=0.0)
    keep, _ = store.submit(spec(), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=30.0, limit=1)
    store.finish_run(claim, now=5.0, outcome="error", payload=b"1", deliver=False)
    assert store.prune(finished_before=4.0) == 0
    assert store.prune(finished_before=6.0) == 1
    assert store.get(claim.job.id) is None
    assert store.attempts(claim.job.id) == []
    remaining = {j.id for j in store.list_jobs()}
    assert remaining == {job.id, keep.id} - {claim.job.id}


CLAIMER = textwrap.dedent(
    """
    import json, sys
    from apicore_callbacks import SQLiteJobStore
    store = SQLiteJobStore(sys.argv[1])
    got = []
    for _ in range(2000):
        claims = store.claim(sys.argv[2], now=1.0, lease=600.0, limit=3)
        if not claims:
            break
        for c in claims:
            got.append(c.job.id)
            store.finish_run(c, now=1.0, outcome="result", payload=b"1", deliver=False)
    print(json.dumps(got))
    """
)


def test_concurrent_processes_claim_each_job_once(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    store = SQLiteJobStore(db)
    ids = {store.submit(spec(i=i), now=0.0)[0].id for i in range(150)}
    store.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(db), f"w{n}"],
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


def test_synchronous_normal_is_a_choice(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db", synchronous="NORMAL")
    assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteJobStore(tmp_path / "jobs.db", synchronous="OFF")  # type: ignore[arg-type]


def test_leases_of_dead_holders_end_at_once(store: SQLiteJobStore) -> None:
    a, _ = store.submit(spec(), now=0.0)
    b, _ = store.submit(spec(), now=0.0)
    [claim_a] = store.claim("dead", now=1.0, lease=60.0)
    [claim_b] = store.claim("alive", now=1.0, lease=60.0)
    assert sorted(store.lease_holders(now=2.0)) == ["alive", "dead"]
    assert store.lease_holders(now=61.0) == []  # expired leases have no holder
    assert store.expire_leases([], now=2.0) == 0
    assert store.expire_leases(["dead"], now=2.0) == 1
    [again] = store.claim("new", now=2.0, lease=60.0)
    assert again.job.id == claim_a.job.id
    assert again.job.run_count == 2
    # the dead holder's claim is stale, the living one's is untouched
    assert not store.heartbeat(claim_a, now=3.0, lease=60.0)
    assert store.heartbeat(claim_b, now=3.0, lease=60.0)
    assert {a.id, b.id} == {claim_a.job.id, claim_b.job.id}
