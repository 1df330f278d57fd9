"""Celery as the executor: jobs live in :class:`RedisJobStore`; a message says "look at job X".

The store stays the source of truth, exactly as with the embedded worker: a task claims its
job by id with a lease (a duplicate or stale message finds nothing to do), runs the stage
through :meth:`Dispatcher.process` (the same run and delivery code as embedded), and publishes
a new message for the delivery stage (the task and the worker are in
:mod:`apicore_callbacks._worker`). Due jobs nobody was told about -- a retry that came due,
a job whose worker was killed (its lease expired), a publish that failed -- are published by
a sweeper thread in every worker's main process. So no Celery ETA is ever used (Redis would
redeliver ETA messages older than the visibility timeout again and again) and a lost message
only delays a job.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from typing import Any

from apicore_callbacks._config import ENV_BROKER, Settings
from apicore_callbacks._errors import MissingExtraError, SettingsError
from apicore_callbacks._holders import RECLAIM_INTERVAL, reclaim_dead
from apicore_callbacks._jobs import Job, JobStore
from apicore_callbacks._redis import RedisJobStore

logger = logging.getLogger("apicore_callbacks")

TASK_NAME = "apicore_callbacks.job"
QUEUE = "apicore-callbacks"
EXTRA_HINT = 'pip install "apicore-callbacks[celery]"'


def _celery() -> Any:
    try:
        return importlib.import_module("celery")
    except ImportError as exc:
        raise MissingExtraError(
            f"the Celery backend ({ENV_BROKER} / broker=) needs Celery and redis: {EXTRA_HINT}"
        ) from exc


def create_app(settings: Settings | None = None, *, main: str = "apicore_callbacks") -> Any:
    """Return a Celery app configured for at-least-once execution of callback jobs.

    Late acknowledgement (``task_acks_late``) and ``task_reject_on_worker_lost`` give a
    message back to the broker when its worker dies; the Redis visibility timeout is
    ``settings.visibility_timeout`` (keep it above your longest job); JSON is the only
    accepted serialization (never pickle); each worker process prefetches one message.
    Results are not stored in Celery: the job store holds them.

    Args:
        settings: Settings with ``broker`` set (default: :meth:`Settings.from_env`).
        main: The Celery app name.

    Raises:
        SettingsError: No broker is configured.
        MissingExtraError: Celery is not installed.
    """
    settings = settings if settings is not None else Settings.from_env()
    if settings.broker is None:
        raise SettingsError(f"set {ENV_BROKER}=redis://host:port/db (or Settings(broker=...))")
    celery = _celery()
    app = celery.Celery(main, broker=settings.broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=QUEUE,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # A publish gives up quickly: the client is waiting for its 202 (or a 503).
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0.1,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        worker_hijack_root_logger=False,
    )
    return app


class CeleryPublisher:
    """Publishes job messages; a :class:`Dispatcher` uses it when a broker is configured.

    Args:
        settings: Settings with ``broker`` set.
        store: The job store (default: a :class:`RedisJobStore` on the broker URL).
        app: The Celery app (default: :func:`create_app`).
    """

    def __init__(
        self, settings: Settings, *, store: JobStore | None = None, app: Any | None = None
    ) -> None:
        self.settings = settings
        self.app = app if app is not None else create_app(settings)
        assert settings.broker is not None
        self.store: JobStore = (
            store
            if store is not None
            else RedisJobStore(settings.broker, republish_after=settings.republish_after)
        )

    def __call__(self, job: Job) -> None:
        """Publish a message for ``job`` (the broker has it when this returns).

        The job is first marked published, so the sweeper does not publish it again unless
        no worker took it within ``republish_after``.
        """
        if isinstance(self.store, RedisJobStore):
            self.store.mark_published(job.id, now=time.time())
        self.publish(job.id)

    def publish(self, job_id: str) -> None:
        """Publish a message for the job id; raises when the broker does not take it."""
        self.app.send_task(TASK_NAME, args=[job_id], queue=QUEUE)


def sweep(store: RedisJobStore, publisher: CeleryPublisher, *, now: float) -> int:
    """Publish every due job that has no pending message; return how many were published."""
    count = 0
    for job_id in store.take_unpublished(now=now):
        try:
            publisher.publish(job_id)
            count += 1
        except Exception:
            logger.warning("job %s: publish failed; retried after republish_after", job_id)
    return count


class Sweeper:
    """A daemon thread publishing due jobs every ``settings.poll_interval`` seconds.

    It uses its own Redis and broker connections, so forked pool processes never inherit a
    connection (or lock) in use.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.publisher = CeleryPublisher(settings)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="apicore-sweeper", daemon=True)

    def start(self) -> Sweeper:
        """Start the thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (waits at most a few seconds)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _loop(self) -> None:
        store = self.publisher.store
        assert isinstance(store, RedisJobStore)
        # The first sweep runs at once: a worker starting publishes the pending jobs, and
        # the jobs leased by dead worker processes of this host (SIGKILL, OOM) at once.
        reclaimed_at = -RECLAIM_INTERVAL
        while True:
            try:
                if time.monotonic() - reclaimed_at >= RECLAIM_INTERVAL:
                    reclaimed_at = time.monotonic()
                    count = reclaim_dead(store, now=time.time())
                    if count:
                        logger.warning(
                            "%d job(s) leased by dead worker processes of this host resume now",
                            count,
                        )
                sweep(store, self.publisher, now=time.time())
            except Exception:
                logger.warning("sweeper: Redis unavailable; retrying")
            if self._stop.wait(self.settings.poll_interval):
                return
