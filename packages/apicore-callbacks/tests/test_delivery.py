from __future__ import annotations

import asyncio

import httpx
import pytest

from apicore_callbacks import Job
from apicore_callbacks._delivery import send
from apicore_callbacks._transitions import Answer
from apicore_callbacks.delivery import Verdict


async def send_failing(job: Job, error: Exception) -> Answer:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as client:
        return await send(
            job, client, started=0.0, secrets=(), deadline=5.0, max_body=10, clock=lambda: 0.0
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
def test_every_failure_is_an_answer(
    job: Job, error: Exception, verdict: Verdict, text: str
) -> None:
    answer = asyncio.run(send_failing(job, error))
    assert (answer.verdict, answer.error, answer.status) == (verdict, text, None)
