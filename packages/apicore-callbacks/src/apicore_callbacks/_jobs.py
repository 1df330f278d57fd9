"""Job values and the :class:`JobStore` protocol every backend implements."""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable


class JobState(enum.StrEnum):
    """The life of a callback job.

    ``queued -> running -> delivering -> succeeded | failed | dead``. ``running`` jobs whose
    lease expires (the worker died) run again; ``failed`` means the function raised (its
    problem document was delivered, or kept when error delivery is off); ``dead`` means the
    delivery gave up (last attempt failed, 410 Gone, or a refused destination) and waits for
    a manual :meth:`JobStore.requeue`. ``cancelled`` jobs were stopped by an operator or
    their owner (:meth:`JobStore.cancel`) before they ended.
    """

    QUEUED = "queued"
    RUNNING = "running"
    DELIVERING = "delivering"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        """Whether no worker will touch the job again (until a requeue)."""
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.DEAD, JobState.CANCELLED)


def new_job_id() -> str:
    """Return a new unguessable job id (192 random bits; no ``.`` so it is a valid webhook-id)."""
    return "job_" + secrets.token_urlsafe(24)


def digest(*parts: str) -> str:
    """Return the SHA-256 hex digest of NUL-joined parts (idempotency scopes, fingerprints)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


Stage = Literal["run", "deliver"]
Outcome = Literal["result", "error"]


@dataclass(frozen=True)
class CallbackRequest:
    """Where and how one request's result is delivered (parsed from its headers).

    Attributes:
        url: The callback URL (validated).
        method: ``POST``, ``PUT`` or ``PATCH``.
        key: Wrap the result as ``{key: result}`` when set.
    """

    url: str
    method: str = "POST"
    key: str | None = None


@dataclass(frozen=True)
class JobSpec:
    """Everything needed to create a job.

    Attributes:
        endpoint: The endpoint's name (the runner registered under it runs the job).
        arguments: The validated JSON arguments of the call.
        callback: The callback destination.
        request_id: The originating ``X-Request-ID`` (propagated into deliveries).
        traceparent: The originating W3C ``traceparent`` (propagated into deliveries).
        owner: The caller's identity when the endpoint needs auth (a token *name or hash*,
            never the token itself); ``GET /jobs/{id}`` answers only the same owner.
        idempotency_key: The request's ``Idempotency-Key``, scoped to endpoint and owner.
    """

    endpoint: str
    arguments: Mapping[str, Any]
    callback: CallbackRequest
    request_id: str | None = None
    traceparent: str | None = None
    owner: str | None = None
    idempotency_key: str | None = None

    def idempotency(self) -> tuple[str, str] | None:
        """Return ``(scope, fingerprint)`` digests of the idempotency key, or ``None``.

        The scope is the key within the endpoint and owner; the fingerprint is what a
        reuse of the key must keep identical (:meth:`fingerprint_source`).
        """
        if self.idempotency_key is None:
            return None
        scope = digest(self.endpoint, self.owner or "", self.idempotency_key)
        return scope, digest(self.fingerprint_source())

    def arguments_json(self) -> str:
        """The arguments as stored: compact JSON."""
        return json.dumps(dict(self.arguments), separators=(",", ":"))

    def fingerprint_source(self) -> str:
        """Canonical text of what an ``Idempotency-Key`` must keep identical."""
        return json.dumps(
            [dict(self.arguments), self.callback.url, self.callback.method, self.callback.key],
            sort_keys=True,
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class Job:
    """A stored callback job (a snapshot; read it again for fresh state)."""

    id: str
    endpoint: str
    arguments: Mapping[str, Any]
    callback: CallbackRequest
    state: JobState
    created_at: float
    updated_at: float
    run_at: float
    request_id: str | None = None
    traceparent: str | None = None
    owner: str | None = None
    run_count: int = 0
    delivery_count: int = 0
    outcome: Outcome | None = None
    payload: bytes | None = field(default=None, repr=False)
    last_error: str | None = None
    finished_at: float | None = None
    fence: int = 0


def new_row(spec: JobSpec, *, now: float) -> dict[str, Any]:
    """The stored fields of a new job for ``spec``: a new id, ``queued``, due ``now``.

    ``idem_scope`` and ``fingerprint`` (:meth:`JobSpec.idempotency`) are ``None`` without an
    ``Idempotency-Key``; the counters and the fence start at 0 (the stores' defaults).
    """
    scope, fingerprint = spec.idempotency() or (None, None)
    return {
        "id": new_job_id(),
        "endpoint": spec.endpoint,
        "arguments": spec.arguments_json(),
        "callback_url": spec.callback.url,
        "callback_method": spec.callback.method,
        "callback_key": spec.callback.key,
        "request_id": spec.request_id,
        "traceparent": spec.traceparent,
        "owner": spec.owner,
        "idem_scope": scope,
        "fingerprint": fingerprint,
        "state": JobState.QUEUED.value,
        "run_at": now,
        "created_at": now,
        "updated_at": now,
    }


def job_from_row(row: Mapping[str, Any]) -> Job:
    """A :class:`Job` from a store's row: its fields by column name, ``arguments`` as JSON.

    An absent optional column reads as ``None`` (the counters and the fence as ``0``).
    """
    get = row.get
    return Job(
        id=row["id"],
        endpoint=row["endpoint"],
        arguments=json.loads(row["arguments"]),
        callback=CallbackRequest(row["callback_url"], row["callback_method"], get("callback_key")),
        state=JobState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        run_at=row["run_at"],
        request_id=get("request_id"),
        traceparent=get("traceparent"),
        owner=get("owner"),
        run_count=get("run_count", 0),
        delivery_count=get("delivery_count", 0),
        outcome=get("outcome"),
        payload=get("payload"),
        last_error=get("last_error"),
        finished_at=get("finished_at"),
        fence=get("fence", 0),
    )


@dataclass(frozen=True)
class Claim:
    """A worker's lease on a job; every write after the claim is fenced by ``token``."""

    job: Job
    token: int
    stage: Stage
    worker: str


@dataclass(frozen=True)
class JobAttempt:
    """One entry of a job's attempts log.

    Attributes:
        job_id: The job.
        number: 1-based attempt number within its stage.
        stage: ``run`` or ``deliver``.
        started_at: Unix time the attempt started.
        finished_at: Unix time it ended.
        ok: Whether it succeeded.
        status_code: The receiver's HTTP status (deliveries that got an answer).
        error: A short error description (never a secret or exception text of the function).
    """

    job_id: str
    number: int
    stage: Stage
    started_at: float
    finished_at: float
    ok: bool
    status_code: int | None = None
    error: str | None = None


@runtime_checkable
class JobStore(Protocol):
    """Durable job storage with leases; the one interface a backend implements.

    Every method is synchronous and safe to call from several threads. ``now`` is passed in
    (Unix seconds) so that schedules can be tested with a fake clock. Writes after
    :meth:`claim` take the :class:`Claim` and return ``False`` when the claim is stale (the
    lease expired and another worker claimed the job since): the caller must then drop its
    work. A backend must make :meth:`submit` durable before returning.
    """

    def submit(self, spec: JobSpec, *, now: float) -> tuple[Job, bool]:
        """Create a job (durably) and return ``(job, created)``.

        With ``spec.idempotency_key`` set and a job already stored for the same endpoint,
        owner and key, return ``(that_job, False)``.

        Raises:
            IdempotencyKeyReusedError: Same key, different arguments or callback.
        """
        ...

    def claim(
        self,
        worker: str,
        *,
        now: float,
        lease: float,
        limit: int = 1,
        endpoints: Collection[str] | None = None,
        stage: Stage | None = None,
    ) -> list[Claim]:
        """Atomically lease up to ``limit`` due jobs (queued, delivering, or lease expired).

        ``stage="run"`` leases only jobs to run (queued or running), ``stage="deliver"`` only
        jobs to deliver, so that runs and deliveries can have separate budgets.
        """
        ...

    def heartbeat(self, claim: Claim, *, now: float, lease: float) -> bool:
        """Extend a lease; ``False`` when the claim is stale."""
        ...

    def finish_run(
        self,
        claim: Claim,
        *,
        now: float,
        outcome: Outcome,
        payload: bytes,
        deliver: bool,
        error: str | None = None,
    ) -> bool:
        """Store the run's payload; then deliver it (``deliver``) or end as ``failed``."""
        ...

    def finish_delivery(
        self, claim: Claim, attempt: JobAttempt, *, now: float, retry_at: float | None
    ) -> bool:
        """Log a delivery attempt; then end the job, schedule a retry, or dead-letter it.

        A successful attempt ends the job (``succeeded``, or ``failed`` for an error
        payload); a failed one is retried at ``retry_at`` or, when ``None``, is ``dead``.
        """
        ...

    def release(self, claim: Claim, *, now: float) -> bool:
        """Give a claimed job back without an attempt (graceful shutdown)."""
        ...

    def requeue(self, job_id: str, *, now: float) -> Job:
        """Deliver a finished or dead job again (or run it again if it has no payload).

        Raises:
            JobNotFoundError: No such job.
        """
        ...

    def cancel(self, job_id: str, *, now: float, reason: str = "cancelled") -> tuple[Job, bool]:
        """Stop a job that has not ended: it becomes ``cancelled`` and no worker touches it.

        A worker that holds its lease loses it (its later writes are stale and dropped).
        Returns ``(job, cancelled)``; ``cancelled`` is ``False`` when the job had already
        ended (it is returned unchanged).

        Raises:
            JobNotFoundError: No such job.
        """
        ...

    def get(self, job_id: str) -> Job | None:
        """Return a job, or ``None``."""
        ...

    def attempts(self, job_id: str) -> list[JobAttempt]:
        """Return a job's attempts log, oldest first."""
        ...

    def list_jobs(self, *, state: JobState | None = None, limit: int = 100) -> list[Job]:
        """Return jobs, newest first, optionally only in one state."""
        ...

    def next_due(self, *, endpoints: Collection[str] | None = None) -> float | None:
        """Return when the earliest non-terminal job becomes claimable, or ``None``."""
        ...

    def prune(self, *, finished_before: float) -> int:
        """Delete terminal jobs (and their attempts) finished before a time; return the count."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...
