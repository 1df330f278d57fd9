"""The worker: claims jobs, runs them, delivers results; usable from WSGI and ASGI apps."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hmac
import logging
import os
import random
import ssl
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apicore_callbacks._celery import CeleryPublisher
from apicore_callbacks._config import Settings
from apicore_callbacks._documents import Acceptance, acceptance, status_document
from apicore_callbacks._errors import BrokerUnavailableError, JobNotFoundError
from apicore_callbacks._forwarding import clean_request_id, clean_traceparent
from apicore_callbacks._holders import RECLAIM_INTERVAL, holder_name, reclaim_dead
from apicore_callbacks._jobs import (
    CallbackRequest,
    Claim,
    Job,
    JobSpec,
    JobStore,
    Stage,
)
from apicore_callbacks._processing import JobProcessor, Runner, TimeSource
from apicore_callbacks._sqlite import SQLiteJobStore
from apicore_callbacks._ssrf import Resolver, load_delivery, sendable_url
from apicore_introspect import Clock

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("apicore_callbacks")

Publisher = Callable[[Job], None]
"""Hands a stored job to an external executor (Celery); raises when the broker refuses it."""


@dataclass(frozen=True)
class Submission:
    """The result of :meth:`Dispatcher.submit`.

    Attributes:
        job: The committed job.
        created: ``False`` when an ``Idempotency-Key`` matched an existing job.
        acceptance: The 202 answer to send.
    """

    job: Job
    created: bool
    acceptance: Acceptance


class Dispatcher:
    """Accepts callback jobs and runs a background worker that executes and delivers them.

    :meth:`start` runs the worker in a thread with its own event loop, so the same object
    works in a WSGI app (no loop) and an ASGI app (call it from the lifespan). Async runners
    run as tasks on that loop, sync runners in a bounded thread pool; runs and deliveries
    have separate budgets (``settings.concurrency``, ``settings.delivery_concurrency``). At
    start the worker resumes every due job of the store, including those whose lease expired
    (crash); leases held by dead processes of the same host end at once (see
    :mod:`apicore_callbacks._holders`), not when they run out.

    With ``settings.broker`` set (``APICORE_CALLBACKS_BROKER=redis://...``), jobs are stored
    in Redis and published to Celery workers (see :mod:`apicore_callbacks.celery`); then
    :meth:`start` runs nothing locally and :meth:`submit` returns only after the broker took
    the task.

    Args:
        store: The job store (default: ``SQLiteJobStore(settings.db)``, or a
            ``RedisJobStore`` when ``settings.broker`` is set).
        settings: Settings (default: :meth:`Settings.from_env`).
        runners: Runner per endpoint name; add more with :meth:`register`.
        transport: The httpx transport that really sends (tests: ``httpx.MockTransport``);
            the SSRF guard always wraps it.
        resolver: DNS resolver for the SSRF guard (default ``getaddrinfo``).
        clock: A function returning the current Unix time (default ``time.time``), or an
            :class:`~apicore_introspect.Clock` (its ``time()`` is read).
        rng: Source of retry jitter.
        worker_id: Name of this worker in leases (default ``host:pid:start time:serial``).
        publisher: Hands each new or requeued job to an external executor instead of the
            local worker (default: Celery when ``settings.broker`` is set).

    Raises:
        MissingExtraError: ``settings.broker`` is set but Celery is not installed.
    """

    def __init__(
        self,
        store: JobStore | None = None,
        *,
        settings: Settings | None = None,
        runners: Mapping[str, Runner] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Clock | TimeSource | None = None,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        if self.settings.broker is not None and (store is None or publisher is None):
            # Celery and redis are an optional extra: CeleryPublisher imports them on use.
            celery_publisher = CeleryPublisher(self.settings, store=store)
            store = celery_publisher.store
            publisher = publisher if publisher is not None else celery_publisher
        # The default SQLite store is opened on first use, not here: an app that only
        # describes itself (`asymmetric docs`, `symmetric docs`) creates no database file.
        self._store: JobStore | None = store
        self._store_lock = threading.Lock()
        self.publisher = publisher
        self._runners: dict[str, Runner] = dict(runners or {})
        self._transport = transport
        self._resolver = resolver
        clock = clock if clock is not None else time.time
        self._clock: TimeSource = clock if callable(clock) else clock.time
        self._rng = rng if rng is not None else random.Random()
        self._named = worker_id is not None
        self.worker_id = worker_id or holder_name(f"{id(self):x}")
        self._reclaimed_at = -RECLAIM_INTERVAL
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._stop_timeout = 10.0
        self._ready = threading.Event()
        self._tls: ssl.SSLContext | None = None
        self._fork_hook = False
        self._processor = JobProcessor(
            open_store=lambda: self.store,
            settings=self.settings,
            runners=self._runners,
            clock=self._clock,
            rng=self._rng,
            wake=self._notify,
        )

    @property
    def store(self) -> JobStore:
        """The job store (the SQLite file of ``settings.db`` unless one was given)."""
        if self._store is None:
            with self._store_lock:
                if self._store is None:
                    self._store = SQLiteJobStore(
                        self.settings.db, synchronous=self.settings.synchronous
                    )
        return self._store

    @store.setter
    def store(self, store: JobStore) -> None:
        self._store = store

    # -- accepting -------------------------------------------------------------------------

    def register(self, endpoint: str, runner: Runner) -> None:
        """Run jobs of ``endpoint`` with ``runner`` (only registered endpoints are claimed)."""
        self._runners[endpoint] = runner

    def submit(
        self,
        endpoint: str,
        arguments: Mapping[str, Any],
        callback: CallbackRequest,
        *,
        request_id: str | None = None,
        traceparent: str | None = None,
        owner: str | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Commit a job durably, wake the worker, and return the 202 answer to send.

        Blocking (one fsync, or with a broker one Redis round trip and one publish): from
        async code use :meth:`asubmit`. With a publisher, the job is deleted again when the
        publish fails (nothing runs a job whose client got an error); should that delete fail
        too, the workers' sweeper publishes the job after ``republish_after`` seconds.

        A malformed ``request_id`` or ``traceparent`` is dropped (never forwarded).

        Raises:
            InvalidCallbackURLError: The delivery's HTTP client cannot send to
                ``callback.url`` (answer 422; :meth:`CallbackConfig.parse` checks the SSRF
                policy too).
            IdempotencyKeyReusedError: The key was used with other arguments (answer 422).
            BrokerUnavailableError: The store or broker is unreachable (answer 503).
        """
        sendable_url(callback.url)
        spec = JobSpec(
            endpoint=endpoint,
            arguments=arguments,
            callback=callback,
            request_id=clean_request_id(request_id),
            traceparent=clean_traceparent(traceparent),
            owner=owner,
            idempotency_key=idempotency_key,
        )
        job, created = self.store.submit(spec, now=self._clock())
        if created and self.publisher is not None:
            self._publish_new(job)
        elif created:
            self._notify()
        return Submission(
            job=job,
            created=created,
            acceptance=acceptance(job, prefix=self.settings.jobs_prefix, created=created),
        )

    def _publish_new(self, job: Job) -> None:
        assert self.publisher is not None
        try:
            self.publisher(job)
        except Exception as exc:
            logger.warning("job %s: publish failed (%s); not accepted", job.id, type(exc).__name__)
            delete = getattr(self.store, "delete", None)
            with contextlib.suppress(Exception):
                if delete is not None:
                    delete(job.id)
            raise BrokerUnavailableError(
                "the broker did not accept the job; check APICORE_CALLBACKS_BROKER"
            ) from exc

    async def asubmit(
        self,
        endpoint: str,
        arguments: Mapping[str, Any],
        callback: CallbackRequest,
        **options: Any,
    ) -> Submission:
        """:meth:`submit` in a worker thread, for async frameworks."""
        return await asyncio.to_thread(self.submit, endpoint, arguments, callback, **options)

    def status(self, job_id: str, *, owner: str | None = None) -> dict[str, Any] | None:
        """Return the ``GET /jobs/{id}`` body, or ``None`` (answer 404) when not visible.

        A job created with an owner is visible only to the same owner (constant-time check);
        answering 404 rather than 403 does not reveal that the id exists.
        """
        job = self._visible(job_id, owner)
        if job is None:
            return None
        return status_document(job, self.store.attempts(job_id), prefix=self.settings.jobs_prefix)

    def _visible(self, job_id: str, owner: str | None) -> Job | None:
        job = self.store.get(job_id)
        if job is None or job.owner is None:
            return job
        same = owner is not None and hmac.compare_digest(owner.encode(), job.owner.encode())
        return job if same else None

    def cancel(self, job_id: str, *, owner: str | None = None) -> tuple[Job, bool] | None:
        """Cancel a job for ``DELETE /jobs/{id}``; ``None`` (answer 404) when not visible.

        Visibility is that of :meth:`status`. Returns ``(job, cancelled)``; ``cancelled`` is
        ``False`` when the job had already ended (answer 409).
        """
        if self._visible(job_id, owner) is None:
            return None
        reason = "cancelled by its owner" if owner is not None else "cancelled"
        try:
            return self.store.cancel(job_id, now=self._clock(), reason=reason)
        except JobNotFoundError:
            return None

    def requeue(self, job_id: str) -> Job:
        """Deliver a dead (or finished) job again; see :meth:`JobStore.requeue`."""
        job = self.store.requeue(job_id, now=self._clock())
        if self.publisher is not None:
            # A failed publish is caught up by the workers' sweeper (the job is due).
            with contextlib.suppress(Exception):
                self.publisher(job)
        self._notify()
        return job

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background worker thread (idempotent).

        With a publisher (Celery), jobs run on the external workers: nothing starts here.
        A started dispatcher starts again in a forked child (threads do not survive a fork):
        under ``gunicorn --preload`` every worker process runs its own.
        """
        load_delivery()  # here, on the starting thread, not first in the worker thread
        if self.publisher is not None:
            return
        if self._thread is not None and self._thread.is_alive():
            return
        if not self._fork_hook:
            self._fork_hook = True
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _restart_in_child(ref))
        self._stopping = False
        self._ready.clear()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve()), name="apicore-callbacks", daemon=True
        )
        self._thread.start()
        self._ready.wait(timeout=10)

    def _forked(self) -> None:
        # In a forked child: the parent's thread and loop are not ours; start our own.
        running = self._thread is not None and not self._stopping
        self._thread, self._loop, self._wake = None, None, None
        self._ready = threading.Event()
        self._reclaimed_at = -RECLAIM_INTERVAL
        if not self._named:
            self.worker_id = holder_name(f"{id(self):x}")
        if running:
            self.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let in-flight jobs finish up to ``timeout``, release the rest."""
        self._stop_timeout = timeout
        self._stopping = True
        self._notify()
        if self._thread is not None:
            self._thread.join(timeout + 5)
            self._thread = None

    def __enter__(self) -> Dispatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _notify(self) -> None:
        """Wake the worker loop (from any thread)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(wake.set)

    def drain(self, *, advance: bool = False, max_steps: int = 10_000) -> int:
        """Process due jobs in the calling thread until none is due; return the steps done.

        For tests and scripts (not inside a running event loop). With ``advance=True`` the
        clock (a :class:`~apicore_callbacks.testing.FakeClock`) jumps to each next due time,
        so a multi-day retry schedule runs in milliseconds.
        """
        return asyncio.run(self._drain(advance=advance, max_steps=max_steps))

    def process(self, claim: Claim) -> None:
        """Run one claimed job's stage (run or deliver) in the calling thread.

        For external executors: a Celery task claims a job by id and calls this. Any error is
        recorded as a failed attempt of the stage; only when the store itself fails does the
        job wait for its lease to expire.
        """
        asyncio.run(self._process_one(claim))

    async def _process_one(self, claim: Claim) -> None:
        async with self._session() as (client, pool):
            await self._processor.process(claim, client, pool)

    async def _drain(self, *, advance: bool, max_steps: int) -> int:
        steps = 0
        async with self._session() as (client, pool):
            while steps < max_steps:
                claims = self._claim(self.settings.concurrency)
                if claims:
                    await asyncio.gather(
                        *(self._processor.process(c, client, pool) for c in claims)
                    )
                    steps += len(claims)
                    continue
                due = self.store.next_due(endpoints=list(self._runners))
                if not advance or due is None:
                    break
                advance_to = getattr(self._clock, "advance_to", None)
                if advance_to is None:
                    raise TypeError("drain(advance=True) needs a clock with advance_to()")
                advance_to(due)
        return steps

    def _claim(self, limit: int, stage: Stage | None = None) -> list[Claim]:
        """Lease due jobs of the registered endpoints."""
        return self.store.claim(
            self.worker_id,
            now=self._clock(),
            lease=self.settings.lease,
            limit=limit,
            endpoints=list(self._runners),
            stage=stage,
        )

    @contextlib.asynccontextmanager
    async def _session(
        self,
    ) -> AsyncIterator[tuple[httpx.AsyncClient, concurrent.futures.ThreadPoolExecutor]]:
        """The HTTP client that delivers and the thread pool that runs sync functions."""
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.settings.concurrency, thread_name_prefix="apicore-callbacks-run"
        )
        try:
            async with self._client() as client:
                yield client, pool
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _client(self) -> httpx.AsyncClient:
        load_delivery()  # httpx and the guard load on first delivery, not at import
        import httpx

        from apicore_callbacks._guard import GuardedTransport

        inner = self._transport
        if inner is None:
            # Loading the CA bundle costs tens of milliseconds: once per dispatcher, not per
            # client (a Celery task builds a client per job).
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
            inner = httpx.AsyncHTTPTransport(verify=self._tls)
        guard = GuardedTransport(self.settings.policy, inner=inner, resolver=self._resolver)
        return httpx.AsyncClient(
            transport=guard,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.settings.retry.timeout),
        )

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        tasks: set[asyncio.Task[None]] = set()
        try:
            async with self._session() as (client, pool):
                await self._serve_loop(tasks, client, pool)
                await self._shutdown(tasks)
        finally:
            self._loop = None
            self._wake = None

    async def _serve_loop(
        self,
        tasks: set[asyncio.Task[None]],
        client: httpx.AsyncClient,
        pool: concurrent.futures.Executor,
    ) -> None:
        assert self._wake is not None
        budgets: tuple[tuple[Stage, set[asyncio.Task[None]], int], ...] = (
            ("run", set(), self.settings.concurrency),
            ("deliver", set(), self.settings.delivery_concurrency),
        )
        while not self._stopping:
            self._wake.clear()
            wait = self.settings.poll_interval
            more = False
            try:
                await self._reclaim()
                for stage, running, budget in budgets:
                    free = budget - len(running)
                    if free <= 0:
                        continue
                    claims = await asyncio.to_thread(self._claim, free, stage)
                    for claim in claims:
                        task = asyncio.create_task(self._processor.process(claim, client, pool))
                        tasks.add(task)
                        running.add(task)
                        task.add_done_callback(tasks.discard)
                        task.add_done_callback(running.discard)
                        task.add_done_callback(lambda _: self._notify())
                    more = more or len(claims) == free
                if not more:
                    due = await asyncio.to_thread(
                        self.store.next_due, endpoints=list(self._runners)
                    )
                    # A job due now but not claimed waits for a budget: a finishing task
                    # wakes the loop.
                    if due is not None and due > self._clock():
                        wait = min(wait, due - self._clock())
            except Exception:
                logger.exception("job store unavailable; retrying")
            if more:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _reclaim(self) -> None:
        """End the leases held by dead processes of this host (every few seconds)."""
        started = time.monotonic()
        if started - self._reclaimed_at < RECLAIM_INTERVAL:
            return
        self._reclaimed_at = started
        count = await asyncio.to_thread(
            reclaim_dead, self.store, now=self._clock(), keep=self.worker_id
        )
        if count:
            logger.warning("%d job(s) leased by dead processes of this host resume now", count)

    async def _shutdown(self, tasks: set[asyncio.Task[None]]) -> None:
        if not tasks:
            return
        _, pending = await asyncio.wait(set(tasks), timeout=self._stop_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)


def _restart_in_child(ref: weakref.ref[Dispatcher]) -> None:
    dispatcher = ref()
    if dispatcher is not None:
        dispatcher._forked()
