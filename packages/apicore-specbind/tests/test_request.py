from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from apicore_specbind import (
    BodyTooLargeError,
    MalformedRequestError,
    RequestValidationError,
    Spec,
    UnsupportedMediaTypeError,
    load_spec,
)

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")

SPECS = Path(__file__).parent / "specs"


def test_query_and_header_coercion(petstore: Spec) -> None:
    op = petstore.operation("listPets")
    parsed = op.parse_request(
        query=[("tags", "a,b"), ("ids", "1"), ("ids", "2"), ("unknown", "x")],
        headers={"x-request-id": "abc"},
    )
    assert parsed.query == {"limit": 20, "tags": ["a", "b"], "ids": [1, 2]}
    assert parsed.header == {"X-Request-ID": "abc"}
    assert parsed.params["limit"] == 20


def test_path_params_are_typed_and_validated(petstore: Spec) -> None:
    op = petstore.operation("petstore_handlers.get_pet")
    assert op.parse_request(path_params={"petId": "42"}).path == {"petId": 42}
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(path_params={"petId": "xx"})
    assert info.value.to_problem()["errors"] == [
        {"loc": ["path", "petId"], "msg": "'xx' is not of type 'integer'", "type": "type"}
    ]
    with pytest.raises(RequestValidationError, match="1 validation error"):
        op.parse_request(path_params={"petId": str(2**64)})  # int64 range


def test_every_failure_is_reported(petstore: Spec) -> None:
    op = petstore.operation("listPets")
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(query=[("limit", "0"), ("ids", "1"), ("ids", "x")])
    problem = info.value.to_problem()
    assert problem["status"] == 400
    assert problem["type"] == "urn:apicore:problem:validation-error"
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [
        (["query", "limit"], "minimum"),
        (["query", "ids", 1], "type"),
    ]


def test_body_errors_and_params_together(pets30: Spec) -> None:
    op = pets30.operation("updatePet")
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(
            path_params={"petId": "x"},
            query=[("dryRun", "maybe")],
            body=b'{"nickname": 3, "parent": {"name": 1}}',
            content_type="application/json",
        )
    locs = [e.loc for e in info.value.errors]
    assert locs == [  # parameters in spec order, then the body
        ("path", "petId"),
        ("query", "dryRun"),
        ("body", "name"),
        ("body", "nickname"),
        ("body", "parent", "name"),
    ]


def test_v30_nullable_cookie_and_content_params(pets30: Spec) -> None:
    op = pets30.operation("updatePet")
    parsed = op.parse_request(
        path_params={"petId": "7"},
        query=[("filter", '{"q": "rex"}'), ("dryRun", "TRUE")],
        cookies={"session": "s1"},
        body=b'{"name": "Rex", "nickname": null, "status": null, "parent": null}',
        content_type="application/json; charset=utf-8",
    )
    assert parsed.query == {"dryRun": True, "filter": {"q": "rex"}}
    assert parsed.cookie == {"session": "s1"}
    assert parsed.body == pets30.models.Pet(name="Rex")
    with pytest.raises(RequestValidationError, match="1 validation error"):
        op.parse_request(path_params={"petId": "7"}, body=b'{"name": "R", "status": "lost"}')


def test_v31_arrays_type_lists_and_required_header(notes: Spec) -> None:
    op = notes.operation("listNotes")
    parsed = op.parse_request(query=[("tag", "a,b,c"), ("limit", "3")], headers={"X-TRACE": "t"})
    assert parsed.query == {"tag": ["a", "b", "c"], "limit": 3}
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(query=[("limit", "0")])
    assert [(e.loc, e.type) for e in info.value.errors] == [
        (("query", "limit"), "minimum"),
        (("header", "X-Trace"), "missing"),
    ]
    children = notes.operations[2]
    value = "4a0b5b1e-9b1c-4a47-9d0e-4c2a7b9a1c11"
    assert children.parse_request(path_params={"noteId": value}).path == {"noteId": value}
    with pytest.raises(RequestValidationError, match="1 validation error"):
        children.parse_request(path_params={"noteId": "not-a-uuid"})
    assert str(uuid.UUID(value)) == value


def test_body_becomes_a_model_with_dates(notes: Spec) -> None:
    op = notes.operation("createNote")
    parsed = op.parse_request(
        body=b'{"title": "t", "created": "2024-05-01T10:00:00Z", "tags": ["x"]}'
    )
    note = parsed.body
    assert type(note) is notes.models.Note
    assert note.created == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    assert note.to_dict()["created"] == "2024-05-01T10:00:00+00:00"
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(body=b'{"title": "' + b"x" * 41 + b'", "created": "yesterday"}')
    assert [(e.loc, e.type) for e in info.value.errors] == [
        (("body", "created"), "format"),
        (("body", "title"), "maxLength"),
    ]


def test_items_location_deep(petstore: Spec) -> None:
    op = petstore.operations_by_client_name["create_pet"]
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(
            body=b'{"name": "a", "toys": [{"price": 1}, {}, {"price": 1}, {"price": "x"}]}'
        )
    assert [e.to_dict() for e in info.value.errors] == [
        {"loc": ["body", "toys", 1, "price"], "msg": "Field required", "type": "missing"},
        {"loc": ["body", "toys", 3, "price"], "msg": "'x' is not of type 'number'", "type": "type"},
    ]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{", "json_invalid"),
        (b'{"name": NaN}', "json_invalid"),
        (b'{"name": "a", "name": "b"}', "duplicate_key"),
        (b'{"name": "\xff"}', "utf8_invalid"),
        (b"[" * 100_000, "too_deep"),
        (b'{"n": 1e400}', "number_too_large"),
        (b'{"n": ' + b"1" * 5000 + b"}", "int_too_long"),
        (b'{"n": "\\ud800"}', "lone_surrogate"),
    ],
)
def test_malformed_bodies_are_400(petstore: Spec, body: bytes, kind: str) -> None:
    op = petstore.operations_by_client_name["create_pet"]
    with pytest.raises(MalformedRequestError) as info:
        op.parse_request(body=body, content_type="application/json")
    problem = info.value.to_problem()
    assert problem["status"] == 400
    assert problem["type"] == "urn:apicore:problem:malformed-request"
    assert problem["errors"][0]["type"] == kind


def test_content_type_checks(petstore: Spec) -> None:
    op = petstore.operations_by_client_name["create_pet"]
    with pytest.raises(UnsupportedMediaTypeError) as info:
        op.parse_request(body=b"name=a", content_type="text/plain")
    assert info.value.to_problem()["status"] == 415
    # Legacy: no content type means JSON.
    assert op.parse_request(body=b'{"name": "a"}').body.name == "a"
    strict = load_spec(SPECS / "petstore-v2.yaml", strict_content_type=True)
    with pytest.raises(UnsupportedMediaTypeError, match="Content-Type header is required"):
        strict.operations_by_client_name["create_pet"].parse_request(body=b'{"name": "a"}')


def test_missing_body_status_and_size_options() -> None:
    spec = load_spec(SPECS / "petstore-v2.yaml", validation_status=422, max_body_size=10)
    op = spec.operations_by_client_name["create_pet"]
    with pytest.raises(RequestValidationError) as info:
        op.parse_request()
    assert info.value.status == 422
    assert info.value.errors[0].loc == ("body",)
    with pytest.raises(BodyTooLargeError):
        op.parse_request(body=b'{"name": "abcdefgh"}')


def test_form_data(petstore: Spec) -> None:
    op = petstore.operations[4]
    parsed = op.parse_request(
        path_params={"petId": "1"},
        body=b"caption=hi&rating=4",
        content_type="application/x-www-form-urlencoded",
    )
    assert parsed.body == {"caption": "hi", "rating": 4}
    with pytest.raises(RequestValidationError) as info:
        op.parse_request(
            path_params={"petId": "1"},
            body=b"rating=9",
            content_type="application/x-www-form-urlencoded",
        )
    assert [e.loc for e in info.value.errors] == [("formData", "caption"), ("formData", "rating")]
    with pytest.raises(RequestValidationError, match="1 validation error"):
        op.parse_request(path_params={"petId": "1"})


def test_multipart_parsed_or_given(petstore: Spec) -> None:
    op = petstore.operations[4]
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="caption"\r\n\r\nsmile\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ--\r\n"
    )
    parsed = op.parse_request(
        path_params={"petId": "1"}, body=body, content_type="multipart/form-data; boundary=XyZ"
    )
    assert parsed.body == {"caption": "smile", "file": b"\x89PNG"}
    assert parsed.files == {"file": b"\x89PNG"}
    given = op.parse_request(
        path_params={"petId": "1"},
        content_type="multipart/form-data",
        form=[("caption", "c")],
        files={"file": "obj"},
    )
    assert given.body == {"caption": "c", "file": "obj"}
