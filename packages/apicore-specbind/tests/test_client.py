from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from apicore_specbind import ClientArgumentError, RequestValidationError, Spec


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
