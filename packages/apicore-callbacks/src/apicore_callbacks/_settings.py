"""Settings, from arguments and from the environment (the one place that reads it)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from apicore_callbacks._errors import SettingsError
from apicore_callbacks._retry import RetryPolicy
from apicore_callbacks._signing import secret_key
from apicore_callbacks._ssrf import DestinationPolicy

ENV_DB = "APICORE_CALLBACKS_DB"
ENV_SECRET = "APICORE_CALLBACKS_SECRET"
ENV_ALLOW = "APICORE_CALLBACKS_ALLOW"
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
        concurrency: Jobs processed at once per dispatcher (runs and deliveries).
        lease: Seconds a claim lasts without heartbeat; a crashed worker's jobs resume after it.
        max_runs: Runs of one job before it fails as interrupted (worker crashes mid-run).
        deliver_errors: Deliver a problem document when the function raises (else keep the
            job ``failed`` without a callback; ``GET /jobs/{id}`` still shows it).
        poll_interval: Seconds between store polls (jobs from other processes, retries due).
    """

    db: Path = Path(DEFAULT_DB)
    secrets: tuple[str, ...] = ()
    policy: DestinationPolicy = field(default_factory=DestinationPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    jobs_prefix: str = "/jobs"
    concurrency: int = 8
    lease: float = 60.0
    max_runs: int = 3
    deliver_errors: bool = True
    poll_interval: float = 0.5

    def __post_init__(self) -> None:
        for secret in self.secrets:
            secret_key(secret)
        if self.concurrency < 1 or self.max_runs < 1:
            raise SettingsError("concurrency and max_runs must be at least 1")
        if self.lease <= 0 or self.poll_interval <= 0:
            raise SettingsError("lease and poll_interval must be positive")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
        secrets: str | Iterable[str] | None = None,
        allow: str | Iterable[str] | None = None,
        **options: object,
    ) -> Settings:
        """Build settings from arguments, falling back to the environment variables.

        Arguments win over ``APICORE_CALLBACKS_DB``, ``APICORE_CALLBACKS_SECRET`` and
        ``APICORE_CALLBACKS_ALLOW``; ``options`` are the other :class:`Settings` fields.

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
        return cls(db=path, secrets=tuple(secret_list), policy=policy, **options)  # type: ignore[arg-type]
