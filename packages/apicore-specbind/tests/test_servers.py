from __future__ import annotations

from collections.abc import Callable

import pytest

from apicore_specbind import ServerURLError, Spec, SpecError


def test_server_url(petstore: Spec, pets30: Spec, notes: Spec) -> None:
    assert petstore.server_url == "https://pets.example.com/v1"  # https when listed
    assert pets30.server_url == "https://api.example.com/v2"
    assert notes.server_url is None


def test_swagger_schemes_and_missing_host(spec_of: Callable[..., Spec]) -> None:
    def url(**members: object) -> str | None:
        return spec_of("2.0", paths={}, **members).server_url

    assert url(host="h:8080", schemes=["http"]) == "http://h:8080"
    assert url(host="h", schemes=["ws", "http"]) == "ws://h"
    assert url(host="h") == "http://h"
    assert url(basePath="/api/") == "/api"
    assert url() is None


def test_openapi_servers(spec_of: Callable[..., Spec]) -> None:
    def url(*servers: object) -> str | None:
        return spec_of("3.0.3", paths={}, servers=list(servers)).server_url

    assert url({"url": "/v1"}, {"url": "https://other"}) == "/v1"  # relative: the caller's
    assert url() is None
    region = {"region": {"default": "eu", "enum": ["eu", "us"]}, "v": {"default": "2"}}
    assert url({"url": "https://{region}.x/v{v}", "variables": region}) == "https://eu.x/v2"


def test_server_variable_without_default_is_refused(spec_of: Callable[..., Spec]) -> None:
    # the meta-schema requires defaults, so build the spec then drop it
    variables = {"region": {"default": "eu"}}
    spec = spec_of(
        "3.0.3", paths={}, servers=[{"url": "https://{region}.x", "variables": variables}]
    )
    assert spec.server_url == "https://eu.x"
    spec.document["servers"][0]["variables"] = {}
    with pytest.raises(
        ServerURLError,
        match=r"^the server URL 'https://\{region\}.x' uses \{region\} without a default$",
    ):
        spec.server_url  # noqa: B018


def test_servers_not_a_list_is_refused(spec_of: Callable[..., Spec]) -> None:
    spec = spec_of("3.0.3", paths={})
    spec.document["servers"] = {"url": "https://x"}  # as loaded with validate="warn"/"off"
    with pytest.raises(
        ServerURLError, match=r"^the spec's 'servers' must be a list of server objects$"
    ) as caught:
        spec.server_url  # noqa: B018
    assert isinstance(caught.value, SpecError)
    assert isinstance(caught.value, ValueError)
