from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from openapi_spec_validator import validate

from apicore_introspect import Definitions, describe
from apicore_openapi import (
    ApiInfo,
    Callback,
    DocumentCache,
    EndpointError,
    RouteDoc,
    build_document,
    default_title,
    humanize,
)


def add(a: int, b: int = 372) -> int:
    """Add two numbers."""
    return a + b


SNAPSHOTS = pathlib.Path(__file__).parent / "snapshots"
VERSIONS = ["3.1.0", "3.0.3"]


@pytest.mark.parametrize("version", VERSIONS)
def test_representative_app_validates(
    endpoints: list[RouteDoc], version: Any, info: ApiInfo
) -> None:
    document = build_document(info, endpoints, version=version)
    assert document["openapi"] == version
    validate(document)


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_file(endpoints: list[RouteDoc], version: Any, info: ApiInfo) -> None:
    """Pin the document; regenerate with APICORE_UPDATE_SNAPSHOTS=1 after a deliberate change."""
    document = build_document(info, endpoints, version=version)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    path = SNAPSHOTS / f"representative-{version}.json"
    if os.environ.get("APICORE_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended, rerun with APICORE_UPDATE_SNAPSHOTS=1"
    )


def test_output_is_deterministic_and_order_independent(
    info: ApiInfo, app_factory: Callable[[], list[RouteDoc]]
) -> None:
    forward = build_document(info, app_factory())
    backward = build_document(info, list(reversed(app_factory())))
    assert json.dumps(forward) == json.dumps(backward)
    assert list(forward["paths"]) == sorted(forward["paths"])
    assert list(forward["components"]["schemas"]) == sorted(forward["components"]["schemas"])


def test_operation_ids_are_clean(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    document = build_document(info, endpoints)
    ids = {
        (path, method): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert ids[("/add", "post")] == "add"
    assert ids[("/items/{item_id}", "get")] == "get_item"
    assert ids[("/ping", "get")] == "ping"
    assert ids[("/ping", "head")] == "ping_head"
    assert ids[("/jobs/{job_id}", "get")] == "get_job"
    assert len(set(ids.values())) == len(ids)


def test_operation_ids_get_a_suffix_only_on_a_real_clash(info: ApiInfo) -> None:
    defs = Definitions()
    endpoints = [
        RouteDoc("/v1/add", describe(add, definitions=defs)),
        RouteDoc("/v2/add", describe(add, definitions=defs)),
        RouteDoc("/v3/add", describe(add, definitions=defs), operation_id="add_v3"),
    ]
    paths = build_document(info, endpoints)["paths"]
    assert [paths[p]["post"]["operationId"] for p in paths] == ["add", "add_2", "add_v3"]


def test_explicit_operation_id_clash_is_an_error(info: ApiInfo) -> None:
    endpoints = [
        RouteDoc("/a", describe(add), operation_id="same"),
        RouteDoc("/b", describe(add), operation_id="same"),
    ]
    with pytest.raises(EndpointError, match="operationId 'same'"):
        build_document(info, endpoints)


def test_docstring_gives_summary_description_and_parameter_descriptions(
    endpoints: list[RouteDoc], info: ApiInfo
) -> None:
    op = build_document(info, endpoints)["paths"]["/add"]["post"]
    assert op["summary"] == "Add two numbers."
    assert op["description"] == "Adds ``a`` and ``b``, as the legacy examples did."
    body = op["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["properties"]["a"] == {"type": "integer", "description": "The first number."}
    assert schema["properties"]["b"]["default"] == 372
    assert schema["required"] == ["a"]
    assert op["responses"]["200"]["description"] == "The sum."
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "integer"}


def test_summary_and_description_overrides(info: ApiInfo) -> None:
    endpoint = RouteDoc("/add", describe(add), summary="Sum", description="Long")
    op = build_document(info, [endpoint])["paths"]["/add"]["post"]
    assert (op["summary"], op["description"]) == ("Sum", "Long")


def test_query_and_path_parameters(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    op = build_document(info, endpoints)["paths"]["/items/{item_id}"]["get"]
    assert "requestBody" not in op
    params = {p["name"]: p for p in op["parameters"]}
    assert params["item_id"] == {
        "name": "item_id",
        "in": "path",
        "required": True,
        "description": "The item's id.",
        "schema": {"type": "integer"},
    }
    assert params["verbose"]["in"] == "query"
    assert params["verbose"]["schema"] == {"type": "boolean", "default": False}
    assert params["color"]["schema"]["default"] == "red"
    assert "413" not in op["responses"]
    assert "415" not in op["responses"]


def test_path_parameters_are_not_in_the_body(info: ApiInfo) -> None:
    def update(item_id: int, name: str) -> None:
        """Rename."""

    op = build_document(info, [RouteDoc("/items/{item_id}", describe(update), methods=("PUT",))])
    put = op["paths"]["/items/{item_id}"]["put"]
    assert [p["name"] for p in put["parameters"]] == ["item_id"]
    schema = put["requestBody"]["content"]["application/json"]["schema"]
    assert list(schema["properties"]) == ["name"]


def test_examples_reach_parameters_and_schemas(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    document = build_document(info, endpoints)
    body = document["paths"]["/everything"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["properties"]["count"]["examples"] == [3]
    converted = build_document(info, endpoints, version="3.0.3")
    body30 = converted["paths"]["/everything"]["post"]["requestBody"]
    assert body30["content"]["application/json"]["schema"]["properties"]["count"]["example"] == 3
    query = RouteDoc("/everything", describe(endpoints[1].operation.func), methods=("GET",))
    params = build_document(info, [query])["paths"]["/everything"]["get"]["parameters"]
    assert next(p for p in params if p["name"] == "count")["example"] == 3


def test_error_responses_fit_each_endpoint(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    paths = build_document(info, endpoints)["paths"]
    codes = {
        (path, method): sorted(op["responses"])
        for path, item in paths.items()
        for method, op in item.items()
    }
    assert codes[("/add", "post")] == ["200", "400", "413", "415", "422", "500"]
    assert codes[("/secret", "get")] == ["200", "400", "401", "422", "500"]
    assert codes[("/items/{item_id}", "delete")] == ["204", "400", "401", "403", "422", "500"]
    assert codes[("/predict", "post")] == ["202", "400", "401", "413", "415", "422", "500"]


def test_one_shared_problem_component(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    document = build_document(info, endpoints)
    responses = document["components"]["responses"]
    for name, response in responses.items():
        schema = response["content"]["application/problem+json"]["schema"]
        expected = "ValidationProblem" if name == "ValidationFailed" else "Problem"
        assert schema == {"$ref": f"#/components/schemas/{expected}"}
    validation = document["components"]["schemas"]["ValidationProblem"]
    assert validation["allOf"][0] == {"$ref": "#/components/schemas/Problem"}


def test_validation_status_400_merges_with_bad_request(
    endpoints: list[RouteDoc], info: ApiInfo
) -> None:
    document = build_document(info, endpoints, validation_status=400)
    op = document["paths"]["/add"]["post"]
    assert op["responses"]["400"] == {"$ref": "#/components/responses/ValidationFailed"}
    assert "422" not in op["responses"]
    validate(document)


def test_security(
    endpoints: list[RouteDoc], info: ApiInfo, schemes: dict[str, dict[str, Any]]
) -> None:
    document = build_document(info, endpoints)
    assert document["components"]["securitySchemes"] == schemes
    delete = document["paths"]["/items/{item_id}"]["delete"]
    assert delete["security"] == [{"BearerAuth": ["admin"]}, {"XApiKeyAuth": ["admin"]}]
    assert "security" not in document["paths"]["/add"]["post"]
    old = build_document(info, endpoints, version="3.0.3")
    # 3.0 allows role lists only for OAuth2/OpenID Connect.
    assert old["paths"]["/items/{item_id}"]["delete"]["security"] == [
        {"BearerAuth": []},
        {"XApiKeyAuth": []},
    ]


def test_unknown_security_scheme_is_an_error() -> None:
    with pytest.raises(EndpointError, match="security_schemes"):
        RouteDoc("/a", describe(add), security=({"Missing": []},))


def test_conflicting_scheme_definitions_are_an_error(info: ApiInfo) -> None:
    endpoints = [
        RouteDoc(
            "/a",
            describe(add),
            security=({"S": []},),
            security_schemes={"S": {"type": "http", "scheme": "bearer"}},
        ),
        RouteDoc(
            "/b",
            describe(add),
            security=({"S": []},),
            security_schemes={"S": {"type": "http", "scheme": "basic"}},
        ),
    ]
    with pytest.raises(EndpointError, match="defined twice"):
        build_document(info, endpoints)


def test_callback_endpoint(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    document = build_document(info, endpoints)
    op = document["paths"]["/predict"]["post"]
    accepted = op["responses"]["202"]
    assert accepted["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JobAccepted"
    }
    assert "Location" in accepted["headers"]
    headers = [p["name"] for p in op["parameters"] if p["in"] == "header"]
    assert headers == [
        "Asymmetric-Callback-URL",
        "Asymmetric-Callback-Method",
        "Asymmetric-Custom-Callback-Key",
    ]
    callback = op["callbacks"]["result"]["{$request.header.Asymmetric-Callback-URL}"]
    assert sorted(callback) == ["patch", "post", "put"]
    payload = callback["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert payload["anyOf"][0] == {"$ref": "#/components/schemas/Prediction"}
    assert payload["anyOf"][1]["additionalProperties"] == payload["anyOf"][0]
    status = document["paths"]["/jobs/{job_id}"]["get"]
    assert status["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JobStatus"
    }
    assert status["security"] == op["security"]


def test_callback_fragments_from_another_package_are_used_as_given(info: ApiInfo) -> None:
    header = {"name": "X-Callback", "in": "header", "required": True, "schema": {"type": "string"}}
    accepted = {"type": "object", "properties": {"job_id": {"type": "string"}}}
    status = {"type": "object", "properties": {"state": {"type": ["string", "null"]}}}
    callback = Callback(
        url_header="X-Callback",
        status_path="/tasks/{id}",
        header_parameters=(header,),
        accepted_schema=accepted,
        status_schema=status,
        callbacks={
            "done": {
                "{$request.header.X-Callback}": {
                    "post": {"responses": {"200": {"description": "ok"}}}
                }
            }
        },
    )
    endpoint = RouteDoc("/slow", describe(add), callback=callback)
    document = build_document(info, [endpoint])
    op = document["paths"]["/slow"]["post"]
    assert op["parameters"] == [header]
    assert list(op["callbacks"]) == ["done"]
    assert document["components"]["schemas"]["JobAccepted"] == accepted
    assert "/tasks/{id}" in document["paths"]
    old = build_document(info, [endpoint], version="3.0.3")
    assert old["components"]["schemas"]["JobStatus"]["properties"]["state"] == {
        "type": "string",
        "nullable": True,
    }
    validate(document)
    validate(old)


def test_info_servers_and_tags(endpoints: list[RouteDoc], info: ApiInfo) -> None:
    document = build_document(info, endpoints)
    assert document["info"] == {
        "title": "Example API",
        "version": "1.2.3",
        "description": "A representative app.",
    }
    assert document["servers"] == [{"url": "http://127.0.0.1:8000"}]
    assert document["tags"] == [{"name": "items"}, {"name": "math"}]


def test_empty_app_is_valid() -> None:
    document = build_document(ApiInfo(), [])
    assert document["info"]["title"] == "Symmetric API"
    validate(document)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("my_api", "My Api API"),
        ("pkg.mod", "Pkg API"),
        ("some-thing", "Some Thing API"),
        (None, "Symmetric API"),
    ],
)
def test_default_title_is_the_legacy_humanized_module(name: str | None, title: str) -> None:
    assert default_title(name) == title


def test_humanize_keeps_dots() -> None:
    assert humanize("PKG.my_mod") == "Pkg.My Mod"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"path": "add"}, "must start with '/'"),
        ({"methods": ("FETCH",)}, "unknown HTTP method"),
        ({"methods": "GET"}, "not the string"),
        ({"response_code": 99}, "not 100-599"),
        ({"path": "/x/{nope}"}, "no parameter 'nope'"),
    ],
)
def test_endpoint_rejects_bad_input(kwargs: dict[str, Any], match: str) -> None:
    options: dict[str, Any] = {"path": "/add", **kwargs}
    with pytest.raises(ValueError, match=match):
        RouteDoc(operation=describe(add), **options)


def test_same_route_twice_is_an_error(info: ApiInfo) -> None:
    with pytest.raises(EndpointError, match="declared twice"):
        build_document(info, [RouteDoc("/a", describe(add)), RouteDoc("/a", describe(add))])


@dataclasses.dataclass
class Problem:
    x: int


def takes_problem(p: Problem) -> None:
    """Take a user type named like the built-in component."""


def test_type_named_like_a_builtin_component_is_an_error(info: ApiInfo) -> None:
    with pytest.raises(EndpointError, match="rename the type"):
        build_document(info, [RouteDoc("/f", describe(takes_problem))])


@pytest.mark.parametrize(
    ("bad", "match"),
    [({"version": "2.0"}, "version"), ({"validation_status": 418}, "validation_status")],
)
def test_build_document_rejects_bad_options(bad: dict[str, Any], match: str, info: ApiInfo) -> None:
    with pytest.raises(ValueError, match=match):
        build_document(info, [], **bad)


def test_document_cache_builds_once_and_serves_bytes(
    info: ApiInfo, app_factory: Callable[[], list[RouteDoc]]
) -> None:
    calls: list[int] = []

    def build() -> dict[str, Any]:
        calls.append(1)
        return build_document(info, app_factory())

    cache = DocumentCache(build)
    threads = [threading.Thread(target=cache.json_bytes) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    body = cache.json_bytes()
    assert body is cache.json_bytes()
    assert json.loads(body) == cache.document()
    assert len(calls) == 1
    cache.clear()
    cache.document()
    assert len(calls) == 2


@pytest.mark.parametrize("version", VERSIONS)
def test_query_objects_are_json_content(
    endpoints: list[RouteDoc], info: ApiInfo, version: Any
) -> None:
    """apicore-introspect reads objects in a query string as JSON text: say so."""
    query = RouteDoc("/everything", describe(endpoints[1].operation.func), methods=("GET",))
    document = build_document(info, [query], version=version)
    validate(document)
    params = {p["name"]: p for p in document["paths"]["/everything"]["get"]["parameters"]}
    assert "schema" not in params["address"]
    assert params["address"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Address"
    }
    assert "content" in params["mapping"]
    assert params["items"]["schema"]["type"] == "array"  # a repeated name
    assert params["count"]["schema"]["type"] == "integer"
