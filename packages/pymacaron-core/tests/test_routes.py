from __future__ import annotations

import flask
import pytest

from apicore_specbind import load_spec
from pymacaron_core import Pool, plan_route
from pymacaron_core.swagger import ApiPool

SPEC = """
swagger: "2.0"
info: {title: r, version: "1"}
paths:
  /v1/path/{item}/{num}:
    get:
      x-bind-server: pymc_testapp.handlers.kwargs_echo
      parameters:
        - {in: path, name: item, type: string, required: true}
        - {in: path, name: num, type: integer, required: true}
      responses:
        200: {description: ok, schema: {type: object}}
  /v1/odd/{pet-id}/{2nd}:
    get:
      x-bind-server: pymc_testapp.handlers.kwargs_echo
      parameters:
        - {in: path, name: pet-id, type: integer, required: true}
        - {in: path, name: 2nd, type: string, required: true}
        - {in: query, name: page-size, type: integer}
      responses:
        200: {description: ok, schema: {type: object}}
"""


@pytest.mark.parametrize(
    ("index", "base", "rule", "endpoint"),
    [
        (0, "", "/v1/path/<item>/<num>", "GET__v1_path_<item>_<num>"),  # legacy names
        (0, "/api/", "/api/v1/path/<item>/<num>", "GET__api_v1_path_<item>_<num>"),
        (1, "", "/v1/odd/<p_pet_id>/<p_2nd>", "GET__v1_odd_<p_pet_id>_<p_2nd>"),
    ],
)
def test_plan_route(index: int, base: str, rule: str, endpoint: str) -> None:
    route = plan_route(load_spec(SPEC).operations[index], base_path=base)
    assert (route.rule, route.endpoint, route.method) == (rule, endpoint, "GET")


def test_parameter_names_that_are_not_identifiers_are_served(pool: Pool) -> None:
    app = flask.Flask("t")
    ApiPool.add("r", yaml_str=SPEC)
    ApiPool.r.spawn_api(app)
    client = app.test_client()
    r = client.get("/v1/odd/7/x?page-size=3")
    assert r.get_json() == {"pet-id": 7, "2nd": "x", "page-size": 3}
    assert client.get("/v1/path/a/5").get_json() == {"item": "a", "num": 5}
    assert "GET__v1_path_<item>_<num>" in app.view_functions
