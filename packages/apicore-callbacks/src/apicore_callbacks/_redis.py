"""A job store in Redis: the same states, leases and fencing as the SQLite store, for many hosts.

Every transition is one Lua script, so it is atomic on the Redis server. Keys (``prefix`` is
``apicore:callbacks:`` by default; one Redis, not Redis Cluster):

- ``job:<id>`` hash: the job's fields (absent field = ``None``);
- ``attempts:<id>`` list: the attempts log, JSON entries, oldest first;
- ``due`` sorted set: every active job, scored by when it is claimable (``run_at``, or
  ``lease_until`` while leased), so a claim is one range query;
- ``created`` / ``finished`` sorted sets: listing (newest first) and pruning;
- ``idem`` hash: idempotency scope -> job id;
- ``publish`` sorted set: every active job, scored by when an executor (Celery) must be told
  about it again if nothing happened -- ``republish_after`` after a publication, the lease
  end while leased (the worker may die), the retry time after a failed delivery. The sweeper
  (:meth:`RedisJobStore.take_unpublished`) reads only what is due there, however long the
  backlog.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple
from typing import TYPE_CHECKING, Any, cast

from apicore_callbacks._errors import (
    BrokerUnavailableError,
    IdempotencyKeyReusedError,
    JobNotFoundError,
    MissingExtraError,
)
from apicore_callbacks._jobs import (
    Claim,
    Job,
    JobAttempt,
    JobSpec,
    JobState,
    Outcome,
    job_from_row,
    new_row,
)
from apicore_callbacks._redis_scripts import LUA_HEAD, SCRIPTS
from apicore_callbacks._transitions import Change, ChangeWriter, Due, claim_of, requeued

if TYPE_CHECKING:
    import redis

DEFAULT_PREFIX = "apicore:callbacks:"


_DECODE: dict[str, Callable[[bytes], Any]] = (
    dict.fromkeys(("created_at", "updated_at", "run_at", "finished_at"), float)
    | dict.fromkeys(("run_count", "delivery_count", "fence"), int)
    | dict.fromkeys(("arguments", "payload"), bytes)
)
"""How a hash field is read back (any other field is text)."""


def _job(raw: Sequence[bytes] | Mapping[bytes, bytes]) -> Job:
    """A job from its hash: ``HGETALL``'s mapping, or the flat list a script returns."""
    pairs = raw.items() if isinstance(raw, Mapping) else zip(raw[::2], raw[1::2], strict=True)
    names = ((name.decode(), value) for name, value in pairs)
    return job_from_row({name: _DECODE.get(name, bytes.decode)(value) for name, value in names})


def _attempt_json(attempt: JobAttempt) -> str:
    """An attempts-log entry: the attempt's fields but its job's id."""
    return json.dumps(astuple(attempt)[1:], separators=(",", ":"))


def _num(value: float) -> str:
    return repr(float(value))


def connect(url: str) -> redis.Redis:
    """Return a Redis client for ``url``, or raise :class:`MissingExtraError`."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingExtraError(
            'the Redis job store needs the redis package: pip install "apicore-callbacks[celery]"'
        ) from exc
    return redis.Redis.from_url(url, health_check_interval=30, socket_connect_timeout=5)


class RedisJobStore(ChangeWriter):
    """A :class:`JobStore` in Redis, shared by every API server and worker on every host.

    The same state machine, fields, leases, fencing tokens, idempotency keys and attempts
    log as :class:`SQLiteJobStore`; every transition is one atomic Lua script. Durability of
    :meth:`submit` is Redis's: with ``appendonly yes`` and ``appendfsync always`` an
    acknowledged write survives a Redis crash; with ``everysec`` (Redis's default for AOF) up to
    about one second of writes can be lost on a host crash; without AOF, everything since the
    last snapshot.

    Args:
        url: ``redis://[:password@]host:port/db`` or ``rediss://...`` (TLS).
        prefix: Prefix of every key (several apps can share one Redis database).
        client: A ready ``redis.Redis`` client instead of ``url`` (tests, custom pools).
        republish_after: Seconds after a publication at which :meth:`take_unpublished` hands
            out a job again if no worker took it (a lost message, a failed publish).

    Raises:
        MissingExtraError: The ``redis`` package is not installed.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = DEFAULT_PREFIX,
        client: redis.Redis | None = None,
        republish_after: float = 60.0,
    ) -> None:
        if client is None:
            if url is None:
                raise TypeError("RedisJobStore needs a url or a client")
            client = connect(url)
        self.client = client
        self.prefix = prefix
        self.republish_after = republish_after
        self._scripts = {
            name: client.register_script(LUA_HEAD + body) for name, body in SCRIPTS.items()
        }

    def _call(self, name: str, *args: str | bytes) -> Any:
        with _translated():
            return self._scripts[name](args=[self.prefix, *args])

    def submit(self, spec: JobSpec, *, now: float) -> tuple[Job, bool]:
        """Create a job (one atomic script); see :meth:`JobStore.submit`."""
        fields = {**new_row(spec, now=now), "fence": 0, "run_count": 0, "delivery_count": 0}
        job_id, scope, fingerprint = fields["id"], fields["idem_scope"], fields["fingerprint"]
        pairs = [
            item
            for k, v in fields.items()
            if v is not None
            for item in (k, _num(v) if isinstance(v, float) else str(v))
        ]
        publish_at = _num(now + self.republish_after)
        flag, data = self._call(
            "submit", job_id, scope or "", fingerprint or "", _num(now), publish_at, *pairs
        )
        if flag == -1:
            raise IdempotencyKeyReusedError(data.decode())
        return _job(data), flag == 1

    def lease_due(self, worker: str, due: Due, *, now: float, until: float) -> list[Job]:
        """Lease the due jobs ``due`` selects (one atomic script); see :class:`ChangeWriter`."""
        rows = self._call(
            "claim",
            worker,
            _num(now),
            _num(until),
            str(due.limit),
            due.stage or "",
            "0" if due.endpoints is None else "1",
            *(due.endpoints or ()),
        )
        return [_job(row) for row in rows]

    def claim_job(self, job_id: str, worker: str, *, now: float, lease: float) -> Claim | None:
        """Lease one job by id if it is due and not leased; else ``None``.

        An executor (Celery) calls this with the id from its message: a duplicate message,
        a job another worker holds, a retry not yet due or a finished job all give ``None``.
        """
        row = self._call("claim_job", job_id, worker, _num(now), _num(now + lease))
        return None if row is None else claim_of(_job(row), worker)

    def heartbeat(self, claim: Claim, *, now: float, lease: float) -> bool:
        """Extend a lease; see :meth:`JobStore.heartbeat`."""
        return bool(
            self._call("heartbeat", claim.job.id, str(claim.token), _num(now), _num(now + lease))
        )

    def write_change(
        self, claim: Claim, change: Change, *, now: float, result: tuple[Outcome, bytes] | None
    ) -> bool:
        """Write a decided transition under the claim's fence (one atomic script).

        A job due again is published when due; a run's delivery is published by its worker
        at once, so it is published again only ``republish_after`` later (a lost message).
        """
        publish_at = now + self.republish_after if result is not None else max(change.run_at, now)
        return bool(
            self._call(
                "apply",
                claim.job.id,
                str(claim.token),
                _num(now),
                change.state.value,
                _num(change.run_at),
                "" if change.finished_at is None else _num(change.finished_at),
                change.last_error or "",
                str(change.run_count),
                str(change.delivery_count),
                _num(publish_at),
                "" if change.attempt is None else _attempt_json(change.attempt),
                *(result or ()),
            )
        )

    def requeue(self, job_id: str, *, now: float) -> Job:
        """Deliver (or run) a job again; see :meth:`JobStore.requeue`."""
        fresh, again = requeued(has_payload=False), requeued(has_payload=True)
        cases = [x for r in (fresh, again) for x in (r.state.value, "1" if r.reset_runs else "0")]
        row = self._call("requeue", job_id, _num(now), *cases)
        if row is None:
            raise JobNotFoundError(f"no job {job_id!r} in Redis (prefix {self.prefix!r})")
        return _job(row)

    def cancel(self, job_id: str, *, now: float, reason: str = "cancelled") -> tuple[Job, bool]:
        """Stop a job that has not ended; see :meth:`JobStore.cancel`."""
        row = self._call("cancel", job_id, _num(now), reason, JobState.CANCELLED.value)
        if row is None:
            raise JobNotFoundError(f"no job {job_id!r} in Redis (prefix {self.prefix!r})")
        flag, data = row
        return _job(data), flag == 1

    def lease_holders(self, *, now: float, limit: int = 10_000) -> list[str]:
        """Return the workers holding a lease that has not expired yet."""
        return [w.decode() for w in self._call("lease_holders", _num(now), str(limit))]

    def expire_leases(self, workers: Collection[str], *, now: float, limit: int = 10_000) -> int:
        """End the leases of ``workers`` now (known dead) and publish their jobs at once.

        See :meth:`SQLiteJobStore.expire_leases`; returns how many leases ended.
        """
        names = list(workers)
        if not names:
            return 0
        return int(self._call("expire_leases", _num(now), str(limit), *names))

    def take_unpublished(self, *, now: float, limit: int = 500) -> list[str]:
        """Return the jobs an executor must be told about now, and mark them published.

        A job is returned when it was published ``republish_after`` seconds ago and nothing
        happened since (a lost message or a failed publish), when its worker's lease expired
        (the worker died), or when its delivery retry came due. It is then scheduled again
        ``republish_after`` later, so callers publish each job once.
        """
        ids = self._call(
            "take_unpublished", _num(now), _num(now + self.republish_after), str(limit)
        )
        return [i.decode() for i in ids]

    def mark_published(self, job_id: str, *, now: float) -> None:
        """Record that a job was just handed to the executor (only if it is still active)."""
        with _translated():
            self.client.zadd(self._key("publish"), {job_id: now + self.republish_after}, xx=True)

    def delete(self, job_id: str) -> bool:
        """Delete a job that was never started (its publish failed); ``False`` otherwise."""
        return bool(self._call("delete", job_id, JobState.QUEUED.value))

    def _key(self, *parts: str) -> str:
        return self.prefix + "".join(parts)

    def get(self, job_id: str) -> Job | None:
        """Return a job, or ``None``."""
        with _translated():
            row = cast("dict[bytes, bytes]", self.client.hgetall(self._key("job:", job_id)))
        return _job(row) if row else None

    def attempts(self, job_id: str) -> list[JobAttempt]:
        """Return a job's attempts log, oldest first."""
        with _translated():
            entries = self.client.lrange(self._key("attempts:", job_id), 0, -1)
        return [JobAttempt(job_id, *json.loads(raw)) for raw in cast("list[bytes]", entries)]

    def _members(
        self, name: str, *, batch: int, newest_first: bool = False
    ) -> Iterator[tuple[bytes, float]]:
        """A sorted set's members with their scores, read ``batch`` at a time."""
        read = self.client.zrevrange if newest_first else self.client.zrange
        for start in itertools.count(0, batch):
            with _translated():
                rows = read(self._key(name), start, start + batch - 1, withscores=True)
            if not rows:
                return
            yield from cast("list[tuple[bytes, float]]", rows)

    def list_jobs(self, *, state: JobState | None = None, limit: int = 100) -> list[Job]:
        """Return jobs, newest first, optionally only in one state."""
        ids = self._members("created", batch=max(limit, 100), newest_first=True)
        jobs = (self.get(job_id.decode()) for job_id, _ in ids)
        wanted = (job for job in jobs if job is not None and (state is None or job.state is state))
        return list(itertools.islice(wanted, max(limit, 0)))

    def next_due(self, *, endpoints: Collection[str] | None = None) -> float | None:
        """Return when the earliest active job becomes claimable, or ``None``."""
        wanted = None if endpoints is None else set(endpoints)
        for job_id, score in self._members("due", batch=500):
            if wanted is not None:
                with _translated():
                    endpoint = self.client.hget(self._key("job:", job_id.decode()), "endpoint")
                if endpoint is None or cast("bytes", endpoint).decode() not in wanted:
                    continue
            return float(score)
        return None

    def prune(self, *, finished_before: float) -> int:
        """Delete terminal jobs finished before a time; return how many."""
        return int(self._call("prune", _num(finished_before)))

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


@contextmanager
def _translated() -> Iterator[None]:
    """Raise :class:`BrokerUnavailableError` for the Redis client's connection errors."""
    try:
        yield
    except Exception as exc:
        redis = sys.modules.get("redis")  # a redis error means the package is loaded
        if redis is not None and isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            raise BrokerUnavailableError(
                "the Redis job store is unreachable; check APICORE_CALLBACKS_BROKER and that "
                "redis-server is running"
            ) from exc
        raise
