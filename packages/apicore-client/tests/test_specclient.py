"""Spec-driven clients against a real pet server on 127.0.0.1, for Swagger 2.0, OAS 3.0 and 3.1."""

from __future__ import annotations

import asyncio
import inspect
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from apicore_client import (
    ArgumentError,
    ArgumentValidationError,
    AsyncClient,
    AsyncSpecClient,
    CallContext,
    Client,
    HTTPStatusError,
    ResponseValidationError,
    RetriesExhausted,
    RetryPolicy,
    SpecClient,
    Timeouts,
    attempts_of,
    call_context,
)
from apicore_client.testing import FakeClock, FaultTransport, no_backoff, status

SPECS = Path(__file__).resolve().parent / "specs"
SPEC_FILES = {v: SPECS / f"pets-v{n}.yaml" for v, n in (("2.0", 2), ("3.0", 30), ("3.1", 31))}
VERSIONS = sorted(SPEC_FILES)
FAST = RetryPolicy(max_attempts=3, wait_initial=0.0, wait_max=0.0)


def _head(title: str, version: str) -> dict[str, Any]:
    """The first keys of a Swagger 2.0 (``version="2.0"``) or OpenAPI document."""
    kind = "swagger" if version == "2.0" else "openapi"
    return {kind: version, "info": {"title": title, "version": "1"}}


def _api(server: Any, version: str, **options: Any) -> SpecClient:
    return Client.from_spec(SPEC_FILES[version], base_url=server.url + "/v1", **options)


@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_decodes_models(pet_server: Any, version: str) -> None:
    with _api(pet_server, version) as api:
        rex = api.add_pet({"name": "Rex", "tag": "dog"})  # body by position, as legacy did
        tom = api.add_pet(pet=api.spec.models.NewPet(name="Tom", tag="cat"))  # a model
        assert isinstance(rex, api.spec.models.Pet)
        assert (rex.id, rex.name, rex.tag) == (1, "Rex", "dog")
        got = api.get_pet(pet_id=2)
        assert isinstance(got, api.spec.models.Pet)
        assert got.to_dict() == tom.to_dict() == {"id": 2, "name": "Tom", "tag": "cat"}
        listed = api.list_pets(limit=5, tags=["dog", "bird"], x_trace="t-1")
        assert [p.name for p in listed] == ["Rex"]
        assert all(isinstance(p, api.spec.models.Pet) for p in listed)
        assert api.delete_pet(pet_id=1) is None
        assert api.call("list_pets") == [tom]
    method, target, headers, body = pet_server.seen[3]
    assert (method, target) == ("GET", "/v1/pets?limit=5&tags=dog%2Cbird")
    assert headers["X-Trace"] == "t-1"
    assert headers["Accept"] == "application/json, application/problem+json"
    assert pet_server.seen[0][3] == b'{"name":"Rex","tag":"dog"}'
    assert pet_server.seen[0][2]["Content-Type"] == "application/json"
    assert [s[0] for s in pet_server.seen] == ["POST", "POST", "GET", "GET", "DELETE", "GET"]


@pytest.mark.parametrize("version", VERSIONS)
def test_problem_json_is_raised_with_the_parsed_problem(pet_server: Any, version: str) -> None:
    with _api(pet_server, version) as api:
        with pytest.raises(HTTPStatusError, match="answered 404") as info:
            api.get_pet(pet_id=7)
    exc = info.value
    assert exc.status_code == 404
    assert exc.problem_type == "urn:apicore:problem:not-found"
    assert (exc.title, exc.detail) == ("Not found", "There is no pet 7.")
    # the body is decoded by the declared error schema too
    assert isinstance(exc.body, api.spec.models.Problem)
    assert exc.body.detail == "There is no pet 7."
    assert len(exc.attempts) == 1  # a 404 is never retried


@pytest.mark.parametrize("version", VERSIONS)
def test_arguments_are_validated_before_sending(pet_server: Any, version: str) -> None:
    with _api(pet_server, version) as api:
        with pytest.raises(ArgumentValidationError, match="nothing was sent") as info:
            api.list_pets(limit=0)
        assert info.value.errors == (
            {
                "loc": ["query", "limit"],
                "msg": "0 is less than the minimum of 1",
                "type": "minimum",
            },
        )
        assert info.value.problem is not None
        assert info.value.problem.type == "urn:apicore:problem:validation-error"
        with pytest.raises(ArgumentValidationError) as missing:
            api.get_pet()
        assert missing.value.errors[0]["type"] == "missing"
        with pytest.raises(ArgumentValidationError, match="body.name"):
            api.add_pet({"tag": "no name"})
        with pytest.raises(ArgumentError, match="unexpected arguments colour"):
            api.list_pets(colour="red")
        with pytest.raises(TypeError, match="the body was given twice"):
            api.add_pet({"name": "a"}, pet={"name": "b"})
    assert pet_server.seen == []


@pytest.mark.parametrize("version", VERSIONS)
def test_server_refusal_with_errors(pet_server: Any, version: str) -> None:
    with _api(pet_server, version) as api:
        # the spec refuses an empty name before sending, so send it through the raw client
        with pytest.raises(HTTPStatusError) as info:
            api.client.post(api.base_url + "/pets", json={"name": ""})
    assert info.value.status_code == 422
    assert info.value.errors == (
        {"loc": ["body", "name"], "msg": "Field required", "type": "missing"},
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_flaky_server_is_retried(pet_server: Any, version: str) -> None:
    pet_server.fail_first = 2
    with no_backoff(), _api(pet_server, version) as api:
        response = api.request("get_flaky")
        assert response.json() == {"attempt": 3}
        assert [a.status_code for a in attempts_of(response)] == [503, 503, 200]
        assert api.get_flaky().attempt == 4
    assert len(pet_server.seen) == 4


@pytest.mark.parametrize("version", VERSIONS)
def test_post_is_not_retried_without_a_key(pet_server: Any, version: str) -> None:
    pet_server.fail_first = 0
    transport = FaultTransport([status(503), status(200, json={})])
    with Client.from_spec(SPEC_FILES[version], base_url="http://t/v1", transport=transport) as api:
        with pytest.raises(HTTPStatusError, match="503"):
            api.echo_headers()
    assert len(transport.requests) == 1
    transport = FaultTransport([status(503), status(200, json={})])
    with (
        Client.from_spec(
            SPEC_FILES[version], base_url="http://t/v1", transport=transport, idempotency_keys=True
        ) as api,
        no_backoff(),
    ):
        assert api.echo_headers() == {}
    keys = {r.headers["Idempotency-Key"] for r in transport.requests}
    assert len(transport.requests) == 2
    assert len(keys) == 1


def test_operation_and_root_retry_extensions() -> None:
    clock = FakeClock()
    transport = FaultTransport(then=status(503), clock=clock)
    with Client.from_spec(
        SPEC_FILES["3.0"],
        base_url="http://t/v1",
        transport=transport,
        clock=clock,
        random=lambda: 1.0,
    ) as api:
        with pytest.raises(RetriesExhausted, match="each of 2 attempts"):
            api.list_pets()  # the root x-apicore-retry: 2 attempts, 10 ms .. 20 ms
        assert clock.sleeps == [0.01]
        with pytest.raises(RetriesExhausted, match="each of 4 attempts"):
            api.get_flaky()  # its own x-apicore-retry: 4 attempts, 10 ms .. 50 ms
        assert clock.sleeps == [0.01, 0.01, 0.02, 0.04]
        with pytest.raises(RetriesExhausted, match="each of 3 attempts"):
            api.with_options(retry=RetryPolicy(max_attempts=3)).get_flaky()  # per call wins
    assert len(transport.requests) == 2 + 4 + 3


def test_client_retry_argument_wins_over_the_root_extension() -> None:
    transport = FaultTransport(then=status(503))
    policy = RetryPolicy(max_attempts=5, wait_initial=0.0)
    with Client.from_spec(
        SPEC_FILES["3.0"], base_url="http://t/v1", transport=transport, retry=policy
    ) as api:
        assert api.client.retry == policy
        with pytest.raises(RetriesExhausted, match="each of 5 attempts"):
            api.list_pets()
        with no_backoff(), pytest.raises(RetriesExhausted, match="each of 4 attempts"):
            api.get_flaky()  # the operation's own extension still wins


@pytest.mark.parametrize("version", VERSIONS)
def test_off_spec_answer(pet_server: Any, version: str) -> None:
    with _api(pet_server, version) as api:
        with pytest.raises(ResponseValidationError, match="validate_responses=False") as info:
            api.get_pet(pet_id=13)
    assert info.value.status_code == 200
    assert info.value.validation_errors[0]["loc"][0] == "response"
    assert isinstance(info.value, ValueError)
    with _api(pet_server, version, validate_responses=False) as lenient:
        assert lenient.get_pet(pet_id=13).id == 13


def test_undeclared_status_is_an_off_spec_answer() -> None:
    transport = FaultTransport([status(202, json={"queued": True})])
    with Client.from_spec(SPEC_FILES["3.1"], base_url="http://t/v1", transport=transport) as api:
        with pytest.raises(ResponseValidationError, match="does not declare"):
            api.list_pets()  # only 200 is declared (get_pet has a default response)


@pytest.mark.parametrize("version", VERSIONS)
def test_async_twin(pet_server: Any, version: str) -> None:
    pet_server.fail_first = 1

    async def main() -> list[Any]:
        api = AsyncClient.from_spec(
            SPEC_FILES[version], base_url=pet_server.url + "/v1", retry=FAST
        )
        assert isinstance(api, AsyncSpecClient)
        assert inspect.iscoroutinefunction(api.operations["get_pet"])
        async with api:
            created = await api.add_pet({"name": "Rex"})
            got = await api.call("get_pet", pet_id=created.id)
            flaky = await api.get_flaky()
            raw = await api.request("list_pets", limit=1)
            with pytest.raises(HTTPStatusError) as info:
                await api.get_pet(pet_id=99)
            return [created, got, flaky, raw, info.value]

    created, got, flaky, raw, error = asyncio.run(main())
    assert created == got
    assert flaky.attempt == 2
    assert isinstance(raw, httpx.Response)
    assert raw.json() == [{"id": 1, "name": "Rex"}]
    assert error.title == "Not found"


def test_help_shows_real_signatures_and_docs() -> None:
    api = Client.from_spec(SPEC_FILES["3.0"], base_url="http://t/v1")
    assert str(inspect.signature(api.get_pet)) == "(*, pet_id: 'int') -> 'Pet'"
    assert api.get_pet.__doc__ is not None
    assert api.get_pet.__doc__.startswith("Find a pet by id.")
    assert type(api).__name__ == "PetsClient"
    assert "get_pet" in dir(api)
    assert (type(api).__doc__ or "").startswith("Pets 3.0.0 (3.0): 6 operations.")
    with pytest.raises(AttributeError, match="no operation 'get_pets'; operations: list_pets"):
        api.get_pets()
    with pytest.raises(AttributeError, match="no operation 'nope'"):
        api.call("nope")
    api.close()


def test_operations_named_like_client_attributes() -> None:
    document = {
        **_head("Clash", "3.0.3"),
        "paths": {
            "/close": {
                "post": {"operationId": "close", "responses": {"204": {"description": "ok"}}}
            },
            "/spec": {
                "get": {"x-bind-client": "spec", "responses": {"204": {"description": "ok"}}}
            },
        },
    }
    transport = FaultTransport(then=status(204))
    api = Client.from_spec(document, base_url="http://t", transport=transport)
    assert set(api.operations) == {"close", "spec"}
    assert api.operations["close"]() is None
    assert api.operations["spec"]() is None
    assert api.spec.title == "Clash"  # the attribute is still the loaded spec
    api.close()  # the client's close, not the operation
    assert [(r.method, r.url.path) for r in transport.requests] == [
        ("POST", "/close"),
        ("GET", "/spec"),
    ]
    assert api.client.http_client.is_closed


def test_with_options_shares_the_pool() -> None:
    transport = FaultTransport(then=status(200, json={}))
    with Client.from_spec(SPEC_FILES["2.0"], base_url="http://t/v1", transport=transport) as api:
        view = api.with_options(headers={"Authorization": "Bearer t"}, timeouts=2.5)
        view.echo_headers()
        view.with_options(headers={"X-More": "1"}).echo_headers()
        view.close()  # a view does not close the pool
        assert not api.client.http_client.is_closed
        api.echo_headers()
    first, second, third = transport.requests
    assert first.headers["Authorization"] == "Bearer t"
    assert first.extensions["timeout"]["read"] == 2.5
    assert (second.headers["Authorization"], second.headers["X-More"]) == ("Bearer t", "1")
    assert "Authorization" not in third.headers
    assert api.client.http_client.is_closed


def test_call_ids_are_forwarded(pet_server: Any) -> None:
    context = CallContext(request_id="r-1", call_id="c-1", call_path="a.b")
    with _api(pet_server, "2.0") as api, call_context(context):
        echoed = api.echo_headers()
    assert (echoed["x-request-id"], echoed["pymcallid"], echoed["pymcallpath"]) == (
        "r-1",
        "c-1",
        "a.b",
    )


def test_repr() -> None:
    with Client.from_spec(SPEC_FILES["3.1"], base_url="http://t/v1") as api:
        assert repr(api) == "<PetsClient http://t/v1 (6 operations)>"


def test_timeouts_option_reaches_requests() -> None:
    transport = FaultTransport(then=status(200, json={}))
    with Client.from_spec(
        SPEC_FILES["2.0"],
        base_url="http://t/v1",
        transport=transport,
        timeouts=Timeouts(connect=1, read=3),
    ) as api:
        api.echo_headers()
    assert transport.requests[0].extensions["timeout"]["read"] == 3


def test_cookie_header_and_form_parameters() -> None:
    document = {
        **_head("Forms", "2.0"),
        "paths": {
            "/f/{slot}": {
                "post": {
                    "operationId": "sendForm",
                    "consumes": ["application/x-www-form-urlencoded"],
                    "parameters": [
                        {"name": "slot", "in": "path", "required": True, "type": "string"},
                        {"name": "a", "in": "formData", "type": "string", "required": True},
                        {"name": "b", "in": "formData", "type": "integer"},
                        {"name": "X-Key", "in": "header", "type": "string", "required": True},
                    ],
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
    }
    cookies = {
        **_head("Cookies", "3.1.0"),
        "paths": {
            "/c": {
                "get": {
                    "operationId": "withCookie",
                    "parameters": [
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    ],
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
    }
    transport = FaultTransport(then=status(204))
    with Client.from_spec(document, base_url="http://t", transport=transport) as api:
        assert api.send_form(slot="a b/c", a="x y", b=2, x_key="k") is None
        with pytest.raises(ArgumentValidationError, match="nothing was sent"):
            api.send_form(slot="s", b=2, x_key="k")
    with Client.from_spec(cookies, base_url="http://t", transport=transport) as api:
        api.with_cookie(session="s-1")
    form, cookie = transport.requests
    assert form.url.raw_path == b"/f/a%20b%2Fc"
    assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form.headers["X-Key"] == "k"
    assert form.content == b"a=x+y&b=2"
    assert cookie.headers["Cookie"] == "session=s-1"


def test_direct_construction_around_a_configured_client() -> None:
    from apicore_specbind import load_spec

    transport = FaultTransport(then=status(503))
    client = Client(transport=transport, retry=RetryPolicy(max_attempts=2, wait_initial=0.0))
    with SpecClient(client, load_spec(SPEC_FILES["2.0"])) as api:
        assert type(api).__name__ == "PetsClient"
        assert isinstance(api, SpecClient)
        assert api.base_url == "https://pets.example.com/v1"
        with pytest.raises(RetriesExhausted, match="each of 2 attempts"):
            api.list_pets()  # no x-apicore-retry in this spec: the client's policy
    assert client.http_client.is_closed
    assert str(transport.requests[0].url) == "https://pets.example.com/v1/pets"

    async def main() -> Any:
        inner = AsyncClient(transport=FaultTransport([status(200, json={"attempt": 1})]))
        async with AsyncSpecClient(inner, load_spec(SPEC_FILES["3.0"]), base_url="http://t") as api:
            assert api.client.retry == inner.retry
            return await api.get_flaky()

    assert asyncio.run(main()).attempt == 1


_ROUND_TRIP = {
    **_head("Echo", "3.1.0"),
    "paths": {
        "/items/{name}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "n", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}
_TEXT = st.one_of(
    st.sampled_from([".", "..", "a/b", "%2F", "?#&="]),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, q=_TEXT, n=st.integers(-(10**12), 10**12))
def test_path_and_query_values_reach_the_server_unchanged(name: str, q: str, n: int) -> None:
    transport = FaultTransport(then=status(200))
    with Client.from_spec(_ROUND_TRIP, base_url="http://t/api", transport=transport) as api:
        api.get_item(name=name, q=q, n=n)
    (request,) = transport.requests
    path = request.url.raw_path.split(b"?")[0].decode("ascii")
    assert path.startswith("/api/items/")
    assert urllib.parse.unquote(path.removeprefix("/api/items/")) == name
    assert dict(request.url.params) == {"q": q, "n": str(n)}


@pytest.mark.parametrize(("name", "raw"), [(".", b"%2E"), ("..", b"%2E%2E"), ("a/..", b"a%2F..")])
def test_dot_segments_in_path_parameters_are_not_normalised_away(name: str, raw: bytes) -> None:
    transport = FaultTransport(then=status(200))
    with Client.from_spec(_ROUND_TRIP, base_url="http://t/api", transport=transport) as api:
        api.get_item(name=name)
    assert transport.requests[0].url.raw_path == b"/api/items/" + raw


def test_async_call_and_request_raise_only_when_awaited() -> None:
    # `gather(api.call(...), ...)` and `create_task(api.call(...))` must not raise early
    from apicore_specbind import load_spec

    assert inspect.iscoroutinefunction(AsyncSpecClient.call)
    assert inspect.iscoroutinefunction(AsyncSpecClient.request)

    async def main() -> None:
        inner = AsyncClient(transport=FaultTransport([]))
        async with AsyncSpecClient(inner, load_spec(SPEC_FILES["3.0"]), base_url="http://t") as api:
            unknown, bad = api.call("no_such_operation"), api.request("get_flaky", 1, 2, 3)
            with pytest.raises(AttributeError):
                await unknown
            with pytest.raises(TypeError):
                await bad

    asyncio.run(main())
