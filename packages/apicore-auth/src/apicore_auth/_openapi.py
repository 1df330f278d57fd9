"""OpenAPI fragments for the accepted header forms, as plain dicts for apicore-openapi."""

from __future__ import annotations

from typing import Any, Final

from apicore_auth._requirement import Requirement
from apicore_auth._settings import X_API_KEY, AuthSettings, legacy_header_shown
from apicore_introspect import PROBLEM_MEDIA_TYPE

#: Security scheme name of ``Authorization: Bearer <token>``.
BEARER_SCHEME: Final = "BearerAuth"
#: Security scheme name of the ``X-API-Key`` header.
X_API_KEY_SCHEME: Final = "XApiKeyAuth"
#: Security scheme name of the legacy header; legacy symmetric's documents used this name.
LEGACY_SCHEME: Final = "APIKeyAuth"


def openapi_security_schemes(settings: AuthSettings | None = None) -> dict[str, dict[str, Any]]:
    """Return ``components.securitySchemes`` entries for each accepted header form.

    Args:
        settings: The settings whose enabled forms and legacy header name to describe.

    Returns:
        A new dict ``{scheme name: Security Scheme Object}``, valid in OpenAPI 3.0 and 3.1.
    """
    settings = settings if settings is not None else AuthSettings()
    schemes: dict[str, dict[str, Any]] = {}
    if settings.bearer:
        schemes[BEARER_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <token>`.",
        }
    keys = [(X_API_KEY_SCHEME, X_API_KEY, "")] if settings.x_api_key else []
    if legacy_header_shown(settings):
        keys.append((LEGACY_SCHEME, settings.header_name, " (legacy)"))
    for scheme, header, note in keys:
        schemes[scheme] = {
            "type": "apiKey",
            "in": "header",
            "name": header,
            "description": f"An API token in the `{header}` header{note}.",
        }
    return schemes


def openapi_security(
    requirement: Requirement,
    settings: AuthSettings | None = None,
    *,
    openapi_version: str = "3.1.0",
) -> list[dict[str, list[str]]]:
    """Return an operation's ``security`` list: any one accepted form satisfies it.

    OpenAPI 3.1 lets non-OAuth schemes list the roles (our scopes) they need; 3.0 requires
    those lists to be empty, so for a ``3.0.x`` version they are.

    Args:
        requirement: The endpoint's requirement.
        settings: The settings whose enabled forms to list.
        openapi_version: The document's ``openapi`` version.

    Returns:
        ``[]`` for ``NO_AUTH`` (emit ``security: []`` only to override a global
        requirement), else one ``{scheme: scopes}`` alternative per scheme.
    """
    if not requirement.authenticated:
        return []
    scopes = [] if openapi_version.startswith("3.0") else sorted(requirement.scopes)
    return [{name: list(scopes)} for name in openapi_security_schemes(settings)]


def openapi_responses(requirement: Requirement) -> dict[str, dict[str, Any]]:
    """Return the Response Objects an endpoint can answer with because of auth.

    ``401`` for a protected endpoint, plus ``403`` when it requires scopes; the bodies are
    problem documents and both carry ``WWW-Authenticate``.
    """
    if not requirement.authenticated:
        return {}
    responses = {"401": _response("Missing, invalid or expired API token.")}
    if requirement.scopes:
        responses["403"] = _response(
            "The API token lacks a required scope: " + ", ".join(sorted(requirement.scopes))
        )
    return responses


def _response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "WWW-Authenticate": {
                "description": "The authentication challenge (RFC 9110, RFC 6750).",
                "schema": {"type": "string"},
            }
        },
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _problem_schema()}},
    }


def _problem_schema() -> dict[str, Any]:
    # Built afresh each time: callers may mutate the documents they assemble.
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
        "required": ["type", "title", "status"],
    }
