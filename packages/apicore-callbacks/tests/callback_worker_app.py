"""The user module a Celery worker imports in the tests (``callback_worker_app:dispatcher``).

Settings come from the environment, as in a real deployment; ``CALLBACK_TEST_RUNS`` names a
file where every run of the function appends its job id, ``CALLBACK_TEST_WORKER`` and its pid (to
count executions across processes, including killed ones).
"""

from __future__ import annotations

import os
import time

from apicore_callbacks import DeliveryRetryPolicy, Dispatcher, Job, Settings

RUNS = os.environ.get("CALLBACK_TEST_RUNS", os.devnull)
WORKER = os.environ.get("CALLBACK_TEST_WORKER", "api")


def add(job: Job) -> int:
    with open(RUNS, "a", encoding="utf-8") as runs:  # one short O_APPEND write per run
        runs.write(f"{job.id} {WORKER} {os.getpid()}\n")
    time.sleep(float(job.arguments.get("sleep", 0)))
    return int(job.arguments["a"]) + int(job.arguments["b"])


dispatcher = Dispatcher(
    settings=Settings.from_env(
        lease=float(os.environ.get("CALLBACK_TEST_LEASE", "2")),
        max_runs=50,
        poll_interval=0.1,
        republish_after=30.0,
        retry=DeliveryRetryPolicy(schedule=(0.2, 0.5, 1.0), jitter=0.0, timeout=5.0),
    )
)
dispatcher.register("add", add)
