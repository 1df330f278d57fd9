from __future__ import annotations

import shlex
from typing import Any

import pytest

from apicore_openapi import ApiInfo, RouteDoc, build_document, to_markdown


@pytest.fixture(params=["3.1.0", "3.0.3"])
def markdown(request: pytest.FixtureRequest, info: ApiInfo, endpoints: list[RouteDoc]) -> str:
    return to_markdown(build_document(info, endpoints, version=request.param))


def section(markdown: str, title: str) -> str:
    start = markdown.index(f"## {title}")
    end = markdown.find("\n<a id=", start)
    return markdown[start : end if end != -1 else None]


def test_header_and_table_of_contents(markdown: str) -> None:
    assert markdown.startswith("# Example API\n\nA representative app.\n")
    assert "- [`POST /add`](#op-add) — Add two numbers." in markdown
    assert '<a id="op-add"></a>' in markdown
    assert "- **BearerAuth**: (HTTP bearer) An API token" in markdown


SECTIONS = {
    # an endpoint's whole section: description, auth, parameters, example, responses
    "`POST /add`": [
        "Adds ``a`` and ``b``, as the legacy examples did.",
        "**Authentication:** none.",
        "| `a` | integer | yes | The first number. |",
        "| `b` | integer | no | The second number. Default: `372`. |",
        '"b": 372',
        "### Response `200`\n\nThe sum.",
        "| 422 | The arguments do not fit the signature",
        "| 413 |",
    ],
    # the parameters table for query and path
    "`GET /items/{item_id}`": [
        "| `item_id` | path | integer | yes | The item's id. |",
        "| `verbose` | query | boolean | no | Include details. Default: `false`. |",
        "curl -X GET http://127.0.0.1:8000/items/0",
    ],
    # auth and curl with a token
    "`DELETE /items/{item_id}`": [
        "> **Deprecated.**",
        "**Authentication:** required, one of: `BearerAuth`",
        '-H "Authorization: Bearer $TOKEN"',
        "| 403 |",
    ],
    # a callback
    "`POST /predict`": [
        "### Response `202`",
        "### Callback `result`",
        "`{$request.header.Asymmetric-Callback-URL}`",
        '"label": "string"',
        "Asymmetric-Callback-URL: https://example.com/callback",
    ],
}


@pytest.mark.parametrize(("title", "expected"), SECTIONS.items(), ids=list(SECTIONS))
def test_endpoint_section_has_everything(markdown: str, title: str, expected: list[str]) -> None:
    text = section(markdown, title)
    missing = [fragment for fragment in expected if fragment not in text]
    assert missing == []


def test_a_get_has_no_request_body(markdown: str) -> None:
    assert "### Request body" not in section(markdown, "`GET /items/{item_id}`")


def test_curl_line_is_a_valid_shell_command(markdown: str) -> None:
    add = section(markdown, "`POST /add`")
    line = next(x for x in add.splitlines() if x.startswith("curl "))
    words = shlex.split(line)
    assert words[:4] == ["curl", "-X", "POST", "http://127.0.0.1:8000/add"]
    assert words[words.index("-d") + 1] == '{"a": 0, "b": 372}'


def one_get(version: str, path: str, parameter: dict[str, Any]) -> dict[str, Any]:
    """A spec-first document without components: one ``GET`` taking one parameter."""
    operation = {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}
    return {
        "openapi": version,
        "info": {"title": "Spec first", "version": "1"},
        "paths": {path: {"get": operation}},
    }


def test_spec_first_document_without_components() -> None:
    parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    document = one_get("3.0.3", "/pets/{id}", parameter)
    text = to_markdown(document, base_url="https://pets.example.com/")
    assert "## `GET /pets/{id}`" in text
    assert "No description provided." in text
    assert "curl -X GET https://pets.example.com/pets/0" in text


def test_empty_document() -> None:
    assert to_markdown({"info": {"title": "X", "version": "1"}}).startswith("# X\n")


def test_scopes_are_listed_when_the_document_has_them(
    info: ApiInfo, endpoints: list[RouteDoc]
) -> None:
    text = to_markdown(build_document(info, endpoints))  # 3.0 drops non-OAuth scopes
    assert "`BearerAuth` (scopes: admin), `XApiKeyAuth` (scopes: admin)" in text


def test_curl_encodes_query_values() -> None:
    schema = {"type": "object", "properties": {"a b": {"type": "integer"}}}
    parameter = {
        "name": "filter",
        "in": "query",
        "required": True,
        "content": {"application/json": {"schema": schema}},
    }
    document = one_get("3.1.0", "/find", parameter)
    text = to_markdown(document)
    assert "| `filter` | query | object | yes |  |" in text
    assert "curl -X GET 'http://127.0.0.1:8000/find?filter=%7B%22a%20b%22%3A%200%7D'" in text
