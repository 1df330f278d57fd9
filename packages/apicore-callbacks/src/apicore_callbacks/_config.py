"""Configuration: the app's settings, and each callback endpoint's request headers.

:class:`Settings` is the one place that reads the environment; :class:`CallbackConfig` is the
decorator's ``callback=`` and parses each request's callback headers.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from apicore_callbacks._errors import (
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackObjectError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
    SettingsError,
)
from apicore_callbacks._jobs import CallbackRequest
from apicore_callbacks._retry import DeliveryRetryPolicy
from apicore_callbacks._signing import secret_key
from apicore_callbacks._ssrf import DestinationPolicy, check_url

logger = logging.getLogger("apicore_callbacks")

ENV_DB = "APICORE_CALLBACKS_DB"
ENV_SECRET = "APICORE_CALLBACKS_SECRET"
ENV_ALLOW = "APICORE_CALLBACKS_ALLOW"
ENV_BROKER = "APICORE_CALLBACKS_BROKER"
ENV_SYNCHRONOUS = "APICORE_CALLBACKS_SYNCHRONOUS"
SYNCHRONOUS = ("FULL", "NORMAL")
Synchronous = Literal["FULL", "NORMAL"]
BROKER_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_DB = "apicore-callbacks.sqlite3"
LEGACY_KEYS = {  # the legacy callback= dict's keys, and the CallbackConfig field each sets
    "callback_url_header": "url_header",
    "callback_method_header": "method_header",
    "custom_callback_key_header": "key_header",
}
METHODS = ("POST", "PUT", "PATCH")
MAX_KEY_LENGTH = 256
MAX_IDEMPOTENCY_KEY_LENGTH = 255
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@dataclass(frozen=True)
class CallbackConfig:
    """The request header names a callback endpoint reads (legacy ``asymmetric`` defaults).

    Attributes:
        url_header: Header with the callback URL (required in requests).
        method_header: Header with the callback method (``POST`` when absent).
        key_header: Header with a key to wrap the result as ``{key: result}``.
        idempotency_header: Header with the request's idempotency key.
    """

    url_header: str = "Asymmetric-Callback-URL"
    method_header: str = "Asymmetric-Callback-Method"
    key_header: str = "Asymmetric-Custom-Callback-Key"
    idempotency_header: str = "Idempotency-Key"

    @classmethod
    def from_legacy(cls, callback: object) -> CallbackConfig | None:
        """Read the decorator's ``callback=`` argument, validated at decoration time.

        ``False``/``None`` means no callback; ``True`` the default headers; a dict may set
        ``callback_url_header``, ``callback_method_header`` and ``custom_callback_key_header``
        (strings). Unlike the legacy package, ``{}`` enables the callback with the defaults.

        Raises:
            InvalidCallbackObjectError: Any other value, an unknown key or a non-string value
                (the legacy error class).
        """
        if callback is None or callback is False:
            return None
        if callback is True:
            return cls()
        if not isinstance(callback, Mapping):
            raise InvalidCallbackObjectError(
                f"Invalid callback object: {callback!r}; pass callback=True or a dict with "
                f"some of the keys {', '.join(LEGACY_KEYS)}"
            )
        problems = [f"unknown key {k!r}" for k in callback if k not in LEGACY_KEYS]
        problems += [
            f"{k!r} must be an HTTP header name (a non-empty string of token characters)"
            for k, v in callback.items()
            if k in LEGACY_KEYS and not (isinstance(v, str) and _TOKEN.fullmatch(v))
        ]
        if problems:
            shown = json.dumps({str(k): repr(v) for k, v in callback.items()}, indent=2)
            logger.critical("Invalid callback object:\n%s", shown)
            raise InvalidCallbackObjectError(
                "Invalid callback object: "
                + "; ".join(problems)
                + f" (allowed keys: {', '.join(LEGACY_KEYS)})"
            )
        return cls(**{LEGACY_KEYS[k]: v for k, v in callback.items()})

    def parse(self, headers: Mapping[str, str], *, policy: DestinationPolicy) -> CallbackRequest:
        """Read and validate one request's callback headers (names are case-insensitive).

        Args:
            headers: The request headers.
            policy: The SSRF policy for the literal-address pre-check: the dispatcher's
                (``dispatcher.settings.policy``), built once from the settings and the
                environment, never re-read per request.

        Raises:
            CallbackRequestError: Its ``.problem_fields()`` are the 422 answer (``.legacy_message``
                is the legacy ``{"message": ...}`` text); no job must be created.
        """
        lowered = _lower(headers)
        url = lowered.get(self.url_header.lower(), "").strip()
        try:
            dest = check_url(url, policy)
        except InvalidCallbackURLError as exc:
            raise InvalidCallbackURLError(
                exc.detail,
                legacy_message=exc.legacy_message,
                loc=["header", self.url_header],
                kind=exc.kind,
            ) from None
        method = lowered.get(self.method_header.lower())
        if method is not None and method.strip().upper() not in METHODS:
            raise InvalidCallbackMethodError(
                f"the callback method must be one of {', '.join(METHODS)}",
                legacy_message="Invalid callback HTTP method",
                loc=["header", self.method_header],
                kind="invalid_method",
            )
        key = lowered.get(self.key_header.lower()) or None
        if key is not None and (len(key) > MAX_KEY_LENGTH or not _PRINTABLE.fullmatch(key)):
            raise InvalidCallbackKeyError(
                f"the custom callback key must be 1 to {MAX_KEY_LENGTH} printable characters",
                legacy_message="Invalid callback key",
                loc=["header", self.key_header],
                kind="invalid_key",
            )
        return CallbackRequest(url=dest.url, method=(method or "POST").strip().upper(), key=key)

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None:
        """Return the request's ``Idempotency-Key`` (``None`` when absent).

        Raises:
            InvalidIdempotencyKeyError: Empty, longer than 255 or non-printable.
        """
        raw = _lower(headers).get(self.idempotency_header.lower())
        if raw is None:
            return None
        key = raw.strip()
        if key.startswith('"') and key.endswith('"') and len(key) >= 2:  # RFC 8941 sf-string
            key = key[1:-1]
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not _PRINTABLE.fullmatch(key):
            raise InvalidIdempotencyKeyError(
                f"the {self.idempotency_header} header must be 1 to "
                f"{MAX_IDEMPOTENCY_KEY_LENGTH} printable characters",
                legacy_message="Invalid idempotency key",
                loc=["header", self.idempotency_header],
                kind="invalid_idempotency_key",
            )
        return key


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
    retry: DeliveryRetryPolicy = field(default_factory=DeliveryRetryPolicy)
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
        if secrets is None:
            secrets = env.get(ENV_SECRET, "")
        if isinstance(secrets, str):
            secrets = secrets.split(",")
        secret_list = [s.strip() for s in secrets if s.strip()]
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
