"""The job state machine, decided once and in pure code: the stores only persist it.

A write under a claim is decided from the claim's snapshot alone, which the fencing token
keeps current; what a store must pick atomically from what it finds stored (:data:`CLAIM`,
:data:`CLAIMABLE`, :func:`requeued`) is a table here, rendered into its SQL or Lua.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from apicore_callbacks._jobs import Claim, Job, JobAttempt, JobState, Outcome, Stage
from apicore_callbacks._retry import DeliveryRetryPolicy, Verdict

ACTIVE: tuple[JobState, ...] = tuple(s for s in JobState if not s.terminal)
"""The states a worker may still touch (a job in them can be claimed or cancelled)."""

TERMINAL: tuple[JobState, ...] = tuple(s for s in JobState if s.terminal)
"""The states a job ends in (pruned once old enough)."""

LEASED: tuple[JobState, ...] = (JobState.RUNNING, JobState.DELIVERING)
"""The states in which a job may be under a worker's lease."""


@dataclass(frozen=True)
class ClaimStep:
    """What a claim does to a job found in one state.

    Attributes:
        state: The job's state under the claim.
        runs: Added to ``run_count`` (a run, or a run again after a crash, counts).
        stage: The stage the claim is for.
    """

    state: JobState
    runs: int
    stage: Stage


CLAIM: Mapping[JobState, ClaimStep] = {
    JobState.QUEUED: ClaimStep(JobState.RUNNING, 1, "run"),
    JobState.RUNNING: ClaimStep(JobState.RUNNING, 1, "run"),  # its worker's lease expired
    JobState.DELIVERING: ClaimStep(JobState.DELIVERING, 0, "deliver"),
}
"""The claim of a due job, by the state it is found in (the :data:`ACTIVE` states)."""

CLAIMABLE: Mapping[Stage | None, tuple[JobState, ...]] = {
    None: ACTIVE,
    "run": tuple(s for s, step in CLAIM.items() if step.stage == "run"),
    "deliver": tuple(s for s, step in CLAIM.items() if step.stage == "deliver"),
}
"""The states a claim for a stage (``None``: any) takes jobs from."""


def claim_of(job: Job, worker: str) -> Claim:
    """Return the :class:`Claim` a store hands out for ``job``, as stored after the claim."""
    return Claim(job=job, token=job.fence, stage=CLAIM[job.state].stage, worker=worker)


@dataclass(frozen=True)
class Change:
    """The fields one transition writes on a claimed job; the lease always ends with it.

    Attributes:
        state: The new state.
        run_at: When the job is due next (the retry time of a failed delivery).
        finished_at: When it ended (``None`` while it is active).
        last_error: The error to show (``None`` clears it).
        run_count: The runs counted so far.
        delivery_count: The delivery attempts counted so far.
        attempt: The entry to append to the attempts log, if any.
    """

    state: JobState
    run_at: float
    finished_at: float | None
    last_error: str | None
    run_count: int
    delivery_count: int
    attempt: JobAttempt | None = None

    @property
    def ended(self) -> bool:
        """Whether the job ends with this change."""
        return self.state.terminal


def after_run(
    claim: Claim, *, now: float, outcome: Outcome, deliver: bool, error: str | None = None
) -> Change:
    """The job once its run stored a payload: delivered next, or ``failed`` without a callback."""
    job = claim.job
    state = JobState.DELIVERING if deliver else JobState.FAILED
    attempt = JobAttempt(
        job_id=job.id,
        number=job.run_count,
        stage="run",
        started_at=job.updated_at,
        finished_at=now,
        ok=outcome == "result",
        error=error,
    )
    return Change(
        state=state,
        run_at=now,
        finished_at=None if deliver else now,
        last_error=error,
        run_count=job.run_count,
        delivery_count=job.delivery_count,
        attempt=attempt,
    )


def after_delivery(
    claim: Claim, attempt: JobAttempt, *, now: float, retry_at: float | None
) -> Change:
    """The job once a delivery attempt ended.

    A successful attempt ends it (``succeeded``, or ``failed`` for an error payload); a failed
    one is retried at ``retry_at`` or, when ``None``, is ``dead``.
    """
    job = claim.job
    if attempt.ok:
        state = JobState.SUCCEEDED if job.outcome == "result" else JobState.FAILED
        error = job.last_error if job.outcome == "error" else None
    else:
        state = JobState.DELIVERING if retry_at is not None else JobState.DEAD
        error = attempt.error
    return Change(
        state=state,
        run_at=retry_at if retry_at is not None else now,
        finished_at=None if state is JobState.DELIVERING else now,
        last_error=error,
        run_count=job.run_count,
        delivery_count=job.delivery_count + 1,
        attempt=attempt,
    )


def released(claim: Claim) -> Change:
    """The job given back without an attempt: a run does not count, a delivery stays due."""
    job = claim.job
    run = claim.stage == "run"
    return Change(
        state=JobState.QUEUED if run else JobState.DELIVERING,
        run_at=job.run_at,
        finished_at=None,
        last_error=job.last_error,
        run_count=job.run_count - 1 if run else job.run_count,
        delivery_count=job.delivery_count,
    )


@dataclass(frozen=True)
class Due:
    """Which due jobs one claim leases.

    Attributes:
        limit: At most this many jobs.
        stage: Only jobs of this stage (``None``: any); :attr:`states` are the states it
            takes jobs from.
        endpoints: Only jobs of these endpoints (``None``: any; never empty).
    """

    limit: int
    stage: Stage | None = None
    endpoints: tuple[str, ...] | None = None

    @property
    def states(self) -> tuple[JobState, ...]:
        """The states the claim takes jobs from (:data:`CLAIMABLE`)."""
        return CLAIMABLE[self.stage]


class ChangeWriter(abc.ABC):
    """The claim and the writes under it of :class:`~apicore_callbacks.stores.JobStore`.

    A store inherits :meth:`claim`, :meth:`finish_run`, :meth:`finish_delivery` and
    :meth:`release`, and implements :meth:`lease_due`, which leases the jobs a claim takes
    (as :data:`CLAIM` says), and :meth:`write_change`, which persists a decided
    :class:`Change`.
    """

    @abc.abstractmethod
    def lease_due(self, worker: str, due: Due, *, now: float, until: float) -> list[Job]:
        """Atomically lease the jobs ``due`` selects that are due at ``now`` and not leased.

        Earliest ``run_at`` first. Each job moves as :data:`CLAIM` says for the state it is
        found in, gets a new fencing token (``fence + 1``) and is leased to ``worker`` until
        ``until``; returns the jobs as stored after the claim.
        """

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
        """Lease up to ``limit`` due jobs; see :meth:`JobStore.claim`."""
        due = Due(limit, stage, None if endpoints is None else tuple(endpoints))
        if due.endpoints == ():
            return []
        jobs = self.lease_due(worker, due, now=now, until=now + lease)
        return [claim_of(job, worker) for job in jobs]

    @abc.abstractmethod
    def write_change(
        self, claim: Claim, change: Change, *, now: float, result: tuple[Outcome, bytes] | None
    ) -> bool:
        """Write ``change`` (and a run's ``(outcome, payload)``) if the claim is not stale.

        Ends the lease and appends ``change.attempt`` to the attempts log, atomically;
        returns ``False`` (writing nothing) when the claim's token is stale.
        """

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
        """Store the run's payload; see :meth:`JobStore.finish_run`."""
        change = after_run(claim, now=now, outcome=outcome, deliver=deliver, error=error)
        return self.write_change(claim, change, now=now, result=(outcome, payload))

    def finish_delivery(
        self, claim: Claim, attempt: JobAttempt, *, now: float, retry_at: float | None
    ) -> bool:
        """Log a delivery attempt and move the job on; see :meth:`JobStore.finish_delivery`."""
        change = after_delivery(claim, attempt, now=now, retry_at=retry_at)
        return self.write_change(claim, change, now=now, result=None)

    def release(self, claim: Claim, *, now: float) -> bool:
        """Give a claimed job back without an attempt; see :meth:`JobStore.release`."""
        return self.write_change(claim, released(claim), now=now, result=None)


@dataclass(frozen=True)
class Requeue:
    """What a requeue does: the state to restart in, and whether the runs count again."""

    state: JobState
    reset_runs: bool


def requeued(*, has_payload: bool) -> Requeue:
    """A requeued job delivers its stored payload again, or runs again when it has none.

    Its delivery attempts count from zero and it is due at once, whatever state it was in.
    """
    if has_payload:
        return Requeue(JobState.DELIVERING, reset_runs=False)
    return Requeue(JobState.QUEUED, reset_runs=True)


@dataclass(frozen=True)
class Answer:
    """What one delivery attempt came to.

    Attributes:
        verdict: Delivered, retry, or stop.
        error: A short description of the failure (``None`` when delivered).
        status: The receiver's HTTP status, when it answered.
        retry_after: The receiver's ``Retry-After`` in seconds, when it sent one.
    """

    verdict: Verdict
    error: str | None = None
    status: int | None = None
    retry_after: float | None = None


def plan_delivery(
    job: Job,
    answer: Answer,
    *,
    started: float,
    now: float,
    policy: DeliveryRetryPolicy,
    rng: random.Random,
) -> tuple[JobAttempt, float | None]:
    """Return a delivery attempt's log entry and when to retry (``None``: no retry).

    :func:`after_delivery` of them is the job's next state.
    """
    done = job.delivery_count + 1
    retry_at = None
    if answer.verdict is Verdict.RETRY:
        delay = policy.delay(done, retry_after=answer.retry_after, rng=rng)
        retry_at = None if delay is None else now + delay
    attempt = JobAttempt(
        job_id=job.id,
        number=done,
        stage="deliver",
        started_at=started,
        finished_at=now,
        ok=answer.verdict is Verdict.DELIVERED,
        status_code=answer.status,
        error=answer.error,
    )
    return attempt, retry_at
