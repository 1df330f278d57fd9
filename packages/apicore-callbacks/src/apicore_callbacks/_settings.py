"""Settings, from arguments and from the environment (the one place that reads it)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from apicore_callbacks._errors import SettingsError
from apicore_callbacks._retry import RetryPolicy
from apicore_callbacks._signing import secret_key
from apicore_callbacks._ssrf import DestinationPolicy

ENV_DB = "APICORE_CALLBACKS_DB"
ENV_SECRET = "APICORE_CALLBACKS_SECRET"
ENV_ALLOW = "APICORE_CALLBACKS_ALLOW"
ENV_BROKER = "APICORE_CALLBACKS_BROKER"
ENV_SYNCHRONOUS = "APICORE_CALLBACKS_SYNCHRONOUS"
SYNCHRONOUS = ("FULL", "NORMAL")
Synchronous = Literal["FULL", "NORMAL"]
BROKER_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_DB = "apicore-callbacks.sqlite3"


@dataclass(frozen=True)
class Settings:
    """How callbacks are stored, run, signed and delivered.

    Attributes:
        db: The SQLite store path (env ``APICORE_CALLBACKS_DB``).
        secrets: Signing secrets, ``whsec_...``; the first signs, all sign during a rotation
            (env ``APICORE_CALLBACKS_SECRET``, comma-separated). Empty: deliveries unsigned.
        policy: The SSRF destination policy (env ``APICORE_CALLBACKS_ALLOW`` allow-list).
        retry: The delivery retry policy.
        jobs_prefix: The path prefix of the job status route (``Location: <prefix>/<id>``).
        concurrency: Functions running at once per dispatcher (the run budget).
        delivery_concurrency: Deliveries in flight at once per dispatcher (a separate
            budget: slow receivers never delay runs, slow functions never delay deliveries).
        max_response_body: Bytes read at most from a receiver's answer; the rest is dropped.
        synchronous: The SQLite store's fsync policy (env ``APICORE_CALLBACKS_SYNCHRONOUS``):
            ``FULL`` (default) makes every accepted job survive a power loss or OS crash;
            ``NORMAL`` survives a crash of the process (``kill -9``) but may lose the jobs
            of the last moments before a power loss, for more accepted jobs per second.
        lease: Seconds a claim lasts without heartbeat; a crashed worker's jobs resume after it.
        max_runs: Runs of one job before it fails as interrupted (worker crashes mid-run).
        deliver_errors: Deliver a problem document when the function raises (else keep the
            job ``failed`` without a callback; ``GET /jobs/{id}`` still shows it).
        poll_interval: Seconds between store polls (jobs from other processes, retries due;
            with a broker: how often each Celery worker looks for due jobs to publish).
        broker: A Redis URL (env ``APICORE_CALLBACKS_BROKER``): jobs live in Redis and run on
            Celery workers (``pip install "apicore-callbacks[celery]"``) instead of the
            embedded SQLite store and in-process worker. ``None``: embedded.
        republish_after: With a broker, seconds after which a due job whose task message was
            not consumed is published again (a message lost with a Redis crash, or a publish
            that failed after the job was stored). Duplicated messages are harmless.
        visibility_timeout: With a broker, seconds before Redis gives an unacknowledged task
            message to another worker; keep it longer than your longest job.
    """

    db: Path = Path(DEFAULT_DB)
    secrets: tuple[str, ...] = ()
    policy: DestinationPolicy = field(default_factory=DestinationPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    jobs_prefix: str = "/jobs"
    concurrency: int = 32
    delivery_concurrency: int = 32
    max_response_body: int = 65_536
    synchronous: Synchronous = "FULL"
    lease: float = 60.0
    max_runs: int = 3
    deliver_errors: bool = True
    poll_interval: float = 0.5
    broker: str | None = None
    republish_after: float = 60.0
    visibility_timeout: float = 43_200.0

    def __post_init__(self) -> None:
        for secret in self.secrets:
            secret_key(secret)
        if self.concurrency < 1 or self.delivery_concurrency < 1 or self.max_runs < 1:
            raise SettingsError("concurrency, delivery_concurrency and max_runs must be at least 1")
        if self.max_response_body < 0:
            raise SettingsError("max_response_body must not be negative")
        if self.synchronous not in SYNCHRONOUS:
            raise SettingsError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS)}, not {self.synchronous!r}"
            )
        if self.lease <= 0 or self.poll_interval <= 0:
            raise SettingsError("lease and poll_interval must be positive")
        if self.broker is not None and not self.broker.startswith(BROKER_SCHEMES):
            raise SettingsError(
                "broker must be a Redis URL (redis://[:password@]host:port/db, rediss://... "
                "or unix://...); other brokers are not supported"
            )
        if self.broker is not None and (
            self.republish_after <= 0 or self.visibility_timeout <= self.lease
        ):
            raise SettingsError(
                "republish_after must be positive and visibility_timeout longer than lease"
            )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
        secrets: str | Iterable[str] | None = None,
        allow: str | Iterable[str] | None = None,
        broker: str | None = None,
        synchronous: str | None = None,
        **options: object,
    ) -> Settings:
        """Build settings from arguments, falling back to the environment variables.

        Arguments win over ``APICORE_CALLBACKS_DB``, ``APICORE_CALLBACKS_SECRET``,
        ``APICORE_CALLBACKS_ALLOW``, ``APICORE_CALLBACKS_BROKER`` and
        ``APICORE_CALLBACKS_SYNCHRONOUS``; ``options`` are the other :class:`Settings` fields.
        An empty ``APICORE_CALLBACKS_BROKER`` means embedded.

        Raises:
            SettingsError: A value is invalid; the message names the variable.
        """
        env = os.environ if environ is None else environ
        if isinstance(secrets, str):
            secrets = secrets.split(",")
        secret_list = [
            s.strip()
            for s in (secrets if secrets is not None else env.get(ENV_SECRET, "").split(","))
            if s.strip()
        ]
        try:
            for secret in secret_list:
                secret_key(secret)
        except SettingsError as exc:
            raise SettingsError(f"{ENV_SECRET} / secrets=: {exc}") from None
        try:
            policy = DestinationPolicy.from_allow(
                allow if allow is not None else env.get(ENV_ALLOW, "")
            )
        except ValueError as exc:
            raise SettingsError(f"{ENV_ALLOW} / allow=: {exc}") from None
        path = Path(db if db is not None else env.get(ENV_DB) or DEFAULT_DB)
        url = (broker if broker is not None else env.get(ENV_BROKER, "")).strip() or None
        sync = (synchronous if synchronous is not None else env.get(ENV_SYNCHRONOUS, "")).strip()
        if sync.upper() not in SYNCHRONOUS and sync:
            raise SettingsError(
                f"{ENV_SYNCHRONOUS} / synchronous=: use {' or '.join(SYNCHRONOUS)}, not {sync!r}"
            )
        try:
            return cls(
                db=path,
                secrets=tuple(secret_list),
                policy=policy,
                broker=url,
                synchronous=cast("Synchronous", sync.upper() or "FULL"),
                **options,  # type: ignore[arg-type]
            )
        except SettingsError as exc:
            if url is not None and broker is None and "broker" in str(exc):
                raise SettingsError(f"{ENV_BROKER}: {exc}") from None
            raise
