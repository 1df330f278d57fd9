from __future__ import annotations

from typing import Any

import pytest

from apicore_specbind import Spec, SpecLoadError, UnknownModelError, load_spec


def test_petstore_v2_operations(petstore: Spec) -> None:
    assert petstore.spec_version == "2.0"
    assert petstore.host == "pets.example.com"
    assert petstore.schemes == ("http", "https")
    assert petstore.base_path == "/v1"
    assert petstore.server_urls == ("http://pets.example.com/v1", "https://pets.example.com/v1")
    summary = [
        (op.method, op.path, op.client_name, op.server_binding) for op in petstore.operations
    ]
    assert summary == [
        ("GET", "/pets", "list_pets", "petstore_handlers.list_pets"),
        ("POST", "/pets", "create_pet", "petstore_handlers.create_pet"),
        ("GET", "/pets/{petId}", "get_pet", "petstore_handlers.get_pet"),
        ("DELETE", "/pets/{petId}", "delete_pets_by_pet_id", None),
        ("POST", "/pets/{petId}/photo", "post_pets_by_pet_id_photo", "petstore_handlers.upload"),
    ]
    create = petstore.operations_by_client_name["create_pet"]
    assert create.bind_server == "petstore_handlers.create_pet"
    assert create.decorate_server == "petstore_handlers.auth"
    assert create.decorate_request == "petstore_handlers.sign"
    assert create.request_body is not None
    assert create.request_body.name == "pet"
    assert create.consumes == ("application/json",)
    assert petstore.operations[3].no_bind_server
    photo = petstore.operations[4]
    assert photo.request_body is not None
    assert photo.request_body.form_fields == ("caption", "rating", "file")
    assert [m.media_type for m in photo.request_body.content] == [
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ]
    listing = petstore.operation("listPets")
    assert [
        (p.name, p.location, p.style, p.explode, p.python_name) for p in listing.parameters
    ] == [
        ("limit", "query", "form", False, "limit"),
        ("tags", "query", "form", False, "tags"),
        ("ids", "query", "form", True, "ids"),
        ("X-Request-ID", "header", "simple", False, "x_request_id"),
    ]
    assert listing.security is None


def test_operation_id_precedence() -> None:
    spec = load_spec(
        {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "security": [{"key": []}],
            "paths": {
                "/a": {
                    "get": {
                        "operationId": "pkg.mod.fn",
                        "x-bind-server": "other.fn",
                        "responses": {"200": {"description": "ok"}},
                    },
                    "post": {
                        "operationId": "makeThing",
                        "x-bind-server": "pkg.mod.make",
                        "security": [],
                        "responses": {"200": {"description": "ok"}},
                    },
                    "put": {
                        "operationId": "makeThing2",
                        "x-bind-client": "class",
                        "responses": {"200": {"description": "ok"}},
                    },
                },
                "/b": {
                    "get": {
                        "operationId": "pkg.other.fn",
                        "responses": {"200": {"description": "ok"}},
                    }
                },
            },
        }
    )
    get, put, post, other = spec.operations
    assert (get.server_binding, get.client_name) == ("pkg.mod.fn", "fn")
    assert (post.server_binding, post.client_name) == ("pkg.mod.make", "make_thing")
    assert (put.server_binding, put.client_name) == (None, "class_")
    assert other.client_name == "fn_2"
    assert get.security == ({"key": ()},)
    assert post.security == ()


def _v30(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (_v30({"/pets": {"get": {}}}), "paths./pets.get.responses", "needs 'responses'"),
        (_v30({"pets": {}}), "paths.pets", "must start with '/'"),
        (
            _v30({"/p/{id}": {"get": {"responses": {"200": {"description": "x"}}}}}),
            "paths./p/{id}.get.parameters",
            "has no 'in: path'",
        ),
        (
            _v30(
                {
                    "/p": {
                        "get": {
                            "parameters": [{"name": "q", "in": "body"}],
                            "responses": {"200": {"description": "x"}},
                        }
                    }
                }
            ),
            "paths./p.get.parameters.0.in",
            "must be one of",
        ),
        (
            _v30(
                {
                    "/p": {
                        "get": {
                            "parameters": [
                                {"name": "q", "in": "query", "schema": {"type": "strin"}}
                            ],
                            "responses": {"200": {"description": "x"}},
                        }
                    }
                }
            ),
            "paths./p.get.parameters.0",
            "invalid schema",
        ),
        (
            _v30({"/p": {"get": {"responses": {"20": {"description": "x"}}}}}),
            "paths./p.get.responses.20",
            "status code",
        ),
        (
            _v30({}, components={"schemas": {"A": {"type": "object", "required": True}}}),
            "components.schemas.A",
            "invalid schema",
        ),
        ({"openapi": "3.2.0", "paths": {}}, "openapi", "unsupported version"),
        ({"info": {}}, "<root>", "missing"),
    ],
)
def test_invalid_specs_name_the_json_path(
    document: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(SpecLoadError, match=message) as info:
        load_spec(document)
    assert path in [issue.dotted for issue in info.value.issues]


def test_every_issue_is_reported_at_once() -> None:
    with pytest.raises(SpecLoadError) as info:
        load_spec(_v30({"/a": {"get": {}}, "/b": {"post": {"operationId": 3, "responses": {}}}}))
    assert len(info.value.issues) == 3
    assert "3 problems" in str(info.value)


def test_v30_and_v31_load(pets30: Spec, notes: Spec) -> None:
    assert pets30.spec_version == "3.0"
    assert notes.spec_version == "3.1"
    assert pets30.host == "api.example.com"
    assert pets30.base_path == "/v2"
    update = pets30.operation("updatePet")
    assert update.produces == ("application/json", "application/problem+json")
    assert [p.name for p in update.parameters] == ["petId", "dryRun", "session", "filter"]
    assert update.parameter("filter").content_type == "application/json"
    assert update.response_for(404) is update.responses["4XX"]
    assert update.response_for(500) is None
    assert notes.operation("createNote").server_binding == "notes_app.create"
    assert notes.operations[2].client_name == "get_notes_by_note_id_children"


def test_models_namespace(petstore: Spec) -> None:
    assert sorted(petstore.models) == ["Error", "NewPet", "Owner", "Pet", "Toy"]
    assert petstore.models.Pet is petstore.get_model("Pet") is petstore.models["Pet"]
    assert "Pet" in petstore.models
    assert len(petstore.models) == 5
    with pytest.raises(UnknownModelError, match="Swagger spec has no definition for model Nope"):
        petstore.get_model("Nope")
    with pytest.raises(AttributeError, match="no model 'Nope'"):
        petstore.models.Nope  # noqa: B018


@pytest.mark.filterwarnings(r"ignore:Spec\.match\(\) is deprecated:DeprecationWarning")
def test_match(petstore: Spec) -> None:
    found = petstore.match("get", "/pets/12")
    assert found is not None
    assert found[0].operation_id == "petstore_handlers.get_pet"
    assert found[1] == {"petId": "12"}
    assert petstore.match("PATCH", "/pets/12") is None
    assert petstore.match("GET", "/pets/12/x") is None


def test_match_is_deprecated(petstore: Spec) -> None:
    with pytest.deprecated_call(match=r"spec\.operation\(operation_id\)"):
        petstore.match("GET", "/pets/12")


def test_validate_and_json_to_model(petstore: Spec) -> None:
    assert petstore.model_errors("Error", {"code": 1, "message": "m"}) == []
    errors = petstore.model_errors("Error", {"code": "x"})
    assert [(e.loc, e.type) for e in errors] == [(("code",), "type"), (("message",), "missing")]
    with pytest.raises(ValueError, match="validation error"):
        petstore.json_to_model("Error", {"code": "x"}, validate=True)
    error = petstore.json_to_model("Error", {"code": 1, "message": "m"})
    assert petstore.model_to_json(error) == {"code": 1, "message": "m"}
