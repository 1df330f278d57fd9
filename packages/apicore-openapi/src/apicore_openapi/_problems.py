"""The problem+json components and the error responses an endpoint can give."""

from __future__ import annotations

from typing import Any

from apicore_introspect import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_PREFIX
from apicore_openapi._convert import COMPONENTS

PROBLEM = "Problem"
VALIDATION_PROBLEM = "ValidationProblem"


def problem_schemas() -> dict[str, dict[str, Any]]:
    """The ``Problem`` (RFC 9457) and ``ValidationProblem`` component schemas."""
    problem = {
        "type": "object",
        "description": "An RFC 9457 problem document.",
        "properties": {
            "type": {
                "type": "string",
                "description": f"A URI naming the problem: {PROBLEM_TYPE_PREFIX}<slug>.",
                "examples": [PROBLEM_TYPE_PREFIX + "malformed-request"],
            },
            "title": {"type": "string", "description": "A short summary of the problem type."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "What went wrong, for a person."},
            "instance": {"type": "string", "description": "The occurrence (a request id)."},
        },
        "required": ["type", "title", "status"],
    }
    error = {
        "type": "object",
        "properties": {
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "Where the bad value is: body, query, path or header, then keys.",
            },
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    }
    validation = {
        "allOf": [
            {"$ref": COMPONENTS + PROBLEM},
            {
                "type": "object",
                "properties": {"errors": {"type": "array", "items": error}},
                "required": ["errors"],
            },
        ],
        "description": "A problem document listing every validation failure.",
    }
    return {PROBLEM: problem, VALIDATION_PROBLEM: validation}


def problem_response(description: str, schema: str = PROBLEM, auth: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if auth:
        text = {"description": "The authentication challenge.", "schema": {"type": "string"}}
        response["headers"] = {"WWW-Authenticate": text}
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": COMPONENTS + schema}}}
    return response


#: (component name, status, response object) of every error response.
ERROR_RESPONSES: dict[str, tuple[int, dict[str, Any]]] = {
    "BadRequest": (
        400,
        problem_response("The request is malformed (not strict JSON, bad header)."),
    ),
    "Unauthorized": (401, problem_response("Missing, invalid or expired credentials.", auth=True)),
    "Forbidden": (403, problem_response("The credentials lack a required scope.", auth=True)),
    "PayloadTooLarge": (413, problem_response("The request body is too large.")),
    "UnsupportedMediaType": (415, problem_response("The request body is not application/json.")),
    "ValidationFailed": (
        422,
        problem_response(
            "The arguments do not fit the signature; every failure is listed.", VALIDATION_PROBLEM
        ),
    ),
    "InternalError": (
        500,
        problem_response("The function failed; the log has the details, under the request id."),
    ),
    "NotFound": (404, problem_response("No such resource.")),
}
