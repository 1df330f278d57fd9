"""Header, cookie and query parameters, form bodies and declared responses in documents."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from openapi_spec_validator import validate

from apicore_introspect import Cookie, Form, Header, Path, Query, Range, UploadFile, describe
from apicore_openapi import ApiInfo, EndpointError, RouteDoc, build_document


class Ready:
    """A ready response type (what an app lets functions return)."""


def item(
    item: Annotated[int, Path("item-id")],
    tenant: Annotated[str, Header("X-Tenant")],
    session: Annotated[str | None, Cookie()] = None,
    page: Annotated[int, Query(), Range(ge=1)] = 1,
) -> dict[str, Any]:
    return {}


def upload(file: UploadFile, note: Annotated[str, Form("the-note")]) -> None:
    return None


def login(user: Annotated[str, Form()], password: str) -> None:
    return None


def report() -> Ready:
    return Ready()


def endpoints() -> list[RouteDoc]:
    ready = (Ready,)
    return [
        RouteDoc(
            "/items/{item-id}",
            describe(item),
            methods=("GET", "POST"),
            responses={404: "No such item", 409: {"description": "Conflict"}},
        ),
        RouteDoc("/upload", describe(upload)),
        RouteDoc("/login", describe(login)),
        RouteDoc(
            "/report",
            describe(report, response_types=ready),
            methods=("GET",),
            responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {}}}}},
        ),
        RouteDoc("/report2", describe(report, response_types=ready), methods=("GET",)),
    ]


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_documents_validate(version: str) -> None:
    validate(build_document(ApiInfo(), endpoints(), version=version))  # type: ignore[arg-type]


def test_parameters_in_header_cookie_query_and_path() -> None:
    document = build_document(ApiInfo(), endpoints())
    for method in ("get", "post"):
        parameters = document["paths"]["/items/{item-id}"][method]["parameters"]
        assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
            ("item-id", "path", True),
            ("X-Tenant", "header", True),
            ("session", "cookie", False),
            ("page", "query", False),
        ]
        assert parameters[3]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    # the POST has no body: every parameter is placed
    assert "requestBody" not in document["paths"]["/items/{item-id}"]["post"]


def test_declared_responses() -> None:
    responses = build_document(ApiInfo(), endpoints())["paths"]["/items/{item-id}"]["get"][
        "responses"
    ]
    assert responses["404"] == {
        "description": "No such item",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    assert responses["409"] == {"description": "Conflict"}


def test_form_bodies() -> None:
    paths = build_document(ApiInfo(), endpoints())["paths"]
    upload_body = paths["/upload"]["post"]["requestBody"]
    assert list(upload_body["content"]) == ["multipart/form-data"]
    schema = upload_body["content"]["multipart/form-data"]["schema"]
    assert schema["properties"] == {
        "file": {"type": "string", "format": "binary"},
        "the-note": {"type": "string"},
    }
    assert schema["required"] == ["file", "the-note"]
    login_body = paths["/login"]["post"]["requestBody"]["content"]
    assert list(login_body) == ["multipart/form-data", "application/x-www-form-urlencoded"]


def test_ready_responses_have_no_json_schema() -> None:
    paths = build_document(ApiInfo(), endpoints())["paths"]
    assert paths["/report"]["get"]["responses"]["200"]["content"] == {"text/csv": {"schema": {}}}
    assert paths["/report2"]["get"]["responses"]["200"] == {"description": "Successful response."}


@pytest.mark.parametrize("responses", [{99: "x"}, {"404": "x"}, {404: 3}])
def test_bad_declared_responses(responses: Any) -> None:
    with pytest.raises(EndpointError):
        RouteDoc("/x", describe(login), responses=responses)
