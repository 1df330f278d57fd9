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
"""

from apicore_callbacks.__about__ import __version__
from apicore_callbacks._config import CallbackConfig
from apicore_callbacks._dispatcher import Clock, Dispatcher, Publisher, Runner, Submission
from apicore_callbacks._documents import (
    Acceptance,
    acceptance,
    error_problem,
    job_location,
    status_document,
)
from apicore_callbacks._errors import (
    BlockedDestinationError,
    BrokerUnavailableError,
    CallbackError,
    CallbackRequestError,
    IdempotencyKeyReusedError,
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackObjectError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
    JobNotFoundError,
    MissingExtraError,
    SettingsError,
    WebhookVerificationError,
)
from apicore_callbacks._jobs import (
    Attempt,
    CallbackRequest,
    Claim,
    Job,
    JobSpec,
    JobState,
    JobStore,
)
from apicore_callbacks._openapi import (
    accepted_response,
    callback_parameters,
    callbacks_object,
    job_accepted_schema,
    job_status_schema,
)
from apicore_callbacks._redis import RedisJobStore
from apicore_callbacks._retry import (
    STANDARD_SCHEDULE,
    RetryPolicy,
    Verdict,
    classify,
    parse_retry_after,
)
from apicore_callbacks._settings import Settings
from apicore_callbacks._signing import generate_secret, sign, verify, webhook_headers
from apicore_callbacks._sqlite import SQLiteJobStore
from apicore_callbacks._ssrf import (
    DestinationPolicy,
    GuardedTransport,
    check_url,
    parse_ip,
    refusal_reason,
)

__all__ = [
    "Acceptance",
    "Attempt",
    "BlockedDestinationError",
    "BrokerUnavailableError",
    "CallbackConfig",
    "CallbackError",
    "CallbackRequest",
    "CallbackRequestError",
    "Claim",
    "Clock",
    "DestinationPolicy",
    "Dispatcher",
    "GuardedTransport",
    "IdempotencyKeyReusedError",
    "InvalidCallbackKeyError",
    "InvalidCallbackMethodError",
    "InvalidCallbackObjectError",
    "InvalidCallbackURLError",
    "InvalidIdempotencyKeyError",
    "Job",
    "JobNotFoundError",
    "JobSpec",
    "JobState",
    "JobStore",
    "MissingExtraError",
    "Publisher",
    "RedisJobStore",
    "RetryPolicy",
    "Runner",
    "SQLiteJobStore",
    "STANDARD_SCHEDULE",
    "Settings",
    "SettingsError",
    "Submission",
    "Verdict",
    "WebhookVerificationError",
    "__version__",
    "acceptance",
    "accepted_response",
    "callback_parameters",
    "callbacks_object",
    "check_url",
    "classify",
    "error_problem",
    "generate_secret",
    "job_accepted_schema",
    "job_location",
    "job_status_schema",
    "parse_ip",
    "parse_retry_after",
    "refusal_reason",
    "sign",
    "status_document",
    "verify",
    "webhook_headers",
]
