"""``python -m apicore_callbacks``: list, show, cancel and requeue jobs; run Celery workers."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from apicore_callbacks._config import Settings
from apicore_callbacks._documents import status_document
from apicore_callbacks._errors import JobNotFoundError
from apicore_callbacks._jobs import JobState, JobStore
from apicore_callbacks._redis import RedisJobStore
from apicore_callbacks._sqlite import SQLiteJobStore

WORKER_USAGE = """\
usage: python -m apicore_callbacks worker MODULE[:ATTRIBUTE] [celery worker options]

Start a Celery worker running the callback jobs of the Dispatcher named by MODULE:ATTRIBUTE
(default attribute: dispatcher). Needs APICORE_CALLBACKS_BROKER=redis://... and
pip install "apicore-callbacks[celery]". Options after the target go to `celery worker`."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["worker"]:
        return _worker(args_list[1:])
    parser = argparse.ArgumentParser(
        prog="python -m apicore_callbacks",
        description="Inspect, cancel and requeue callback jobs.",
    )
    parser.add_argument("--db", help="store path (default: $APICORE_CALLBACKS_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list jobs, newest first")
    listing.add_argument("--state", choices=[s.value for s in JobState])
    listing.add_argument("--limit", type=int, default=50)
    for name, text in (
        ("show", "show one job as JSON"),
        ("cancel", "stop a job that has not ended (no more runs or deliveries)"),
        ("requeue", "deliver a job again"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("job_id")
        sub.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    listing.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    commands.add_parser("worker", help="run a Celery worker (worker --help)", add_help=False)
    args = parser.parse_args(args_list)
    db = args.db_sub or args.db
    settings = Settings.from_env(db=db)
    store: JobStore
    if settings.broker is not None and db is None:
        # APICORE_CALLBACKS_BROKER set: the jobs are in Redis; the workers' sweeper publishes
        # a requeued job.
        store = RedisJobStore(settings.broker)
    elif not settings.db.exists():
        print(f"error: no job store at {settings.db} (pass --db PATH)", file=sys.stderr)
        return 2
    else:
        store = SQLiteJobStore(settings.db)
    try:
        if args.command == "list":
            state = JobState(args.state) if args.state else None
            for job in store.list_jobs(state=state, limit=args.limit):
                # one line per job: control characters of stored text never reach the terminal
                error = json.dumps(job.last_error) if job.last_error is not None else "-"
                print(
                    f"{job.id}\t{job.state.value}\t{json.dumps(job.endpoint)}\t"
                    f"runs={job.run_count}\tdeliveries={job.delivery_count}\t"
                    f"last_error={error}"
                )
            return 0
        if args.command == "show":
            found = store.get(args.job_id)
            if found is None:
                print(f"error: no job {args.job_id!r}", file=sys.stderr)
                return 1
            print(json.dumps(status_document(found, store.attempts(found.id)), indent=2))
            return 0
        try:
            if args.command == "cancel":
                job, cancelled = store.cancel(
                    args.job_id, now=time.time(), reason="cancelled by an operator"
                )
                if not cancelled:
                    print(
                        f"error: job {job.id} has already ended ({job.state.value})",
                        file=sys.stderr,
                    )
                    return 1
            else:
                job = store.requeue(args.job_id, now=time.time())
        except JobNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{job.id}\t{job.state.value}")
        return 0
    finally:
        store.close()


def _worker(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(WORKER_USAGE)
        return 0
    if not argv or argv[0].startswith("-"):
        print(WORKER_USAGE, file=sys.stderr)
        return 2
    from apicore_callbacks._errors import CallbackError
    from apicore_callbacks._worker import worker_main

    try:
        worker_main(argv[0], argv[1:])
    except CallbackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
