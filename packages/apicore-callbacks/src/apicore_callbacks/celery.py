"""Scale out: run callback jobs on Celery workers, with jobs stored in Redis.

Setting ``APICORE_CALLBACKS_BROKER=redis://host:6379/0`` (or ``Settings(broker=...)``) is
the only change an app needs: its :class:`~apicore_callbacks.Dispatcher` then stores jobs in a
:class:`~apicore_callbacks.RedisJobStore` and publishes them to Celery. Start workers with::

    python -m apicore_callbacks worker myapp.jobs:dispatcher --pool=prefork --concurrency=8

or from code with :func:`worker_main`, or bind the dispatcher to its Celery app and use
Celery's own command (``app = bind(dispatcher)``, then ``celery -A myapp.jobs:app worker``).
Needs ``pip install "apicore-callbacks[celery]"``; importing this module does not import
Celery (that happens on first use).
"""

from __future__ import annotations

from apicore_callbacks._celery import QUEUE, TASK_NAME, CeleryPublisher, create_app, sweep
from apicore_callbacks._worker import bind, execute, load_dispatcher, worker_main

__all__ = [
    "QUEUE",
    "TASK_NAME",
    "CeleryPublisher",
    "bind",
    "create_app",
    "execute",
    "load_dispatcher",
    "sweep",
    "worker_main",
]
