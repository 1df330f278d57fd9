"""RedisJobStore beyond the store contract (tests/test_stores.py): Celery's needs, failures."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from apicore_callbacks import (
    BrokerUnavailableError,
    CallbackRequest,
    DeliveryRetryPolicy,
    Dispatcher,
    JobState,
    RedisJobStore,
    Settings,
    generate_secret,
)
from apicore_callbacks.stores import JobAttempt, JobSpec
from apicore_callbacks.testing import CallbackSink, FakeClock


@pytest.fixture
def redis_store(redis_url: str) -> Iterator[RedisJobStore]:
    s = RedisJobStore(redis_url, prefix=f"test:{uuid.uuid4().hex}:")
    yield s
    s.close()


Spec = Callable[..., JobSpec]


def test_claim_job_by_id(redis_store: RedisJobStore, spec: Spec) -> None:
    job, _ = redis_store.submit(spec(), now=0.0)
    assert redis_store.claim_job("job_missing", "w", now=0.0, lease=5) is None
    claim = redis_store.claim_job(job.id, "w", now=0.0, lease=5)
    assert claim is not None
    assert (claim.stage, claim.job.run_count) == ("run", 1)
    assert redis_store.claim_job(job.id, "w2", now=4.0, lease=5) is None  # leased
    redis_store.finish_run(claim, now=1.0, outcome="result", payload=b"1", deliver=True)
    delivery = redis_store.claim_job(job.id, "w2", now=1.0, lease=5)
    assert delivery is not None
    assert delivery.stage == "deliver"
    failed = JobAttempt(job.id, 1, "deliver", 1, 1, ok=False, error="HTTP 503")
    redis_store.finish_delivery(delivery, failed, now=1.0, retry_at=60.0)
    assert redis_store.claim_job(job.id, "w", now=59.0, lease=5) is None  # not due yet
    assert redis_store.claim_job(job.id, "w", now=60.0, lease=5) is not None


def test_take_unpublished(redis_store: RedisJobStore, spec: Spec) -> None:
    job, _ = redis_store.submit(spec(), now=0.0)  # published at submit
    assert redis_store.republish_after == 60.0
    assert redis_store.take_unpublished(now=1.0) == []
    assert redis_store.take_unpublished(now=60.0) == [job.id]  # that message was lost?
    assert redis_store.take_unpublished(now=62.0) == []  # once per republish_after
    claim = redis_store.claim_job(job.id, "w", now=62.0, lease=5)
    assert claim is not None
    assert redis_store.heartbeat(claim, now=64.0, lease=5)
    assert redis_store.take_unpublished(now=68.0) == []  # leased until 69
    # The worker died: once its lease expires the job is published again at once.
    assert redis_store.take_unpublished(now=69.0) == [job.id]
    again = redis_store.claim_job(job.id, "w", now=69.0, lease=5)
    assert again is not None
    redis_store.finish_run(again, now=70.0, outcome="result", payload=b"1", deliver=True)
    redis_store.mark_published(job.id, now=70.0)
    assert redis_store.take_unpublished(now=129.0) == []
    delivery = redis_store.claim_job(job.id, "w", now=71.0, lease=5)
    assert delivery is not None
    failed = JobAttempt(job.id, 1, "deliver", 71, 71, ok=False, error="HTTP 500")
    redis_store.finish_delivery(delivery, failed, now=71.0, retry_at=80.0)
    assert redis_store.take_unpublished(now=79.0) == []
    assert redis_store.take_unpublished(now=80.0) == [job.id]  # the retry is due
    last = redis_store.claim_job(job.id, "w", now=80.0, lease=5)
    assert last is not None
    ok = JobAttempt(job.id, 2, "deliver", 80, 80, ok=True, status_code=200)
    redis_store.finish_delivery(last, ok, now=80.0, retry_at=None)
    redis_store.mark_published(job.id, now=80.0)  # finished: not scheduled again
    assert redis_store.take_unpublished(now=10_000.0) == []
    redis_store.requeue(job.id, now=10_000.0)
    assert redis_store.take_unpublished(now=10_000.0) == [job.id]


def test_take_unpublished_ignores_a_long_backlog(redis_store: RedisJobStore, spec: Spec) -> None:
    ids = [redis_store.submit(spec(i=i), now=float(i) / 1000)[0].id for i in range(600)]
    retried, _ = redis_store.submit(spec(), now=1.0)
    claim = redis_store.claim_job(retried.id, "w", now=1.0, lease=5)
    assert claim is not None
    assert redis_store.release(claim, now=2.0)  # shutdown: back to the queue, publish now
    assert redis_store.take_unpublished(now=2.0, limit=5) == [retried.id]
    assert len(redis_store.take_unpublished(now=61.0, limit=1000)) == len(ids)


def test_delete_only_unstarted_jobs(redis_store: RedisJobStore, spec: Spec) -> None:
    job, _ = redis_store.submit(spec(key="k"), now=0.0)
    started, _ = redis_store.submit(spec(), now=0.0)
    redis_store.claim_job(started.id, "w", now=0.0, lease=5)
    assert redis_store.delete(job.id)
    assert redis_store.get(job.id) is None
    assert not redis_store.delete(started.id)
    assert redis_store.submit(spec(key="k"), now=1.0)[1]  # the key is free again
    assert redis_store.next_due() == 1.0


def test_unreachable_redis_is_broker_unavailable(spec: Spec) -> None:
    store = RedisJobStore("redis://127.0.0.1:1/0")
    with pytest.raises(BrokerUnavailableError, match="APICORE_CALLBACKS_BROKER"):
        store.submit(spec(), now=0.0)
    reads: list[Callable[[], object]] = [
        lambda: store.get("job_x"),
        lambda: store.attempts("job_x"),
        lambda: store.list_jobs(),
        lambda: store.next_due(),
        lambda: store.mark_published("job_x", now=0.0),
        lambda: store.delete("job_x"),
    ]
    for read in reads:
        with pytest.raises(BrokerUnavailableError):
            read()
    assert "127.0.0.1" not in BrokerUnavailableError("x").problem_fields()["detail"]
    assert BrokerUnavailableError("x").problem_fields()["status"] == 503


def test_needs_url_or_client() -> None:
    with pytest.raises(TypeError, match="url or a client"):
        RedisJobStore()


def test_embedded_dispatcher_on_redis_runs_the_full_schedule(
    redis_store: RedisJobStore,
) -> None:
    secret = generate_secret()
    clock = FakeClock()
    answers = {"status": 500}
    sink = CallbackSink(secrets=[secret], responder=lambda d: answers["status"], clock=clock)
    dispatcher = Dispatcher(
        redis_store,
        settings=Settings(secrets=(secret,)),
        runners={"add": lambda job: job.arguments["a"] + 1},
        transport=sink.transport,
        resolver=sink.resolver,
        clock=clock,
    )
    start = clock()
    job = dispatcher.submit("add", {"a": 1}, CallbackRequest("https://r.example/cb")).job
    dispatcher.drain(advance=True)
    schedule = DeliveryRetryPolicy().schedule
    times = [d.received_at - start for d in sink.deliveries]
    assert len(times) == len(schedule) + 1
    for n in range(1, len(times)):
        assert schedule[n - 1] * 0.9 <= times[n] - times[n - 1] <= schedule[n - 1] * 1.1
    assert redis_store.list_jobs(state=JobState.DEAD)[0].id == job.id
    answers["status"] = 200
    dispatcher.requeue(job.id)
    dispatcher.drain(advance=True)
    assert {d.webhook_id for d in sink.deliveries} == {job.id}
    assert all(d.verified for d in sink.deliveries)
    assert sink.deliveries[-1].json() == 2
    status = dispatcher.status(job.id)
    assert status is not None
    assert (status["state"], status["runs"], status["delivery_attempts"]) == ("succeeded", 1, 1)
