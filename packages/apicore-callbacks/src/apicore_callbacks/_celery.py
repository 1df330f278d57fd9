"""Celery as the executor: jobs live in :class:`RedisJobStore`; a message says "look at job X".

The store stays the source of truth, exactly as with the embedded worker: a task claims its
job by id with a lease (a duplicate or stale message finds nothing to do), runs the stage
through :meth:`Dispatcher.process` (the same run and delivery code as embedded), and publishes
a new message for the delivery stage. Due jobs nobody was told about -- a retry that came due,
a job whose worker was killed (its lease expired), a publish that failed -- are published by
a sweeper thread in every worker's main process. So no Celery ETA is ever used (Redis would
redeliver ETA messages older than the visibility timeout again and again) and a lost message
only delays a job.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from apicore_callbacks._errors import MissingExtraError, SettingsError
from apicore_callbacks._holders import RECLAIM_INTERVAL, holder_name, reclaim_dead
from apicore_callbacks._jobs import Job, JobState, JobStore
from apicore_callbacks._redis import RedisJobStore
from apicore_callbacks._settings import ENV_BROKER, Settings

if TYPE_CHECKING:
    from apicore_callbacks._dispatcher import Dispatcher

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


def execute(dispatcher: Dispatcher, job_id: str) -> str:
    """Claim one job by id and run its due stage; return what happened.

    Returns ``"run"`` or ``"deliver"`` (the stage processed) or ``"skipped"`` (the job is not
    due, is leased by another worker, is finished, or does not exist).
    """
    store = dispatcher.store
    if not isinstance(store, RedisJobStore):
        raise TypeError("the Celery executor needs the dispatcher's store to be a RedisJobStore")
    worker = holder_name("celery")  # host:pid:start: a sweeper of the host sees it die
    claim = store.claim_job(job_id, worker, now=time.time(), lease=dispatcher.settings.lease)
    if claim is None:
        return "skipped"
    dispatcher.process(claim)
    if claim.stage == "run":
        job = store.get(job_id)
        now = time.time()
        publisher = dispatcher.publisher
        if job is not None and job.state is JobState.DELIVERING and job.run_at <= now:
            # Delivery is its own message, so a worker dying now does not run the function
            # again; if this publish fails the sweeper publishes the job after
            # republish_after.
            try:
                if publisher is not None:
                    publisher(job)
            except Exception:
                logger.warning("job %s: publish failed", job_id)
    return claim.stage


def bind(dispatcher: Dispatcher) -> Any:
    """Register the job task for ``dispatcher`` on its Celery app and return the app.

    A worker of that app -- started by :func:`worker_main` or by ``celery -A module:app
    worker`` -- also runs the sweeper in its main process once it is ready (after the pool
    processes were forked), stopped at worker shutdown.

    Raises:
        SettingsError: The dispatcher was built without a broker.
    """
    publisher = dispatcher.publisher
    if not isinstance(publisher, CeleryPublisher):
        raise SettingsError(
            f"the dispatcher has no broker: set {ENV_BROKER}=redis://... before it is created"
        )
    app = publisher.app

    @app.task(name=TASK_NAME, ignore_result=True)  # type: ignore[untyped-decorator]
    def job(job_id: str) -> str:
        return execute(dispatcher, job_id)

    sweepers: list[Sweeper] = []

    def start_sweeper(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is app and not sweepers:
            sweepers.append(Sweeper(dispatcher.settings).start())

    def stop_sweeper(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is app:
            while sweepers:
                sweepers.pop().stop()

    signals = importlib.import_module("celery.signals")
    signals.worker_ready.connect(start_sweeper, weak=False)
    signals.worker_shutdown.connect(stop_sweeper, weak=False)
    return app


def sweep(store: RedisJobStore, publisher: CeleryPublisher, *, now: float) -> int:
    """Publish every due job that has no pending message; return how many were published."""
    count = 0
    for job_id in store.take_unpublished(now=now):
        try:
            publisher.publish(job_id)
            count += 1
        except Exception:
            logger.warning(
                "job %s: publish failed; retried after republish_after",
                job_id,
            )
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


def load_dispatcher(target: str) -> Dispatcher:
    """Import ``"package.module[:attribute]"`` and return its dispatcher.

    The attribute (default ``dispatcher``) is a :class:`Dispatcher` or a function returning
    one.
    """
    from apicore_callbacks._dispatcher import Dispatcher

    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise  # an import inside the user's module failed: show it as it is
        raise SettingsError(
            f"cannot import {module_name!r}: run from the directory that contains it or set "
            "PYTHONPATH"
        ) from exc
    value = getattr(module, attribute or "dispatcher", None)
    if inspect.isfunction(value):
        value = value()
    if not isinstance(value, Dispatcher):
        raise SettingsError(
            f"{target!r} is not a Dispatcher: name one as 'module:attribute' "
            "(default attribute: dispatcher)"
        )
    return value


def worker_main(target: Dispatcher | str, argv: Sequence[str] | None = None) -> None:
    """Run a Celery worker for a dispatcher's callback endpoints (returns when it stops).

    ``target`` is a :class:`Dispatcher` with its runners registered and a broker configured,
    or ``"module:attribute"`` naming one (imported here, as ``asymmetric worker module``
    does). ``argv`` are ``celery worker`` options, passed through unchanged (``--pool``,
    ``--concurrency``, ``--loglevel``, ``--hostname``, ...); the worker consumes the
    ``apicore-callbacks`` queue unless ``-Q``/``--queues`` is given. A sweeper thread
    publishes due retries and the jobs of crashed workers (see :func:`bind`).

    Raises:
        SettingsError: ``target`` is not a dispatcher or has no broker.
        MissingExtraError: Celery is not installed.
    """
    from apicore_callbacks._dispatcher import Dispatcher

    dispatcher = target if isinstance(target, Dispatcher) else load_dispatcher(target)
    app = bind(dispatcher)
    options = list(argv or [])
    if not any(o in ("-Q", "--queues") or o.startswith("--queues=") for o in options):
        options = ["--queues", QUEUE, *options]
    app.worker_main(["worker", *options])
