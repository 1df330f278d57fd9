"""OpenAPI fragments (plain dicts) describing callback endpoints, for apicore-openapi."""

from __future__ import annotations

from typing import Any

from apicore_callbacks._config import METHODS, CallbackConfig
from apicore_callbacks._jobs import JobState
from apicore_introspect import PROBLEM_MEDIA_TYPE

_STATES = [s.value for s in JobState]
_TIME = {"type": ["string", "null"], "format": "date-time"}


def job_accepted_schema() -> dict[str, Any]:
    """Return the JSON Schema of the 202 body."""
    return {
        "type": "object",
        "required": ["job_id", "state", "status_url"],
        "properties": {
            "job_id": {"type": "string", "description": "Job id; also the callback's webhook-id."},
            "state": {"type": "string", "enum": _STATES},
            "status_url": {"type": "string", "description": "Path of GET /jobs/{id}."},
        },
    }


def job_status_schema(result_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the JSON Schema of the ``GET /jobs/{id}`` body."""
    attempt = {
        "type": "object",
        "properties": {
            "stage": {"type": "string", "enum": ["run", "deliver"]},
            "number": {"type": "integer"},
            "started_at": _TIME,
            "finished_at": _TIME,
            "ok": {"type": "boolean"},
            "status_code": {"type": ["integer", "null"]},
            "error": {"type": ["string", "null"]},
        },
    }
    return {
        "type": "object",
        "required": ["job_id", "state", "attempts"],
        "properties": {
            "job_id": {"type": "string"},
            "state": {"type": "string", "enum": _STATES},
            "endpoint": {"type": "string"},
            "status_url": {"type": "string"},
            "callback_host": {"type": ["string", "null"]},
            "created_at": _TIME,
            "updated_at": _TIME,
            "finished_at": _TIME,
            "next_attempt_at": _TIME,
            "runs": {"type": "integer"},
            "delivery_attempts": {"type": "integer"},
            "outcome": {"type": ["string", "null"], "enum": ["result", "error", None]},
            "last_error": {"type": ["string", "null"]},
            "attempts": {"type": "array", "items": attempt},
            "result": result_schema or {"description": "The body delivered to the callback."},
        },
    }


def callback_parameters(config: CallbackConfig | None = None) -> list[dict[str, Any]]:
    """Return the OpenAPI header parameters a callback endpoint reads."""
    config = config or CallbackConfig()
    headers = (
        (
            config.url_header,
            True,
            "URL to the API to send the function response data.",
            {"type": "string", "format": "uri"},
        ),
        (
            config.method_header,
            False,
            "HTTP method to use when making the callback request. Defaults to POST.",
            {"type": "string", "enum": list(METHODS), "default": "POST"},
        ),
        (
            config.key_header,
            False,
            "Key to wrap the function output around. By default, the output won't be wrapped.",
            # what parse() accepts: up to 256 printable ASCII characters (empty: no key)
            {"type": "string", "maxLength": 256, "pattern": "^[\\x20-\\x7e]*$"},
        ),
        (
            config.idempotency_header,
            False,
            "Retrying with the same key returns the same job.",
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "pattern": "^[\\x20-\\x7e]*[\\x21-\\x7e][\\x20-\\x7e]*$",
            },
        ),
    )
    return [
        {"name": name, "in": "header", "required": required, "description": text, "schema": schema}
        for name, required, text, schema in headers
    ]


def accepted_response() -> dict[str, Any]:
    """Return the OpenAPI ``202`` response object of a callback endpoint."""
    return {
        "description": "Accepted: the job is stored; the result is sent to the callback URL.",
        "headers": {
            "Location": {"description": "The job status URL.", "schema": {"type": "string"}},
            "Retry-After": {
                "description": "Seconds before polling.",
                "schema": {"type": "integer"},
            },
        },
        "content": {"application/json": {"schema": job_accepted_schema()}},
    }


def callbacks_object(
    result_schema: dict[str, Any], config: CallbackConfig | None = None, *, name: str = "result"
) -> dict[str, Any]:
    """Return an OpenAPI ``callbacks`` object for an operation, given its result schema."""
    config = config or CallbackConfig()
    signed = [
        {"name": name, "in": "header", "required": required}
        | {"schema": {"type": "string"}, "description": text}
        for name, required, text in (
            ("webhook-id", True, "The job id; identical across retries (de-duplicate on it)."),
            ("webhook-timestamp", True, "Unix seconds of this attempt."),
            (
                "webhook-signature",
                False,
                "Standard Webhooks signatures (v1,<base64>), when a secret is set.",
            ),
        )
    ]
    operation = {
        "summary": "The function's result (or a problem document if it failed)",
        "parameters": signed,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": result_schema},
                PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}},
            },
        },
        "responses": {
            "2XX": {"description": "Delivered."},
            "410": {"description": "Stop delivering this job."},
        },
    }
    expression = "{$request.header." + config.url_header + "}"
    return {name: {expression: {m.lower(): operation for m in METHODS}}}
