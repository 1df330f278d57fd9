"""ApiPool.<name>.client: legacy calls over apicore-client, in-process (local mode)."""

from __future__ import annotations

import flask
import pytest

from apicore_client import ArgumentValidationError, HTTPStatusError
from apicore_specbind import load_spec
from pymacaron_core import Pool, PyMacaronCoreException, legacy_base_url
from pymacaron_core.swagger import ApiPool
from pymacaron_core.testing import server_call_context


@pytest.fixture
def local_app(pool: Pool) -> flask.Flask:
    from pymc_testapp import persistence, wsgi

    persistence.STORE.clear()
    return wsgi.create_app(local=True)


def test_client_returns_the_api_models(local_app: flask.Flask) -> None:
    version = ApiPool.public.client.version()
    assert isinstance(version, ApiPool.public.model.Version)
    assert version.version == "1.2.3"


def test_path_and_query_parameters_are_kwargs(local_app: flask.Flask) -> None:
    echo = ApiPool.public.client.echo(item="a b", num=3, opt=4, flag=True)
    assert echo == ApiPool.public.model.Echo(item="a b", num=3, opt=4, flag=True)


def test_body_is_the_positional_model(local_app: flask.Flask) -> None:
    body = ApiPool.user.model.NameSurname(name="Alan", surname="Turing")
    user = ApiPool.user.client.create_user(body)
    assert user == ApiPool.user.model.User(id="alan.turing", name="Alan", surname="Turing")


def test_x_decorate_request_wraps_client_calls(local_app: flask.Flask) -> None:
    ApiPool.user.client.create_user({"name": "Alan", "surname": "Turing"})
    # with_token adds the Authorization header the server's require_token decorator wants
    assert ApiPool.user.client.get_user(id="alan.turing").name == "Alan"


def test_legacy_magic_kwargs_are_accepted(local_app: flask.Flask) -> None:
    version = ApiPool.public.client.version(
        max_attempts=1, read_timeout=5, connect_timeout=2, request_headers={"X-Trace": "1"}
    )
    assert version.version == "1.2.3"


def test_error_status_goes_through_the_default_callback(local_app: flask.Flask) -> None:
    with pytest.raises(HTTPStatusError) as info:
        ApiPool.user.client.get_user(id="nobody")
    assert info.value.response is not None
    assert info.value.response.status_code == 404


def test_error_callback_return_value_is_what_the_caller_gets(local_app: flask.Flask) -> None:
    # public's error_callback turns any exception into its Error model (legacy semantics)
    result = ApiPool.public.client.echo(item="a")  # 'num' missing: nothing is sent
    assert isinstance(result, ApiPool.public.model.Error)
    assert "num" in result.error


def test_bad_arguments_raise_with_the_default_callback(local_app: flask.Flask) -> None:
    with pytest.raises(ArgumentValidationError, match="body is required"):
        ApiPool.user.client.create_user()


def test_unknown_client_method_lists_the_bound_ones(local_app: flask.Flask) -> None:
    with pytest.raises(AttributeError, match="version"):
        ApiPool.public.client.nope  # noqa: B018


def test_call_id_and_path_are_forwarded_from_a_served_request(local_app: flask.Flask) -> None:
    r = local_app.test_client().get("/v1/chain", headers={"PymCallID": "c-1"})
    assert r.get_json() == {"message": "c-1 login.public"}


def test_call_context_outside_a_request(local_app: flask.Flask) -> None:
    with server_call_context("outer-id", "batch"):
        version = ApiPool.public.client.version()
    assert (version.call_id, version.call_path) == ("outer-id", "batch.public")


SPEC_HOST = """
swagger: "2.0"
info: {title: t, version: "1"}
host: some.server.com
schemes: [%s]
basePath: /api
paths: {}
"""


@pytest.mark.parametrize(
    ("schemes", "kwargs", "expected"),
    [
        ("http", {}, "http://some.server.com:80"),
        ("https", {}, "https://some.server.com:443"),
        ("http, https", {}, "https://some.server.com:443"),  # https wins, as legacy
        ("http", {"port": 8080}, "http://some.server.com:8080"),
        ("http", {"host": "127.0.0.1:5000"}, "http://127.0.0.1:5000"),
        ("http", {"proto": "https", "base_path": "/api/"}, "https://some.server.com:443/api"),
        # port= wins over a port written in the host (the spec's or the argument's)
        ("http", {"host": "127.0.0.1:5055", "port": 5999}, "http://127.0.0.1:5999"),
        ("http", {"host": "[::1]:5055"}, "http://[::1]:5055"),
        ("http", {"host": "[::1]", "port": 7}, "http://[::1]:7"),
    ],
)
def test_legacy_base_url(schemes: str, kwargs: dict[str, object], expected: str) -> None:
    spec = load_spec(SPEC_HOST % schemes)
    assert legacy_base_url(spec, **kwargs) == expected  # type: ignore[arg-type]


def test_no_host_is_an_error_when_the_client_is_used(pool: Pool) -> None:
    api = ApiPool.add(
        "nohost", yaml_str='swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n'
    )
    with pytest.raises(PyMacaronCoreException, match="host"):
        api.client  # noqa: B018


SPEC_HOST_PORT = """
swagger: "2.0"
info: {title: t, version: "1"}
host: 127.0.0.1:5055
paths:
  /v:
    get:
      x-bind-client: get_v
      responses:
        200: {description: ok}
"""


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({}, "http://127.0.0.1:5055"), ({"port": 5999}, "http://127.0.0.1:5999")],
)
def test_a_spec_host_with_a_port_and_a_port_argument(
    pool: Pool, kwargs: dict[str, int], expected: str
) -> None:
    api = ApiPool.add("login", yaml_str=SPEC_HOST_PORT, **kwargs)
    assert api.client.spec_client.base_url == expected


@pytest.mark.parametrize("host", ["http://h", "h:port", "h/path", "h:", "[::1"])
def test_an_invalid_host_is_a_clear_error(host: str) -> None:
    spec = load_spec(SPEC_HOST % "http")
    with pytest.raises(PyMacaronCoreException, match="invalid host"):
        legacy_base_url(spec, host=host)
