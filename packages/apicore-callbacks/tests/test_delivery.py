from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from apicore_callbacks import CallbackRequest, Job, JobState, RetryPolicy, Verdict
from apicore_callbacks._delivery import Answer, plan, send

JOB = Job(
    id="job_1",
    endpoint="add",
    arguments={},
    callback=CallbackRequest("https://receiver.example/hook"),
    state=JobState.DELIVERING,
    created_at=0.0,
    updated_at=0.0,
    run_at=0.0,
    payload=b"1",
    delivery_count=1,
)
POLICY = RetryPolicy(schedule=(10.0, 20.0), jitter=0.0)


@pytest.mark.parametrize(
    ("answer", "ok", "retry_at"),
    [
        (Answer(Verdict.DELIVERED, None, 204), True, None),
        (Answer(Verdict.RETRY, "HTTP 503", 503), False, 120.0),
        (Answer(Verdict.RETRY, "HTTP 429", 429, retry_after=60.0), False, 160.0),
        (Answer(Verdict.STOP, "HTTP 410", 410), False, None),
    ],
)
def test_plan(answer: Answer, ok: bool, retry_at: float | None) -> None:
    attempt, when = plan(JOB, answer, started=99.0, now=100.0, policy=POLICY, rng=random.Random())
    assert (attempt.number, attempt.ok, attempt.status_code, attempt.error) == (
        2,
        ok,
        answer.status,
        answer.error,
    )
    assert (attempt.started_at, attempt.finished_at) == (99.0, 100.0)
    assert when == retry_at


def test_the_last_attempt_is_not_retried() -> None:
    last = Job(**{**JOB.__dict__, "delivery_count": 2})
    _, when = plan(
        last,
        Answer(Verdict.RETRY, "HTTP 500"),
        started=0,
        now=1,
        policy=POLICY,
        rng=random.Random(),
    )
    assert when is None


async def send_failing(error: Exception) -> Answer:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as client:
        return await send(
            JOB, client, started=0.0, secrets=(), deadline=5.0, max_body=10, clock=lambda: 0.0
        )


@pytest.mark.parametrize(
    ("error", "verdict", "text"),
    [
        (httpx.ConnectError("refused"), Verdict.RETRY, "connection failed (ConnectError)"),
        (httpx.ReadTimeout("slow"), Verdict.RETRY, "timeout (ReadTimeout)"),
        (httpx.InvalidURL("bad"), Verdict.STOP, "the callback URL cannot be sent"),
        (
            UnicodeEncodeError("ascii", "\xe9", 0, 1, "no"),
            Verdict.RETRY,
            "internal error (UnicodeEncodeError)",
        ),
    ],
)
def test_every_failure_is_an_answer(error: Exception, verdict: Verdict, text: str) -> None:
    answer = asyncio.run(send_failing(error))
    assert (answer.verdict, answer.error, answer.status) == (verdict, text, None)
