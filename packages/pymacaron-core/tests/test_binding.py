"""The spec binding's media types: decoders, 415s, declared error bodies; deprecations."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import flask
import pytest

import pymacaron_core
from pymacaron_core import ApiPool, Pool, SpecBinding

PETSTORE = Path(__file__).resolve().parents[3] / "integration-tests" / "apps"
if str(PETSTORE) not in sys.path:
    sys.path.insert(0, str(PETSTORE))

import pymc_petstore  # type: ignore[import-not-found]  # noqa: E402  (the integration app)

XML = {"Content-Type": "application/xml"}


def _app(**options: Any) -> flask.testing.FlaskClient:
    app = flask.Flask("t")
    ApiPool.add("petstore", yaml_path=pymc_petstore.SPEC, **options)
    ApiPool.petstore.spawn_api(app, base_path="/v2")
    return app.test_client()


def test_a_declared_xml_body_without_a_decoder_is_a_415(pool: Pool) -> None:
    client = _app()
    r = client.post("/v2/pet", data=b"<Pet><name>x</name></Pet>", headers=XML)
    assert r.status_code == 415
    assert r.mimetype == "application/json"  # the declared default Error
    assert r.get_json()["code"] == 415
    assert client.post("/v2/pet", json={"name": "x"}).status_code == 200


def test_a_registered_decoder_reads_the_body_which_is_then_validated(pool: Pool) -> None:
    client = _app(decoders={"application/xml": pymc_petstore.parse_pet_xml})
    r = client.post("/v2/pet", data=b"<Pet><id>2</id><name>x</name></Pet>", headers=XML)
    assert (r.status_code, r.get_json()) == (200, {"id": 2, "name": "x"})
    r = client.post("/v2/pet", data=b"<Pet><id>two</id><name>x</name></Pet>", headers=XML)
    assert r.status_code == 400
    assert r.get_json()["errors"][0]["loc"] == ["body", "id"]


def test_error_callback_shapes_every_error(pool: Pool) -> None:
    seen: list[Exception] = []

    def shape(error: Exception) -> Any:
        seen.append(error)
        return {"code": getattr(error, "status_code", 500), "message": "shaped"}

    client = _app(error_callback=shape)
    r = client.post("/v2/pet", data=b"<x/>", headers=XML)
    assert (r.status_code, r.get_json()) == (415, {"code": 415, "message": "shaped"})
    r = client.get("/v2/pet/abc")
    assert (r.status_code, r.get_json()) == (400, {"code": 400, "message": "shaped"})
    assert [type(e).__name__ for e in seen] == ["ValidationError", "ValidationError"]


def test_spawn_api_refuses_what_it_cannot_serve(pool: Pool) -> None:
    ApiPool.add("petstore", yaml_path=pymc_petstore.SPEC)
    with pytest.raises(TypeError, match="Flask or Starlette"):
        ApiPool.petstore.spawn_api(object())


def test_spawn_api_refuses_a_decorator_on_starlette(pool: Pool) -> None:
    # Starlette is optional for pymacaron-core (the package alone runs without it)
    starlette_applications = pytest.importorskip("starlette.applications")
    ApiPool.add("petstore", yaml_path=pymc_petstore.SPEC)
    Starlette = starlette_applications.Starlette
    with pytest.raises(TypeError, match="x-decorate-server"):
        ApiPool.petstore.spawn_api(Starlette(), decorator=lambda f: f)


def test_operation_view_is_a_deprecated_alias_of_spec_binding() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pymacaron_core.OperationView is SpecBinding
    assert caught[0].category is DeprecationWarning
