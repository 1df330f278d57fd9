from __future__ import annotations

import jsonschema

from apicore_callbacks import CallbackConfig, callback_parameters
from apicore_callbacks.adapters import (
    accepted_response,
    callbacks_object,
    job_accepted_schema,
    job_status_schema,
)


def test_schemas_validate_real_documents() -> None:
    jsonschema.Draft202012Validator.check_schema(job_accepted_schema())
    jsonschema.Draft202012Validator.check_schema(job_status_schema())
    jsonschema.validate(
        {"job_id": "job_x", "state": "queued", "status_url": "/jobs/job_x"}, job_accepted_schema()
    )
    assert accepted_response()["headers"].keys() == {"Location", "Retry-After"}


def test_callback_parameters_follow_the_config() -> None:
    names = [p["name"] for p in callback_parameters(CallbackConfig(url_header="X-Url"))]
    assert names == [
        "X-Url",
        "Asymmetric-Callback-Method",
        "Asymmetric-Custom-Callback-Key",
        "Idempotency-Key",
    ]


def test_callbacks_object() -> None:
    obj = callbacks_object({"type": "integer"})
    [(expression, operations)] = obj["result"].items()
    assert expression == "{$request.header.Asymmetric-Callback-URL}"
    assert set(operations) == {"post", "put", "patch"}
    body = operations["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"type": "integer"}
