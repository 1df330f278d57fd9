"""For those who write a framework adapter (as asymmetric and symmetric do).

An adapter reads each request's callback headers with :class:`CallbackConfig` (its errors are
:class:`~apicore_callbacks.CallbackRequestError` subclasses, answered 422), answers 202 with
the :class:`Acceptance` of :meth:`~apicore_callbacks.Dispatcher.submit`, serves
``GET /jobs/{id}`` with :func:`status_document`, and describes the callback endpoints in its
OpenAPI document with the schema helpers.
"""

from __future__ import annotations

from apicore_callbacks._config import CallbackConfig
from apicore_callbacks._documents import (
    Acceptance,
    acceptance,
    error_problem,
    job_location,
    status_document,
)
from apicore_callbacks._errors import (
    CallbackRequestError,
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackObjectError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
)
from apicore_callbacks._openapi import (
    accepted_response,
    callback_parameters,
    callbacks_object,
    job_accepted_schema,
    job_status_schema,
)

__all__ = [
    "Acceptance",
    "CallbackConfig",
    "CallbackRequestError",
    "InvalidCallbackKeyError",
    "InvalidCallbackMethodError",
    "InvalidCallbackObjectError",
    "InvalidCallbackURLError",
    "InvalidIdempotencyKeyError",
    "acceptance",
    "accepted_response",
    "callback_parameters",
    "callbacks_object",
    "error_problem",
    "job_accepted_schema",
    "job_location",
    "job_status_schema",
    "status_document",
]
