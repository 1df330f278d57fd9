"""HTTP documents: the 202 acceptance, the job status and the error problem (plain dicts)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apicore_callbacks._jobs import Job, JobAttempt, JobState
from apicore_introspect import PROBLEM_TYPE_PREFIX


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def job_location(job_id: str, prefix: str = "/jobs") -> str:
    """Return the status URL path of a job: ``<prefix>/<id>``."""
    return f"{prefix.rstrip('/')}/{urllib.parse.quote(job_id, safe='')}"


@dataclass(frozen=True)
class Acceptance:
    """The answer to a callback request: status 202, a JSON body and headers.

    Attributes:
        status: 202.
        body: ``{"job_id", "state", "status_url"}``.
        headers: ``Location`` (the job status path) and ``Retry-After`` (seconds).
        created: ``False`` when an ``Idempotency-Key`` matched an existing job.
    """

    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 202
    created: bool = True


def acceptance(
    job: Job, *, prefix: str = "/jobs", retry_after: int = 1, created: bool = True
) -> Acceptance:
    """Build the 202 answer for an accepted (or idempotently re-submitted) job."""
    location = job_location(job.id, prefix)
    return Acceptance(
        body={"job_id": job.id, "state": job.state.value, "status_url": location},
        headers={"Location": location, "Retry-After": str(retry_after)},
        created=created,
    )


def error_problem(job: Job) -> dict[str, Any]:
    """Return the problem document delivered when the function raised (no exception text)."""
    detail = "The function raised an exception; the server log has the details"
    if job.request_id:
        detail += f" (request id {job.request_id})"
    return {
        # Delivered to the callback URL by the worker, not an answer to a request: the one
        # document apicore-callbacks writes itself.
        "type": PROBLEM_TYPE_PREFIX + "callback-function-failed",
        "title": "The function failed",
        "status": 500,
        "detail": detail + ".",
        "job_id": job.id,
    }


def status_document(
    job: Job, attempts: Sequence[JobAttempt] = (), *, prefix: str = "/jobs"
) -> dict[str, Any]:
    """Return the ``GET /jobs/{id}`` body.

    It has the state, counts, timestamps (RFC 3339, UTC), the attempts log, the last error
    (never a secret or exception text) and, once the function has run, ``result``: the exact
    JSON body the callback receives (wrapped in the custom key, or a problem document).
    """
    doc: dict[str, Any] = {
        "job_id": job.id,
        "state": job.state.value,
        "endpoint": job.endpoint,
        "status_url": job_location(job.id, prefix),
        "callback_host": urllib.parse.urlsplit(job.callback.url).hostname,
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
        "finished_at": _iso(job.finished_at),
        "next_attempt_at": None if job.state.terminal else _iso(job.run_at),
        "runs": job.run_count,
        "delivery_attempts": job.delivery_count,
        "outcome": job.outcome,
        "last_error": job.last_error,
        "attempts": [
            {
                "stage": a.stage,
                "number": a.number,
                "started_at": _iso(a.started_at),
                "finished_at": _iso(a.finished_at),
                "ok": a.ok,
                "status_code": a.status_code,
                "error": a.error,
            }
            for a in attempts
        ],
    }
    if job.payload is not None and job.state is not JobState.QUEUED:
        doc["result"] = json.loads(job.payload)
    return doc
