from __future__ import annotations

from pathlib import Path

import pytest

from apicore_specbind import ResponseValidationError, Spec, UndeclaredStatusError, load_spec

SPECS = Path(__file__).parent / "specs"


def test_marshal_models_and_lists(petstore: Spec) -> None:
    op = petstore.operation("listPets")
    Pet = petstore.models.Pet
    out = op.marshal_response(200, [Pet(id=1, name="a"), {"id": 2, "name": "b"}])
    assert out == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    # "default" covers any other status
    assert op.marshal_response(503, petstore.models.Error(code=1, message="m")) == {
        "code": 1,
        "message": "m",
    }


def test_invalid_response_is_reported_with_locations(petstore: Spec) -> None:
    op = petstore.operation("listPets")
    with pytest.raises(ResponseValidationError) as info:
        op.marshal_response(200, [{"id": "x", "name": "a"}, {"name": "b"}])
    assert [(e.loc, e.type) for e in info.value.errors] == [
        (("response", 0, "id"), "type"),
        (("response", 1, "id"), "missing"),
    ]
    assert info.value.status == 200
    assert op.marshal_response(200, [{"id": "x"}], validate=False) == [{"id": "x"}]


def test_undeclared_status_is_distinct(petstore: Spec) -> None:
    op = petstore.operation("petstore_handlers.get_pet")
    with pytest.raises(
        UndeclaredStatusError, match="answered 500, which the spec does not declare"
    ):
        op.marshal_response(500, {"code": 1, "message": "m"})
    assert issubclass(UndeclaredStatusError, ResponseValidationError)


def test_validation_switch_at_load() -> None:
    spec = load_spec(SPECS / "petstore-v2.yaml", validate_responses=False)
    op = spec.operation("listPets")
    assert op.marshal_response(299, [{"id": "x"}]) == [{"id": "x"}]
    with pytest.raises(ResponseValidationError):
        op.marshal_response(200, [{"id": "x"}], validate=True)


def test_status_ranges_and_empty_responses(pets30: Spec, petstore: Spec) -> None:
    op = pets30.operation("updatePet")
    assert op.marshal_response(409, {"anything": 1}) == {"anything": 1}
    assert petstore.operations[3].marshal_response(204, None) is None


def test_decode_response_for_clients(petstore: Spec) -> None:
    op = petstore.operation("petstore_handlers.get_pet")
    pet = op.decode_response(
        200, b'{"id": 1, "name": "a", "born": "2021-03-04"}', "application/json"
    )
    assert type(pet) is petstore.models.Pet
    assert pet.born.year == 2021
    error = op.decode_response(404, b'{"code": 404, "message": "no"}', "application/json")
    assert type(error) is petstore.models.Error
    # a problem+json answer where the (Swagger 2.0) spec can only say application/json
    problem = op.decode_response(404, b'{"code": 404, "message": "no"}', "application/problem+json")
    assert type(problem) is petstore.models.Error
    assert op.decode_response(200, b"", None) is None
    assert op.decode_response(200, b"<p>hi</p>", "text/html") == "<p>hi</p>"
    with pytest.raises(ResponseValidationError, match="does not fit"):
        op.decode_response(200, b'{"name": "a"}', "application/json")
    with pytest.raises(ResponseValidationError, match="not JSON"):
        op.decode_response(200, b"{", "application/json")
    with pytest.raises(UndeclaredStatusError):
        op.decode_response(500, b"{}", "application/json")
    assert op.decode_response(500, b'{"x": 1}', "application/json", validate=False) == {"x": 1}
