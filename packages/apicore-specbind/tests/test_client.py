from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from apicore_specbind import ClientArgumentError, RequestValidationError, Spec
from apicore_specbind._client import annotation_of


def test_query_arrays_and_headers(petstore: Spec, notes: Spec) -> None:
    out = petstore.operation("listPets").build_request(
        limit=3, tags=["a", "b"], ids=[1, 2], x_request_id="abc"
    )
    assert out.method == "GET"
    assert out.path == "/pets"
    assert out.query == (("limit", "3"), ("tags", "a,b"), ("ids", "1"), ("ids", "2"))
    assert out.headers == {"X-Request-ID": "abc"}
    assert out.body is None
    by_wire_name = petstore.operation("listPets").build_request(**{"X-Request-ID": "z"})  # type: ignore[arg-type]
    assert by_wire_name.headers == {"X-Request-ID": "z"}
    notes_out = notes.operation("listNotes").build_request(tag=["x", "y"], x_trace="t")
    assert notes_out.query == (("tag", "x,y"),)


def test_path_body_and_legacy_positional(petstore: Spec, pets30: Spec) -> None:
    op = petstore.operations_by_client_name["create_pet"]
    NewPet = petstore.models.NewPet
    positional = op.build_request(NewPet(name="Rex", toys=[petstore.models.Toy(price=1)]))
    keyword = op.build_request(pet={"name": "Rex", "toys": [{"price": 1}]})
    assert positional == keyword
    assert json.loads(positional.body or b"") == {"name": "Rex", "toys": [{"price": 1}]}
    assert positional.headers == {"Content-Type": "application/json"}
    update = pets30.operation("updatePet").build_request(
        {"name": "R"}, pet_id=5, dry_run=True, session="s", filter={"q": "a b"}
    )
    assert update.path == "/pets/5"
    assert update.query == (("dryRun", "true"), ("filter", '{"q":"a b"}'))
    assert update.cookies == {"session": "s"}
    slash = petstore.operation("petstore_handlers.get_pet").build_request(petId=7)
    assert slash.path == "/pets/7"


def test_argument_errors(petstore: Spec) -> None:
    op = petstore.operations_by_client_name["create_pet"]
    with pytest.raises(ClientArgumentError, match="exactly 1 positional"):
        op.build_request({"name": "a"}, {"name": "b"})
    with pytest.raises(ClientArgumentError, match="unexpected arguments colour"):
        op.build_request({"name": "a"}, colour="red")
    with pytest.raises(ClientArgumentError, match="given twice"):
        op.build_request({"name": "a"}, pet={"name": "a"})
    with pytest.raises(RequestValidationError) as info:
        op.build_request({"name": ""})
    assert info.value.errors[0].loc == ("body", "name")
    get = petstore.operation("petstore_handlers.get_pet")
    with pytest.raises(RequestValidationError, match="1 validation error"):
        get.build_request()
    with pytest.raises(RequestValidationError):
        get.build_request(petId="x")
    assert get.build_request(petId="x", validate=False).path == "/pets/x"


def test_form_fields(petstore: Spec) -> None:
    out = petstore.operations[4].build_request(petId=1, caption="hi there", rating=4)
    assert out.body == b"caption=hi+there&rating=4"
    assert out.content_type == "application/x-www-form-urlencoded"


def test_round_trip_with_the_server_side(petstore: Spec) -> None:
    op = petstore.operation("listPets")
    out = op.build_request(limit=7, tags=["a"], ids=[3, 4])
    parsed = op.parse_request(query=list(out.query), headers=dict(out.headers))
    assert parsed.query == {"limit": 7, "tags": ["a"], "ids": [3, 4]}


def test_multipart_only_form_round_trip(petstore: Spec, spec_of: Callable[..., Spec]) -> None:
    op = petstore.operations[4]
    out = op.build_request(petId=1, caption="c", file=b"\x00\x01")
    assert out.content_type == "application/x-www-form-urlencoded"  # preferred when declared
    spec = spec_of(
        "2.0",
        paths={
            "/u": {
                "post": {
                    "consumes": ["multipart/form-data"],
                    "parameters": [
                        {"name": "note", "in": "formData", "type": "string"},
                        {"name": "file", "in": "formData", "type": "file", "required": True},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    )
    upload = spec.operations[0]
    sent = upload.build_request(note="n", file=b"\x00\x01")
    assert sent.content_type is not None
    assert sent.content_type.startswith("multipart/form-data; boundary=")
    parsed = upload.parse_request(body=sent.body or b"", content_type=sent.content_type)
    assert parsed.body == {"note": "n", "file": b"\x00\x01"}


FUNCTION_FIRST = {
    "openapi": "3.1.0",
    "info": {"title": "Calc", "version": "1"},
    "paths": {
        "/add": {
            "post": {
                "operationId": "add",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                                "required": ["a"],
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_an_inline_object_body_takes_its_properties_as_keywords() -> None:
    op = Spec.from_dict(FUNCTION_FIRST).operations_by_client_name["add"]
    assert op.request_body is not None
    assert op.request_body.fields == ("a", "b")
    by_keywords = op.build_request(a=48, b=21)
    assert json.loads(by_keywords.body or b"") == {"a": 48, "b": 21}
    whole = op.build_request(body={"a": 48})
    assert json.loads(whole.body or b"") == {"a": 48}
    with pytest.raises(RequestValidationError):
        op.build_request(b=1)  # "a" is required by the body schema
    with pytest.raises(ClientArgumentError, match="accepts: body, a, b"):
        op.build_request(a=1, c=2)


@pytest.mark.parametrize(
    ("value", "path"),
    [(".", "/pets/%2E"), ("..", "/pets/%2E%2E"), ("a/..", "/pets/a%2F.."), ("a.b", "/pets/a.b")],
)
def test_dot_segments_are_percent_encoded(petstore: Spec, value: str, path: str) -> None:
    # URL normalisation would remove /. and /.. and send the request to another resource
    out = petstore.operation("petstore_handlers.get_pet").build_request(petId=value, validate=False)
    assert out.path == path


def test_python_signature(petstore: Spec, pets30: Spec) -> None:
    ops = petstore.operations_by_client_name
    assert str(ops["get_pet"].python_signature()) == "(*, pet_id: 'int') -> 'Pet'"
    create = ops["create_pet"].python_signature()
    assert str(create) == "(pet: 'NewPet | dict[str, Any]') -> 'Pet'"
    assert create.parameters["pet"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    listing = ops["list_pets"].python_signature()
    assert list(listing.parameters) == ["limit", "tags", "ids", "x_request_id"]
    assert all(p.default is None for p in listing.parameters.values())
    assert listing.parameters["tags"].annotation == "list[str] | None"
    assert listing.return_annotation == "list[Pet]"
    assert ops["delete_pets_by_pet_id"].python_signature().return_annotation == "None"
    update = pets30.operation("updatePet").python_signature()
    assert list(update.parameters)[:2] == ["body", "pet_id"]  # the body, then required ones


def test_python_signature_extra_keywords_unless_a_parameter_has_the_name(
    spec_of: Callable[..., Spec],
) -> None:
    param = {"name": "max_attempts", "in": "query", "schema": {"type": "string"}}
    operation = {"parameters": [param], "responses": {"200": {"description": "ok"}}}
    (op,) = spec_of("3.0.3", paths={"/x": {"get": operation}}).operations
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in (("max_attempts", "int | None"), ("read_timeout", "float | None"))
    ]
    params = op.python_signature(extra=extra).parameters
    assert list(params) == ["max_attempts", "read_timeout"]
    assert params["max_attempts"].annotation == "str | None"  # the operation's own parameter
    assert params["read_timeout"].annotation == "float | None"
    assert list(op.python_signature().parameters) == ["max_attempts"]


def test_python_signature_required_first_and_31_type_lists(spec_of: Callable[..., Spec]) -> None:
    q = {"name": "q", "in": "query", "schema": {"type": ["integer", "null"]}}
    path_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    operation = {"parameters": [q, path_id], "responses": {"200": {"description": "ok"}}}
    (op,) = spec_of("3.1.0", paths={"/x/{id}": {"get": operation}}).operations
    assert str(op.python_signature()) == "(*, id: 'str', q: 'int | None | None' = None) -> 'None'"


def test_python_signature_of_form_operation(spec_of: Callable[..., Spec]) -> None:
    operation = {
        "consumes": ["application/x-www-form-urlencoded"],
        "parameters": [
            {"name": "a", "in": "formData", "type": "string", "required": True},
            {"name": "b", "in": "formData", "type": "integer"},
        ],
        "responses": {"200": {"description": "ok"}},
    }
    (op,) = spec_of("2.0", paths={"/f": {"post": operation}}).operations
    assert str(op.python_signature()) == "(*, a: 'str', b: 'int | None' = None) -> 'None'"


def _nested(arrays: int, items: dict[str, Any]) -> dict[str, Any]:
    for _ in range(arrays):
        items = {"type": "array", "items": items}
    return items


@pytest.mark.parametrize(
    ("schema", "output", "annotation"),
    [
        ({"type": ["string", "number"]}, False, "str | float"),
        ({"type": ["integer", "null"]}, False, "int | None"),
        ({"type": ["null"]}, False, "None"),
        (_nested(5, {"type": "integer"}), False, "list[list[list[list[Any]]]]"),  # depth cap
        ({"type": "object"}, False, "dict[str, Any]"),
        (
            {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
            False,
            "list[Pet | dict[str, Any]]",
        ),
        ({"type": "array", "items": {"$ref": "#/definitions/Pet"}}, True, "list[Pet]"),
        ({"$ref": "#/definitions/Unknown"}, False, "Any"),
        ({"type": "file"}, False, "Any"),
        ({}, False, "Any"),
        (None, False, "Any"),
    ],
)
def test_annotation_of(schema: Mapping[str, Any] | None, output: bool, annotation: str) -> None:
    assert annotation_of({"Pet"}, schema, output=output) == annotation


def test_docstring(spec_of: Callable[..., Spec], petstore: Spec) -> None:
    limit = {
        "name": "limit",
        "in": "query",
        "description": "At most\n  this many.",
        "type": "integer",
    }
    trace = {"name": "X-Trace", "in": "header", "type": "string"}
    operation = {
        "summary": "List the pets.",
        "description": "Newest first.",
        "deprecated": True,
        "parameters": [limit, trace],
        "responses": {"200": {"description": "ok"}, "206": {"description": "partial"}},
    }
    (op,) = spec_of("2.0", paths={"/pets": {"get": operation}}).operations
    assert op.docstring == (
        "List the pets.\n\nNewest first.\n\n``GET /pets`` (deprecated)\n\n"
        "Args:\n    limit: At most this many.\n    x_trace: The header parameter ``X-Trace``.\n\n"
        "Returns:\n    The decoded 200/206 response body."
    )
    create = petstore.operations_by_client_name["create_pet"].docstring
    assert "Args:\n    pet: The request body.\n" in create
    nameless = {"delete": {"responses": {"204": {"description": "gone"}}}}
    (bare,) = spec_of("3.0.3", paths={"/y": nameless}).operations
    assert (
        bare.docstring
        == "DELETE /y\n\n``DELETE /y``\n\nReturns:\n    The decoded 204 response body."
    )


def test_accept_header(pets30: Spec, spec_of: Callable[..., Spec]) -> None:
    update = pets30.operation("updatePet")
    assert update.accept_header == "application/json, application/problem+json"
    nothing = {"delete": {"responses": {"204": {"description": "gone"}}}}
    (op,) = spec_of("3.0.3", paths={"/y": nothing}).operations
    assert op.accept_header is None
    problem = {"200": {"description": "ok", "content": {"application/problem+json": {}}}}
    (said,) = spec_of("3.0.3", paths={"/z": {"get": {"responses": problem}}}).operations
    assert said.accept_header == "application/problem+json"
