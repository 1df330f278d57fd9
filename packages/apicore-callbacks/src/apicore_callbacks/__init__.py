"""apicore-callbacks: durable, signed, retried HTTP callbacks with an SSRF guard.

An adapter (asymmetric, symmetric) uses it like this::

    config = CallbackConfig.from_legacy(callback)        # decoration time
    dispatcher = Dispatcher(settings=Settings.from_env())
    dispatcher.register("predict", runner)               # runner(job) -> result
    dispatcher.start()                                   # app start (stop() at shutdown)
    cb = config.parse(headers, policy=dispatcher.settings.policy)  # 422 on error
    sub = dispatcher.submit("predict", arguments, cb, request_id=..., owner=...)
    return 202, sub.acceptance.body, sub.acceptance.headers

With ``APICORE_CALLBACKS_BROKER=redis://...`` the same code stores jobs in Redis and runs them
on Celery workers (:mod:`apicore_callbacks.celery`).

This module holds what apps need. Those who extend the package find the rest in documented
submodules: :mod:`apicore_callbacks.stores` (writing a job store or an executor),
:mod:`apicore_callbacks.adapters` (writing a framework adapter),
:mod:`apicore_callbacks.delivery` (retries, signatures, the SSRF guard) and
:mod:`apicore_callbacks.testing`.
"""

from apicore_callbacks import _deprecation
from apicore_callbacks.__about__ import __version__
from apicore_callbacks._config import CallbackConfig, Settings
from apicore_callbacks._dispatcher import Dispatcher, Submission
from apicore_callbacks._errors import (
    BlockedDestinationError,
    BrokerUnavailableError,
    CallbackError,
    CallbackRequestError,
    IdempotencyKeyReusedError,
    InvalidCallbackObjectError,
    JobNotFoundError,
    MissingExtraError,
    SettingsError,
    WebhookVerificationError,
)
from apicore_callbacks._jobs import CallbackRequest, Job, JobState, JobStore
from apicore_callbacks._openapi import (
    callback_parameters,
    callbacks_object,
    job_accepted_schema,
    job_status_schema,
)
from apicore_callbacks._processing import Runner
from apicore_callbacks._redis import RedisJobStore
from apicore_callbacks._retry import DeliveryRetryPolicy
from apicore_callbacks._signing import generate_secret, verify
from apicore_callbacks._sqlite import SQLiteJobStore
from apicore_callbacks._ssrf import DestinationPolicy

__all__ = [
    "BlockedDestinationError",
    "BrokerUnavailableError",
    "CallbackConfig",
    "CallbackError",
    "CallbackRequest",
    "CallbackRequestError",
    "DeliveryRetryPolicy",
    "DestinationPolicy",
    "Dispatcher",
    "IdempotencyKeyReusedError",
    "InvalidCallbackObjectError",
    "Job",
    "JobNotFoundError",
    "JobState",
    "JobStore",
    "MissingExtraError",
    "RedisJobStore",
    "Runner",
    "SQLiteJobStore",
    "Settings",
    "SettingsError",
    "Submission",
    "WebhookVerificationError",
    "__version__",
    "callback_parameters",
    "callbacks_object",
    "generate_secret",
    "job_accepted_schema",
    "job_status_schema",
    "verify",
]

_MOVED: dict[str, str] = {
    name: f"apicore_callbacks.{module}"
    for module, names in (
        ("stores", "Claim Clock JobSpec Publisher"),
        (
            "adapters",
            "Acceptance InvalidCallbackKeyError InvalidCallbackMethodError InvalidCallbackURLError"
            " InvalidIdempotencyKeyError acceptance accepted_response error_problem job_location"
            " status_document",
        ),
        (
            "delivery",
            "GuardedTransport STANDARD_SCHEDULE Verdict check_url classify parse_ip"
            " parse_retry_after refusal_reason sign webhook_headers",
        ),
    )
    for name in names.split()
}
"""Names that left the top level (deprecated there, see CHANGELOG): name -> their module."""


__getattr__ = _deprecation.deprecated_names(
    __name__,
    # apicore_client's RetryPolicy and Attempt are a call's (deprecated, see CHANGELOG).
    {
        "RetryPolicy": "apicore_callbacks.DeliveryRetryPolicy",
        "Attempt": "apicore_callbacks.stores.JobAttempt",
    },
    _MOVED,
)
