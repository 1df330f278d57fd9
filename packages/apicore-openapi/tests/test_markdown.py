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


def test_endpoint_section_has_everything(markdown: str) -> None:
    add = section(markdown, "`POST /add`")
    assert "Adds ``a`` and ``b``, as the legacy examples did." in add
    assert "**Authentication:** none." in add
    assert "| `a` | integer | yes | The first number. |" in add
    assert "| `b` | integer | no | The second number. Default: `372`. |" in add
    assert '"b": 372' in add
    assert "### Response `200`\n\nThe sum." in add
    assert "| 422 | The arguments do not fit the signature" in add
    assert "| 413 |" in add


def test_parameters_table_for_query_and_path(markdown: str) -> None:
    get = section(markdown, "`GET /items/{item_id}`")
    assert "| `item_id` | path | integer | yes | The item's id. |" in get
    assert "| `verbose` | query | boolean | no | Include details. Default: `false`. |" in get
    assert "curl -X GET http://127.0.0.1:8000/items/0" in get
    assert "### Request body" not in get


def test_auth_and_curl_with_token(markdown: str) -> None:
    delete = section(markdown, "`DELETE /items/{item_id}`")
    assert "> **Deprecated.**" in delete
    assert "**Authentication:** required, one of: `BearerAuth`" in delete
    assert '-H "Authorization: Bearer $TOKEN"' in delete
    assert "| 403 |" in delete


def test_curl_line_is_a_valid_shell_command(markdown: str) -> None:
    add = section(markdown, "`POST /add`")
    line = next(x for x in add.splitlines() if x.startswith("curl "))
    words = shlex.split(line)
    assert words[:4] == ["curl", "-X", "POST", "http://127.0.0.1:8000/add"]
    assert words[words.index("-d") + 1] == '{"a": 0, "b": 372}'


def test_callback_section(markdown: str) -> None:
    predict = section(markdown, "`POST /predict`")
    assert "### Response `202`" in predict
    assert "### Callback `result`" in predict
    assert "`{$request.header.Asymmetric-Callback-URL}`" in predict
    assert '"label": "string"' in predict
    assert "Asymmetric-Callback-URL: https://example.com/callback" in predict


def test_spec_first_document_without_components() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {
            "/pets/{id}": {
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": {"description": "A pet."}},
                }
            }
        },
    }
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
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Q", "version": "1"},
        "paths": {
            "/find": {
                "get": {
                    "parameters": [
                        {
                            "name": "filter",
                            "in": "query",
                            "required": True,
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"a b": {"type": "integer"}},
                                    }
                                }
                            },
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    text = to_markdown(document)
    assert "| `filter` | query | object | yes |  |" in text
    assert "curl -X GET 'http://127.0.0.1:8000/find?filter=%7B%22a%20b%22%3A%200%7D'" in text
