"""A Swagger 2.0 petstore and an OpenAPI 3.1 spec served with full validation."""

from __future__ import annotations

import flask
import pytest

from pymacaron_core.swagger import ApiPool

PROBLEM = "application/problem+json"


def test_petstore_round_trip(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v2/pets", json={"name": "Rex", "tag": "dog", "toys": [{"label": "ball"}]})
    assert r.status_code == 201, r.text
    pet = r.get_json()
    assert pet["name"] == "Rex"
    assert isinstance(pet["id"], int)
    r = client.get(f"/v2/pets/{pet['id']}")
    assert r.get_json() == pet
    r = client.get("/v2/pets?tag=dog&limit=100")
    assert pet in r.get_json()
    assert client.delete(f"/v2/pets/{pet['id']}").status_code == 204
    r = client.get(f"/v2/pets/{pet['id']}")
    assert r.status_code == 404
    assert r.get_json()["title"] == "Not found"


def test_petstore_paths_are_mounted_under_base_path_only(client: flask.testing.FlaskClient) -> None:
    assert client.get("/pets").status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "body", "locs"),
    [
        ("get", "/v2/pets/abc", None, [["path", "petId"]]),
        ("get", "/v2/pets/0", None, [["path", "petId"]]),
        ("get", "/v2/pets?limit=0&tag=" + "x" * 21, None, [["query", "limit"], ["query", "tag"]]),
        ("post", "/v2/pets", {"name": ""}, [["body", "name"]]),
        (
            "post",
            "/v2/pets",
            {"name": "a", "toys": [{"label": "x", "extra": 1}]},
            [["body", "toys", 0, "extra"]],
        ),
        ("post", "/v2/pets", [], [["body"]]),
    ],
)
def test_petstore_rejects_bad_input_with_every_error(
    client: flask.testing.FlaskClient,
    method: str,
    url: str,
    body: object,
    locs: list[list[object]],
) -> None:
    r = client.open(url, method=method.upper(), json=body)
    assert r.status_code == 400
    assert r.mimetype == PROBLEM
    assert sorted(e["loc"] for e in r.get_json()["errors"]) == locs


def test_body_model_is_a_spec_model(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v2/pets", json={"name": "Rex", "toys": [{"label": "ball", "price": 2.5}]})
    pet = ApiPool.petstore.json_to_model("Pet", r.get_json(), validate=True)
    assert isinstance(pet.toys[0], ApiPool.petstore.model.Toy)
    assert pet.toys[0].price == 2.5


def test_notes_v31_round_trip(client: flask.testing.FlaskClient) -> None:
    r = client.post("/api/notes", json={"title": "t", "body": None, "due": "2024-02-29"})
    assert r.status_code == 201, r.text
    note = r.get_json()
    # a null optional property is dropped (legacy model semantics: None means absent)
    assert note == {"title": "t", "due": "2024-02-29", "id": note["id"]}
    assert client.get(f"/api/notes/{note['id']}").get_json() == note
    r = client.get("/api/notes?q=t&tags=")
    assert r.status_code == 200


def test_notes_v31_problem_content_type_follows_the_spec(client: flask.testing.FlaskClient) -> None:
    r = client.get("/api/notes/999999")
    assert (r.status_code, r.mimetype) == (404, PROBLEM)
    r = client.post("/api/notes", json={"title": "t", "due": "2024-02-30"})
    assert (r.status_code, r.mimetype) == (400, PROBLEM)
    assert r.get_json()["errors"][0]["loc"] == ["body", "due"]
