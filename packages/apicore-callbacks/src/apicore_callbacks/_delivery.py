"""One delivery attempt: send the signed payload and classify the answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from apicore_callbacks.__about__ import __version__
from apicore_callbacks._errors import BlockedDestinationError
from apicore_callbacks._forwarding import clean_request_id, clean_traceparent
from apicore_callbacks._jobs import Job
from apicore_callbacks._retry import Verdict, classify
from apicore_callbacks._signing import webhook_headers
from apicore_callbacks._transitions import Answer
from apicore_introspect import PROBLEM_MEDIA_TYPE, parse_retry_after

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("apicore_callbacks")


async def send(
    job: Job,
    client: httpx.AsyncClient,
    *,
    started: float,
    secrets: tuple[str, ...],
    deadline: float,
    max_body: int,
    clock: Callable[[], float],
) -> Answer:
    """Deliver ``job``'s payload once; every failure, whatever it is, becomes an answer.

    One wall-clock ``deadline`` covers connect, send and the whole answer, so a receiver
    that drips bytes cannot hold a delivery longer; at most ``max_body`` bytes are read.
    """
    import httpx  # the client is made of it: loaded already, not at import

    try:
        body = job.payload or b"null"
        media_type = PROBLEM_MEDIA_TYPE if job.outcome == "error" else "application/json"
        headers = webhook_headers(job.id, int(started), body, secrets)
        headers |= {"content-type": media_type, "user-agent": f"apicore-callbacks/{__version__}"}
        # Validated at acceptance; checked again for jobs stored by older versions.
        request_id = clean_request_id(job.request_id)
        traceparent = clean_traceparent(job.traceparent)
        if request_id:
            headers["x-request-id"] = request_id
        if traceparent:
            headers["traceparent"] = traceparent
        async with (
            asyncio.timeout(deadline),
            client.stream(
                job.callback.method, job.callback.url, content=body, headers=headers
            ) as response,
        ):
            # Read a bounded part of the answer (so the connection can be reused), no more.
            read = 0
            with contextlib.suppress(httpx.StreamConsumed):  # an answer already in memory
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= max_body:
                        break
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("retry-after"), now=clock())
    except BlockedDestinationError as exc:
        return Answer(Verdict.STOP, f"blocked destination: {exc}")
    except TimeoutError:
        return Answer(Verdict.RETRY, f"timeout (no complete answer within {deadline:g} s)")
    except httpx.TimeoutException as exc:
        return Answer(Verdict.RETRY, f"timeout ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return Answer(Verdict.RETRY, f"connection failed ({type(exc).__name__})")
    except httpx.InvalidURL:
        return Answer(Verdict.STOP, "the callback URL cannot be sent")
    except Exception as exc:
        logger.exception("job %s: delivery failed", job.id)
        return Answer(Verdict.RETRY, f"internal error ({type(exc).__name__})")
    verdict = classify(status)
    error = None if verdict is Verdict.DELIVERED else f"HTTP {status}"
    return Answer(verdict, error, status, retry_after)
