"""One claimed job's stage: run its function, or deliver its result (with heartbeats)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import inspect
import json
import logging
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from apicore_callbacks._config import Settings
from apicore_callbacks._delivery import send
from apicore_callbacks._documents import error_problem
from apicore_callbacks._jobs import Claim, Job, JobStore, Outcome
from apicore_callbacks._retry import Verdict
from apicore_callbacks._transitions import Answer, plan_delivery

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("apicore_callbacks")

Runner = Callable[[Job], Any]
"""Runs a job's function: ``(job) -> JSON-compatible result`` (sync, or async returning an
awaitable). It receives ``job.arguments`` as stored JSON and converts them itself."""

TimeSource = Callable[[], float]
"""Returns the current Unix time; :class:`apicore_introspect.testing.FakeClock` fits."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JobProcessor:
    """Processes claimed jobs for a :class:`~apicore_callbacks.Dispatcher`.

    Whatever fails, a claimed job follows its schedule: each stage ends with one write to
    the store (the run's payload, or the delivery attempt), decided by
    :mod:`apicore_callbacks._transitions`.

    Args:
        open_store: Returns the job store (the dispatcher opens its default store lazily).
        runners: The runner per endpoint (the dispatcher's, so later registrations count).
        wake: Called when a run stored its result (its delivery is due at once).
    """

    open_store: Callable[[], JobStore]
    settings: Settings
    runners: Mapping[str, Runner]
    clock: TimeSource
    rng: random.Random
    wake: Callable[[], None]

    @property
    def store(self) -> JobStore:
        """The job store."""
        return self.open_store()

    async def process(
        self, claim: Claim, client: httpx.AsyncClient, pool: concurrent.futures.Executor
    ) -> None:
        try:
            if claim.stage == "run":
                await self._run(claim, pool)
            else:
                await self._deliver(claim, client)
        except asyncio.CancelledError:
            # Shutdown: give the job back so another worker takes it at once.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.release, claim, now=self.clock())
            raise
        except Exception as exc:
            # Whatever failed, the job follows its schedule: one attempt is recorded (and
            # the traceback logged once), instead of a retry at every lease forever.
            logger.exception("job %s: internal error in the %s stage", claim.job.id, claim.stage)
            try:
                await self._record_failure(claim, f"internal error ({type(exc).__name__})")
            except Exception as again:
                logger.warning(
                    "job %s: the failure could not be recorded (%s); "
                    "the job resumes when its lease expires",
                    claim.job.id,
                    type(again).__name__,
                )

    async def _record_failure(self, claim: Claim, error: str) -> None:
        if claim.stage == "run":
            await self._finish_run(claim, "error", _problem(claim.job), error)
        else:
            await self._finish_delivery(claim, self.clock(), Answer(Verdict.RETRY, error))

    async def _finish_run(
        self, claim: Claim, outcome: Outcome, payload: bytes, error: str | None
    ) -> bool:
        deliver = outcome == "result" or self.settings.deliver_errors
        return await asyncio.to_thread(
            self.store.finish_run,
            claim,
            now=self.clock(),
            outcome=outcome,
            payload=payload,
            deliver=deliver,
            error=error,
        )

    async def _call(self, runner: Runner, job: Job, pool: concurrent.futures.Executor) -> Any:
        if inspect.iscoroutinefunction(runner):
            result = await runner(job)
        else:
            result = await asyncio.get_running_loop().run_in_executor(pool, runner, job)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _heartbeat(self, claim: Claim) -> None:
        interval = self.settings.lease / 3
        while True:
            await asyncio.sleep(interval)
            alive = await asyncio.to_thread(
                self.store.heartbeat, claim, now=self.clock(), lease=self.settings.lease
            )
            if not alive:
                logger.warning("job %s: lease lost", claim.job.id)
                return

    async def _run(self, claim: Claim, pool: concurrent.futures.Executor) -> None:
        job = claim.job
        outcome: Outcome = "result"
        error: str | None = None
        if job.run_count > self.settings.max_runs:
            outcome, error = "error", f"interrupted {job.run_count - 1} times (worker crash)"
            body: object = error_problem(job)
        else:
            heartbeat = asyncio.create_task(self._heartbeat(claim))
            try:
                result = await self._call(self.runners[job.endpoint], job, pool)
                body = {job.callback.key: result} if job.callback.key else result
            except (Exception, SystemExit):  # a function's sys.exit() must not stop the worker
                logger.exception(
                    "job %s (request id %s): the function raised", job.id, job.request_id
                )
                outcome, error = "error", "the function raised an exception"
                body = error_problem(job)
            finally:
                heartbeat.cancel()
        try:
            payload = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError):
            logger.exception("job %s: result is not JSON", job.id)
            outcome, error = "error", "the function's result is not JSON serializable"
            payload = _problem(job)
        if not await self._finish_run(claim, outcome, payload, error):
            logger.warning("job %s: stale claim, run result dropped", job.id)
        else:
            self.wake()

    async def _deliver(self, claim: Claim, client: httpx.AsyncClient) -> None:
        started = self.clock()
        answer = await send(
            claim.job,
            client,
            started=started,
            secrets=self.settings.secrets,
            deadline=self.settings.retry.timeout,
            max_body=self.settings.max_response_body,
            clock=self.clock,
        )
        await self._finish_delivery(claim, started, answer)

    async def _finish_delivery(self, claim: Claim, started: float, answer: Answer) -> None:
        job, now = claim.job, self.clock()
        attempt, retry_at = plan_delivery(
            job, answer, started=started, now=now, policy=self.settings.retry, rng=self.rng
        )
        if not attempt.ok:
            logger.warning(
                "job %s delivery attempt %d failed: %s%s",
                job.id,
                attempt.number,
                attempt.error,
                "" if retry_at is not None else "; dead-lettered",
            )
        await asyncio.to_thread(
            self.store.finish_delivery, claim, attempt, now=now, retry_at=retry_at
        )


def _problem(job: Job) -> bytes:
    """The payload of a job whose run failed: its :func:`error_problem` document."""
    return json.dumps(error_problem(job)).encode()
