"""``python -m apicore_callbacks``: list, show and requeue jobs of a SQLite store."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from apicore_callbacks._documents import status_document
from apicore_callbacks._errors import JobNotFoundError
from apicore_callbacks._jobs import JobState
from apicore_callbacks._settings import Settings
from apicore_callbacks._sqlite import SQLiteJobStore


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m apicore_callbacks", description="Inspect and requeue callback jobs."
    )
    parser.add_argument("--db", help="store path (default: $APICORE_CALLBACKS_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list jobs, newest first")
    listing.add_argument("--state", choices=[s.value for s in JobState])
    listing.add_argument("--limit", type=int, default=50)
    for name, text in (("show", "show one job as JSON"), ("requeue", "deliver a job again")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("job_id")
        sub.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    listing.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    db = args.db_sub or args.db
    path = Settings.from_env(db=db).db
    if not path.exists():
        print(f"error: no job store at {path} (pass --db PATH)", file=sys.stderr)
        return 2
    store = SQLiteJobStore(path)
    try:
        if args.command == "list":
            state = JobState(args.state) if args.state else None
            for job in store.list_jobs(state=state, limit=args.limit):
                print(
                    f"{job.id}\t{job.state.value}\t{job.endpoint}\t"
                    f"runs={job.run_count}\tdeliveries={job.delivery_count}"
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
            job = store.requeue(args.job_id, now=time.time())
        except JobNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{job.id}\t{job.state.value}")
        return 0
    finally:
        store.close()
