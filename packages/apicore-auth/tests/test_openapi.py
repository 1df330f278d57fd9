from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from apicore_auth import (
    ANY_TOKEN,
    NO_AUTH,
    AuthSettings,
    Requirement,
    openapi_responses,
    openapi_security,
    openapi_security_schemes,
)
from apicore_test_support import AUTH_SECURITY_SCHEMES


def test_schemes_for_every_form() -> None:
    assert openapi_security_schemes() == AUTH_SECURITY_SCHEMES


def test_schemes_follow_settings() -> None:
    settings = AuthSettings(bearer=False).with_client_token_name("My-Key")
    schemes = openapi_security_schemes(settings)
    assert list(schemes) == ["XApiKeyAuth", "APIKeyAuth"]
    assert schemes["APIKeyAuth"]["name"] == "My-Key"
    assert list(openapi_security_schemes(AuthSettings(header_name="x-api-key"))) == [
        "BearerAuth",
        "XApiKeyAuth",
    ]


def test_security_lists() -> None:
    assert openapi_security(NO_AUTH) == []
    assert openapi_security(ANY_TOKEN) == [
        {"BearerAuth": []},
        {"XApiKeyAuth": []},
        {"APIKeyAuth": []},
    ]
    scoped = Requirement.for_scopes("write", "read")
    assert openapi_security(scoped)[0] == {"BearerAuth": ["read", "write"]}
    assert openapi_security(scoped, openapi_version="3.0.3")[0] == {"BearerAuth": []}


def test_responses() -> None:
    assert openapi_responses(NO_AUTH) == {}
    assert list(openapi_responses(ANY_TOKEN)) == ["401"]
    scoped = openapi_responses(Requirement.for_scopes("admin"))
    assert list(scoped) == ["401", "403"]
    assert "admin" in scoped["403"]["description"]
    assert "WWW-Authenticate" in scoped["401"]["headers"]
    # fresh objects each time: a consumer mutating one document cannot corrupt the next
    scoped["401"]["content"]["application/problem+json"]["schema"]["type"] = "changed"
    fresh = openapi_responses(ANY_TOKEN)["401"]["content"]["application/problem+json"]
    assert fresh["schema"]["type"] == "object"


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_fragments_validate_in_a_document(version: str) -> None:
    scoped = Requirement.for_scopes("items:write")
    responses: dict[str, Any] = {"200": {"description": "OK"}}
    document = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/public": {
                "get": {"responses": dict(responses), "security": openapi_security(NO_AUTH)}
            },
            "/items": {
                "post": {
                    "responses": responses | openapi_responses(scoped),
                    "security": openapi_security(scoped, openapi_version=version),
                }
            },
        },
        "components": {"securitySchemes": openapi_security_schemes()},
    }
    validate(document)
