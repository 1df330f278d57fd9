from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

import apicore_client
from apicore_client import RequestTimeout, RetriesExhausted, RetryPolicy, Timeouts
from apicore_client.testing import FakeClock, FaultTransport, no_backoff, read_timeout, status
from apicore_specbind import load_spec
from pymacaron_core import (
    LEGACY_KWARGS,
    ApiClient,
    LegacyCallOptions,
    legacy_call_options,
    pop_legacy_kwargs,
)
from pymacaron_core._client import make_client


def test_defaults_match_pymacaron() -> None:
    options = legacy_call_options()
    assert options.retry.max_attempts == 3
    assert options.timeouts == Timeouts(connect=10.0, read=10.0, write=10.0, pool=10.0)
    assert options.headers == {}
    # every attempt can use its full timeouts, as without a deadline in pymacaron-core
    assert options.retry.deadline == 3 * 20.0 + 2 * 5.0


def test_kwargs_map() -> None:
    options = legacy_call_options(
        max_attempts=5,
        read_timeout=30,
        connect_timeout=2,
        request_headers={"Authorization": "Bearer t"},
        timeout=7,
        base=RetryPolicy(wait_max=1.0),
    )
    assert options.retry.max_attempts == 5
    assert options.retry.wait_max == 1.0
    assert options.timeouts == Timeouts(connect=2, read=30, write=30, pool=2)
    assert options.headers == {"Authorization": "Bearer t"}


@pytest.mark.parametrize("bad", [0, -1, True, 2.0])
def test_max_attempts_must_be_positive(bad: object) -> None:
    with pytest.raises(apicore_client.ConfigError, match="max_attempts"):
        legacy_call_options(max_attempts=bad)  # type: ignore[arg-type]


def test_pop_legacy_kwargs_leaves_operation_parameters() -> None:
    kwargs = {"item_id": 3, "max_attempts": 1, "read_timeout": 4, "q": None}
    options = pop_legacy_kwargs(kwargs, timeout=9)
    assert kwargs == {"item_id": 3, "q": None}
    assert options.retry.max_attempts == 1
    assert options.timeouts.read == 4
    assert options.timeouts.connect == 9
    assert set(LEGACY_KWARGS) == {
        "max_attempts",
        "read_timeout",
        "connect_timeout",
        "request_headers",
    }


def test_patch_read_timeout_is_no_longer_retried() -> None:
    # pymacaron-core retried PATCH on read timeouts; PATCH is not idempotent: not kept
    options = legacy_call_options(max_attempts=3)
    clock = FakeClock()
    transport = FaultTransport([read_timeout(), status(200)], clock=clock)
    with apicore_client.Client(
        "http://t", transport=transport, retry=options.retry, clock=clock
    ) as client:
        with pytest.raises(RequestTimeout):
            client.patch("/x", timeouts=options.timeouts, headers=options.headers)
    assert len(transport.requests) == 1


# -- the legacy kwargs on a spec-driven client's methods (the ApiPool building block) --------

SPEC = Path(__file__).resolve().parent / "specs" / "pets-v2.yaml"


def _reraise() -> Any:
    def handler(exc: Exception) -> Any:
        raise exc

    return handler


def _api(transport: FaultTransport) -> ApiClient:
    """What ``ApiPool.add(..., timeout=10).client`` builds, over a scripted transport."""
    spec = load_spec(SPEC)
    return make_client(
        spec,
        base_url="http://t/v1",
        timeout=10.0,
        verify_ssl=True,
        error_callback=_reraise,
        transport=transport,
    )


def _deprecated(document: Any, transport: FaultTransport, **options: Any) -> Any:
    with pytest.warns(DeprecationWarning, match="legacy_kwargs=True is deprecated"):
        return apicore_client.Client.from_spec(
            document, base_url="http://t/v1", transport=transport, legacy_kwargs=True, **options
        )


def test_legacy_kwargs_per_call() -> None:
    transport = FaultTransport(then=status(503))
    api = _api(transport)
    with no_backoff():
        with pytest.raises(RetriesExhausted, match="each of 5 attempts"):
            api.get_flaky(max_attempts=5, read_timeout=30, connect_timeout=2)
        with pytest.raises(apicore_client.HTTPStatusError, match="503"):
            api.get_flaky(max_attempts=1)
    api.close()
    assert len(transport.requests) == 6
    assert transport.requests[0].extensions["timeout"] == {
        "connect": 2,
        "read": 30,
        "write": 30,
        "pool": 2,
    }
    # only max_attempts given: the client's timeouts stay
    assert transport.requests[5].extensions["timeout"]["read"] == 10.0


def test_legacy_request_headers_and_call_ids() -> None:
    transport = FaultTransport(then=status(200, json={}))
    context = apicore_client.CallContext(call_id="c-1", call_path="svc.op")
    api = _api(transport)
    with apicore_client.call_context(context):
        api.echo_headers(request_headers={"Authorization": "Bearer x", "PymCallID": "mine"})
        api.echo_headers()
    api.close()
    first, second = transport.requests
    assert first.headers["Authorization"] == "Bearer x"
    assert first.headers["PymCallID"] == "mine"  # explicit headers win over propagation
    assert first.headers["PymCallPath"] == "svc.op"
    assert second.headers["PymCallID"] == "c-1"
    assert "Authorization" not in second.headers
    # request_headers alone keep the client's timeouts
    assert first.extensions["timeout"]["read"] == 10.0


def test_legacy_kwargs_off_by_default_and_in_signatures() -> None:
    transport = FaultTransport(then=status(200, json={"attempt": 1}))
    with apicore_client.Client.from_spec(
        SPEC, base_url="http://t/v1", transport=transport
    ) as plain:
        with pytest.raises(TypeError, match="unexpected arguments max_attempts"):
            plain.get_flaky(max_attempts=2)
    assert _api(transport).get_flaky(max_attempts=None).attempt == 1  # None: not given
    with _deprecated(SPEC, transport) as api:
        assert "max_attempts: 'int | None' = None" in str(inspect.signature(api.get_flaky))
        assert api.get_flaky(max_attempts=None).attempt == 1


def test_legacy_patch_read_timeout_not_retried_through_a_spec_client() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "patch": {"x-bind-client": "patch_x", "responses": {"200": {"description": "ok"}}},
                "get": {"x-bind-client": "get_x", "responses": {"200": {"description": "ok"}}},
            }
        },
    }
    clock = FakeClock()
    transport = FaultTransport([read_timeout(), read_timeout(), status(200)], clock=clock)
    with _deprecated(document, transport, clock=clock) as api:
        with pytest.raises(RequestTimeout):
            api.patch_x(max_attempts=3, read_timeout=1)
        assert api.get_x(max_attempts=3, read_timeout=1) is None  # GET is retried
    assert [r.method for r in transport.requests] == ["PATCH", "GET", "GET"]


def test_pop_legacy_kwargs_from_a_base_policy() -> None:
    kwargs: dict[str, Any] = {"read_timeout": 3, "connect_timeout": None, "q": 1}
    options = pop_legacy_kwargs(kwargs, base=RetryPolicy(max_attempts=7, wait_max=1.0))
    assert kwargs == {"q": 1}
    assert (options.retry.max_attempts, options.retry.wait_max) == (7, 1.0)
    assert options.timeouts == Timeouts(connect=10.0, read=3, write=3, pool=10.0)


def test_the_deprecated_client_path_maps_the_same_way() -> None:
    transport = FaultTransport(then=status(503))
    with no_backoff(), _deprecated(SPEC, transport, retry=RetryPolicy(max_attempts=2)) as api:
        with pytest.raises(RetriesExhausted, match="each of 4 attempts"):
            api.get_flaky(max_attempts=4, read_timeout=30)
        api_headers = api.with_options(headers={"X-A": "1"})
        with pytest.raises(RetriesExhausted, match="each of 2 attempts"):
            api_headers.get_flaky(request_headers={"X-B": "2"})
    assert transport.requests[0].extensions["timeout"]["read"] == 30
    assert (transport.requests[-1].headers["X-A"], transport.requests[-1].headers["X-B"]) == (
        "1",
        "2",
    )


@pytest.mark.parametrize(
    "name", ["LEGACY_KWARGS", "LegacyCallOptions", "legacy_call_options", "pop_legacy_kwargs"]
)
def test_the_old_client_names_are_deprecated_aliases(name: str) -> None:
    import pymacaron_core

    with pytest.warns(DeprecationWarning, match=f"from pymacaron_core import {name}"):
        assert getattr(apicore_client, name) is getattr(pymacaron_core, name)
    assert LegacyCallOptions is pymacaron_core.LegacyCallOptions
