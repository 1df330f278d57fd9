"""ApiPool and API: the legacy surface (add, models, helpers, merge, current server)."""

from __future__ import annotations

from pathlib import Path

import flask
import pytest

import pymacaron_core
from apicore_specbind import SpecLimitError, SpecLimits, SpecLoadError, SpecValidationWarning
from pymacaron_core import API, ApiPool, Pool, SpawnError, ValidationError
from pymacaron_core.exceptions import MergeApisException, PyMacaronCoreException

SPECS = Path(__file__).resolve().parent / "specs"

SPEC = """
swagger: "2.0"
info: {title: t, version: "0.0.1"}
paths:
  /v1/some/path:
    get:
      produces: [application/json]
      x-bind-server: pymc_testapp.handlers.get_version
      x-bind-client: do_test
      responses:
        200: {description: ok, schema: {$ref: "#/definitions/Result"}}
definitions:
  Param:
    type: object
    properties: {arg1: {type: string}, arg2: {type: string}}
  Result:
    type: object
    required: [foo]
    properties:
      foo: {type: string}
      bar: {type: number}
      when: {type: string, format: date-time}
  Error:
    type: object
    properties: {error: {type: string}}
"""


def test_add_registers_the_api_as_a_class_attribute(pool: Pool) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    assert ApiPool.foo is api
    assert ApiPool().foo is api
    ApiPool().add("bar", yaml_str=SPEC)
    assert ApiPool.foo is api
    assert isinstance(ApiPool.bar, API)
    assert set(ApiPool.apis) == {"foo", "bar"}
    assert "foo" in pool


def test_api_constructor_defaults(pool: Pool) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    assert (api.name, api.client_timeout, api.is_server, api.app) == ("foo", 10, False, None)
    assert api.api_spec is api.spec
    assert api.get_version() == "0.0.1"


def test_models_are_attributes_of_the_api(pool: Pool) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    assert {"Param", "Result", "Error"} <= set(api.model)
    p = api.model.Param(arg1="1")
    assert type(p).__name__ == "Param"
    assert p.arg1 == "1"
    assert p.arg2 is None


def test_json_to_model_works_the_legacy_one_always_raised(pool: Pool) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    r = api.json_to_model("Result", {"foo": "x", "when": "2024-01-02T03:04:05+00:00"})
    assert r.foo == "x"
    assert r.when.year == 2024
    assert api.model_to_json(r) == {"foo": "x", "when": "2024-01-02T03:04:05+00:00"}
    assert api.model_to_json(r, keep_datetime=True)["when"] == r.when
    assert api.model_to_json([r]) == [{"foo": "x", "when": "2024-01-02T03:04:05+00:00"}]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"bar": 1}, "foo"),
        ({"foo": "x", "bar": "oaeuaoue"}, "bar"),
        ("123", "object"),
    ],
)
def test_validate_names_the_failure(pool: Pool, data: object, match: str) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    with pytest.raises(ValidationError, match=match) as info:
        api.json_to_model("Result", data, validate=True)
    assert info.value.status_code == 400


def test_unknown_model_is_a_validation_error(pool: Pool) -> None:
    api = ApiPool.add("foo", yaml_str=SPEC)
    with pytest.raises(ValidationError, match="no definition for model Nope"):
        api.json_to_model("Nope", {})


def test_current_server_name_works_on_the_class_and_instances(pool: Pool) -> None:
    ApiPool.add("foo", yaml_str=SPEC)
    ApiPool.add("ping", yaml_str=SPEC)
    assert ApiPool.current_server_name == ""
    assert ApiPool.pool().current_server_api is None
    app = flask.Flask("t")
    ApiPool.ping.spawn_api(app)
    assert ApiPool.current_server_name == ""  # 'ping' is never the current server
    ApiPool.foo.spawn_api(app, base_path="/foo")
    assert ApiPool.current_server_name == "foo" == ApiPool().current_server_name
    assert ApiPool.current_server_api is ApiPool.foo
    assert ApiPool.foo.is_server
    assert ApiPool.foo.app is app


def test_names_with_dashes_are_attributes_through_getattr(pool: Pool) -> None:
    api = ApiPool.add("my-api", yaml_str=SPEC)
    assert getattr(ApiPool, "my-api") is api


def test_unknown_api_names_say_what_to_do(pool: Pool) -> None:
    with pytest.raises(AttributeError, match=r"ApiPool.add\('nope'"):
        ApiPool.nope  # noqa: B018


@pytest.mark.parametrize("name", ["add", "merge", "a.b", "_hidden", "pool", "apis", ""])
def test_names_that_would_shadow_the_pool_are_refused(pool: Pool, name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        ApiPool.add(name, yaml_str=SPEC)


def test_no_spec_is_an_error(pool: Pool) -> None:
    with pytest.raises(PyMacaronCoreException, match="yaml_path"):
        ApiPool.add("foo")


def test_invalid_spec_names_the_json_path(pool: Pool) -> None:
    with pytest.raises(SpecLoadError, match="responses"):
        ApiPool.add(
            "foo",
            yaml_str='swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {/x: {get: {}}}\n',
        )


def test_yaml_path_loads_a_file(pool: Pool) -> None:
    api = ApiPool.add("login", yaml_path=SPECS / "login.yaml", timeout=20)
    assert api.client_timeout == 20
    assert "Credentials" in api.model


def test_merge_accepts_identical_models_and_refuses_different_ones(pool: Pool) -> None:
    ApiPool.add("a", yaml_str=SPEC)
    ApiPool.add("b", yaml_str=SPEC)
    ApiPool.merge()
    ApiPool.add("c", yaml_str=SPEC.replace("bar: {type: number}", "bar: {type: string}"))
    with pytest.raises(MergeApisException, match="Model Result exists in apis a and c"):
        ApiPool.merge()


def test_cmp_models_ignores_legacy_markers() -> None:
    assert not ApiPool._cmp_models({"a": 1, "x-model": "A"}, {"a": 1})
    assert not ApiPool._cmp_models({"p": {"x-scope": ["s"], "t": 1}}, {"p": {"t": 1}})
    assert ApiPool._cmp_models({"a": 1}, {"a": 2})


def test_unbound_operation_without_x_no_bind_server_fails_at_spawn(pool: Pool) -> None:
    ApiPool.add(
        "foo", yaml_str=SPEC.replace("      x-bind-server: pymc_testapp.handlers.get_version\n", "")
    )
    with pytest.raises(SpawnError, match="defines no x-bind-server for GET /v1/some/path"):
        ApiPool.foo.spawn_api(flask.Flask("t"))


def test_unimportable_handler_fails_at_spawn(pool: Pool) -> None:
    ApiPool.add("foo", yaml_str=SPEC.replace("handlers.get_version", "handlers.nope"))
    with pytest.raises(SpawnError, match="has no attribute 'nope'"):
        ApiPool.foo.spawn_api(flask.Flask("t"))


def test_decorator_must_be_callable_but_need_not_be_a_function(pool: Pool) -> None:
    import functools

    ApiPool.add("foo", yaml_str=SPEC)
    with pytest.raises(TypeError, match="callable"):
        ApiPool.foo.spawn_api(flask.Flask("t"), decorator="nope")  # type: ignore[arg-type]
    # legacy asserted type(decorator).__name__ == 'function': partials were refused
    ApiPool.foo.spawn_api(flask.Flask("t"), decorator=functools.partial(lambda f: f))


def test_isolated_pool_restores_the_previous_one(pool: Pool) -> None:
    from pymacaron_core.testing import isolated_pool

    ApiPool.add("outer", yaml_str=SPEC)
    with isolated_pool():
        assert "outer" not in ApiPool.apis
    assert "outer" in ApiPool.apis


def test_legacy_get_model_and_get_function(pool: Pool) -> None:
    from pymacaron_core.models import get_model
    from pymacaron_core.utils import get_function

    ApiPool.add("foo", yaml_str=SPEC)
    assert get_model("Result") is ApiPool.foo.model.Result
    with pytest.raises(ValidationError, match="no definition for model Nope"):
        get_model("Nope")
    assert get_function("pymacaron_core.utils.get_function") is get_function
    with pytest.raises(PyMacaronCoreException, match="too short"):
        get_function("nodots")
    with pytest.raises(PyMacaronCoreException, match="Failed to import"):
        get_function("pymacaron_core.nope")


def test_spec_errors_are_pymacaron_exceptions_and_spec_load_errors(pool: Pool) -> None:
    with pytest.raises(pymacaron_core.SpecLoadError) as info:
        ApiPool.add("bad", yaml_str='swagger: "2.0"\ninfo: {title: t, version: "1"}\n')
    error: object = info.value
    assert isinstance(error, PyMacaronCoreException)
    assert isinstance(error, SpecLoadError)
    assert [issue.dotted for issue in error.issues] == ["<root>"]
    assert isinstance(error.__cause__, SpecLoadError)


def test_yaml_str_is_text_never_a_file_name(pool: Pool, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SPEC)
    with pytest.raises(SpecLoadError, match="must be a mapping"):
        ApiPool.add("sneaky", yaml_str=str(secret))


def test_yaml_errors_name_the_file(pool: Pool, tmp_path: Path) -> None:
    path = tmp_path / "login.yaml"
    path.write_text('swagger: "2.0"\ninfo: {title: t, version: "1"\npaths: {}\n')
    with pytest.raises(PyMacaronCoreException) as info:
        ApiPool.add("login", yaml_path=path)
    assert str(path) in str(info.value)
    assert "line" in str(info.value)
    assert "<unicode string>" not in str(info.value)


def test_validate_and_limits_reach_the_loader(pool: Pool) -> None:
    lenient = SPEC.replace('swagger: "2.0"', 'swagger: "2.0"\nschemes: https')
    with pytest.raises(SpecLoadError, match="schemes"):
        ApiPool.add("strict", yaml_str=lenient)
    with pytest.warns(SpecValidationWarning, match="schemes"):
        assert ApiPool.add("warn", yaml_str=lenient, validate="warn").model.Result
    with pytest.raises(SpecLoadError, match=r"max_bytes=100") as info:
        ApiPool.add("small", yaml_str=SPEC, limits=SpecLimits(max_bytes=100))
    assert isinstance(info.value.__cause__, SpecLimitError)
