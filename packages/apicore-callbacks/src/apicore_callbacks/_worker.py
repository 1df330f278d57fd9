"""The Celery side of a dispatcher: its job task, and the worker that runs it.

:mod:`apicore_callbacks._celery` publishes (the :class:`Dispatcher` uses it when a broker is
set); this module runs what was published, through the dispatcher.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import time
from collections.abc import Sequence
from typing import Any

from apicore_callbacks._celery import QUEUE, TASK_NAME, CeleryPublisher, Sweeper
from apicore_callbacks._config import ENV_BROKER
from apicore_callbacks._dispatcher import Dispatcher
from apicore_callbacks._errors import SettingsError
from apicore_callbacks._holders import holder_name
from apicore_callbacks._jobs import JobState
from apicore_callbacks._redis import RedisJobStore

logger = logging.getLogger("apicore_callbacks")


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
    job = store.get(job_id) if claim.stage == "run" else None
    publisher = dispatcher.publisher
    if job is not None and job.state is JobState.DELIVERING and job.run_at <= time.time():
        # Delivery is its own message, so a worker dying now does not run the function
        # again; if this publish fails the sweeper publishes the job after republish_after.
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


def load_dispatcher(target: str) -> Dispatcher:
    """Import ``"package.module[:attribute]"`` and return its dispatcher.

    The attribute (default ``dispatcher``) is a :class:`Dispatcher` or a function returning
    one.
    """
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
    dispatcher = target if isinstance(target, Dispatcher) else load_dispatcher(target)
    app = bind(dispatcher)
    options = list(argv or [])
    if not any(o in ("-Q", "--queues") or o.startswith("--queues=") for o in options):
        options = ["--queues", QUEUE, *options]
    app.worker_main(["worker", *options])
