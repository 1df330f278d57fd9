"""The job state machine, decided in pure code (no store involved)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from apicore_callbacks import DeliveryRetryPolicy, Job, JobState
from apicore_callbacks.delivery import Verdict
from apicore_callbacks.stores import (
    ACTIVE,
    CLAIM,
    CLAIMABLE,
    TERMINAL,
    Answer,
    Claim,
    JobAttempt,
    Outcome,
    after_delivery,
    after_run,
    claim_of,
    plan_delivery,
    released,
    requeued,
)

POLICY = DeliveryRetryPolicy(schedule=(10.0, 20.0), jitter=0.0)


def claimed(job: Job) -> Claim:
    return claim_of(job, "w")


def test_the_tables_cover_every_active_state_once() -> None:
    assert set(CLAIM) == set(ACTIVE)
    assert set(ACTIVE) | set(TERMINAL) == set(JobState)
    assert set(CLAIMABLE["run"]) | set(CLAIMABLE["deliver"]) == set(CLAIMABLE[None])
    assert not set(CLAIMABLE["run"]) & set(CLAIMABLE["deliver"])
    assert CLAIM[JobState.QUEUED].state is JobState.RUNNING


def test_claim_of_names_the_stage_and_token(job: Job) -> None:
    claim = claimed(job)
    assert (claim.stage, claim.token, claim.worker) == ("deliver", 7, "w")
    running = claim_of(replace(job, state=JobState.RUNNING), "w")
    assert running.stage == "run"


@pytest.mark.parametrize(
    ("deliver", "state", "finished_at"),
    [(True, JobState.DELIVERING, None), (False, JobState.FAILED, 5.0)],
)
def test_after_run(deliver: bool, state: JobState, finished_at: float | None, job: Job) -> None:
    job = replace(job, state=JobState.RUNNING, updated_at=2.0, run_count=2, delivery_count=0)
    change = after_run(claimed(job), now=5.0, outcome="error", deliver=deliver, error="boom")
    assert (change.state, change.run_at, change.finished_at) == (state, 5.0, finished_at)
    assert (change.last_error, change.run_count, change.delivery_count) == ("boom", 2, 0)
    assert change.ended is not deliver
    assert change.attempt == JobAttempt("job_1", 2, "run", 2.0, 5.0, ok=False, error="boom")


@pytest.mark.parametrize(
    ("outcome", "ok", "retry_at", "state", "error"),
    [
        ("result", True, None, JobState.SUCCEEDED, None),
        ("error", True, None, JobState.FAILED, "the function raised"),
        ("result", False, 60.0, JobState.DELIVERING, "HTTP 500"),
        ("result", False, None, JobState.DEAD, "HTTP 500"),
    ],
)
def test_after_delivery(
    outcome: Outcome, ok: bool, retry_at: float | None, state: JobState, error: str | None, job: Job
) -> None:
    job = replace(job, outcome=outcome, last_error="the function raised")
    attempt = JobAttempt("job_1", 2, "deliver", 9.0, 10.0, ok=ok, error=None if ok else "HTTP 500")
    change = after_delivery(claimed(job), attempt, now=10.0, retry_at=retry_at)
    assert (change.state, change.last_error, change.delivery_count) == (state, error, 2)
    assert change.run_at == (retry_at if retry_at is not None else 10.0)
    assert change.finished_at == (None if state is JobState.DELIVERING else 10.0)
    assert change.attempt is attempt


def test_released_does_not_count_the_run(job: Job) -> None:
    run = released(claimed(replace(job, state=JobState.RUNNING, run_count=3, run_at=4.0)))
    assert (run.state, run.run_count, run.run_at, run.attempt) == (JobState.QUEUED, 2, 4.0, None)
    delivery = released(claimed(job))
    assert (delivery.state, delivery.run_count) == (JobState.DELIVERING, 1)


def test_requeued() -> None:
    assert (requeued(has_payload=True).state, requeued(has_payload=True).reset_runs) == (
        JobState.DELIVERING,
        False,
    )
    assert (requeued(has_payload=False).state, requeued(has_payload=False).reset_runs) == (
        JobState.QUEUED,
        True,
    )


@pytest.mark.parametrize(
    ("answer", "ok", "retry_at"),
    [
        (Answer(Verdict.DELIVERED, None, 204), True, None),
        (Answer(Verdict.RETRY, "HTTP 503", 503), False, 120.0),
        (Answer(Verdict.RETRY, "HTTP 429", 429, retry_after=60.0), False, 160.0),
        (Answer(Verdict.STOP, "HTTP 410", 410), False, None),
    ],
)
def test_plan_delivery(answer: Answer, ok: bool, retry_at: float | None, job: Job) -> None:
    attempt, when = plan_delivery(
        job, answer, started=99.0, now=100.0, policy=POLICY, rng=random.Random()
    )
    assert (attempt.number, attempt.ok, attempt.status_code, attempt.error) == (
        2,
        ok,
        answer.status,
        answer.error,
    )
    assert (attempt.started_at, attempt.finished_at) == (99.0, 100.0)
    assert when == retry_at


def test_the_last_attempt_is_not_retried(job: Job) -> None:
    last = replace(job, delivery_count=2)
    answer = Answer(Verdict.RETRY, "HTTP 500")
    _, when = plan_delivery(last, answer, started=0, now=1, policy=POLICY, rng=random.Random())
    assert when is None
