"""The fragments apicore-auth and apicore-callbacks produce fit ``RouteDoc`` as plain data.

Skipped where those packages are not installed (the isolated ``pkg`` env); they run in the
workspace ``test`` env.
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from apicore_introspect import Definitions, describe
from apicore_openapi import ApiInfo, Callback, RouteDoc, build_document


def predict(features: list[float], threshold: float | None = None) -> dict[str, float]:
    """Score features.

    Args:
        features: The input.
        threshold: Optional cut-off.
    """
    return {}


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_auth_and_callback_fragments(version: Any) -> None:
    auth = pytest.importorskip("apicore_auth")
    callbacks = pytest.importorskip("apicore_callbacks")
    requirement = auth.Requirement.for_scopes("predict")
    config = callbacks.CallbackConfig()
    op = describe(predict, definitions=Definitions())
    endpoint = RouteDoc(
        "/predict",
        op,
        security=tuple(auth.openapi_security(requirement)),
        security_schemes=auth.openapi_security_schemes(),
        callback=Callback(
            url_header=config.url_header,
            method_header=config.method_header,
            key_header=config.key_header,
            header_parameters=tuple(callbacks.callback_parameters(config)),
            accepted_schema=callbacks.job_accepted_schema(),
            status_schema=callbacks.job_status_schema(op.return_schema),
            callbacks=callbacks.callbacks_object(op.return_schema, config),
        ),
    )
    document = build_document(ApiInfo(title="Model API"), [endpoint], version=version)
    validate(document)
    operation = document["paths"]["/predict"]["post"]
    assert {p["name"] for p in operation["parameters"]} >= {config.url_header, config.key_header}
    assert sorted(operation["responses"]) == [
        "202",
        "400",
        "401",
        "403",
        "413",
        "415",
        "422",
        "500",
    ]
    assert "callbacks" in operation
    assert set(document["components"]["securitySchemes"]) == set(auth.openapi_security_schemes())
