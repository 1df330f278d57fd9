from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from apicore_client import ConfigError, RetryPolicy, _binding
from apicore_specbind import load_spec

SPECS = Path(__file__).resolve().parent / "specs"
SPEC_FILES = {v: SPECS / f"pets-v{n}.yaml" for v, n in (("2.0", 2), ("3.0", 30), ("3.1", 31))}


def _spec(document: dict[str, Any]) -> Any:
    return load_spec(document)


def _document(paths: dict[str, Any], version: str = "3.0.3", **top: Any) -> dict[str, Any]:
    """A minimal Swagger 2.0 (``version="2.0"``) or OpenAPI document with these paths."""
    kind = "swagger" if version == "2.0" else "openapi"
    return {kind: version, "info": {"title": "T", "version": "1"}, "paths": paths, **top}


def _one_get(path: str, operation_id: str, **fields: Any) -> Any:
    """A spec with one GET operation (``fields`` added to it) answering 200."""
    operation = {"operationId": operation_id, "responses": {"200": {"description": "ok"}}}
    return _spec(_document({path: {"get": {**operation, **fields}}}))


@pytest.mark.parametrize("version", sorted(SPEC_FILES))
def test_names_from_x_bind_client_else_operation_id(version: str) -> None:
    bound = _binding.bind_operations(load_spec(SPEC_FILES[version]))
    assert [b.name for b in bound] == [
        "list_pets",
        "add_pet",  # x-bind-client wins over operationId createPet
        "get_pet",
        "delete_pet",
        "get_flaky",
        "echo_headers",
    ]


@pytest.mark.parametrize("version", sorted(SPEC_FILES))
def test_signatures(version: str) -> None:
    spec = load_spec(SPEC_FILES[version])
    by_name = {b.name: b for b in _binding.bind_operations(spec)}
    assert str(by_name["get_pet"].signature) == "(*, pet_id: 'int') -> 'Pet'"
    add = by_name["add_pet"].signature
    assert str(add) == "(pet: 'NewPet | dict[str, Any]') -> 'Pet'"
    assert add.parameters["pet"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    listing = by_name["list_pets"].signature
    assert list(listing.parameters) == ["limit", "tags", "x_trace"]
    assert all(p.default is None for p in listing.parameters.values())
    assert listing.parameters["tags"].annotation == "list[str] | None"
    assert listing.return_annotation == "list[Pet]"
    assert by_name["delete_pet"].signature.return_annotation == "None"


def test_extra_keywords_in_signatures_unless_a_parameter_has_the_name() -> None:
    param = {"name": "max_attempts", "in": "query", "schema": {"type": "string"}}
    spec = _one_get("/x", "getX", parameters=[param])
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in (("max_attempts", "int | None"), ("read_timeout", "float | None"))
    ]
    (bound,) = _binding.bind_operations(spec, extra=extra)
    params = bound.signature.parameters
    assert list(params) == ["max_attempts", "read_timeout"]
    assert params["max_attempts"].annotation == "str | None"  # the operation's own parameter
    assert params["read_timeout"].annotation == "float | None"
    (plain,) = _binding.bind_operations(spec)
    assert list(plain.signature.parameters) == ["max_attempts"]


def test_docs_and_accept_are_specbinds_with_the_clients_errors() -> None:
    spec = load_spec(SPEC_FILES["2.0"])
    by_name = {b.name: b for b in _binding.bind_operations(spec)}
    listing = by_name["list_pets"]
    assert listing.doc.startswith("List the pets, newest first.\n\n``GET /pets``")
    assert listing.doc.startswith(listing.operation.docstring + "\n\nRaises:\n")
    assert "    HTTPStatusError: A 4xx/5xx answer (its problem document is parsed)." in listing.doc
    assert by_name["get_pet"].accept == "application/json, application/problem+json"
    assert all(b.accept == b.operation.accept_header for b in by_name.values())


def test_broken_server_url_is_a_config_error() -> None:
    # specbind's meta-schema check requires defaults and a list, so build the spec then break it
    spec = _spec(
        _document(
            {}, servers=[{"url": "https://{region}.x", "variables": {"region": {"default": "eu"}}}]
        )
    )
    assert _binding.resolve_base_url(spec, None) == "https://eu.x"
    spec.document["servers"][0]["variables"] = {}
    with pytest.raises(
        ConfigError,
        match=r"^the server URL 'https://\{region\}.x' uses \{region\} without a default; "
        r"pass base_url=$",
    ):
        _binding.resolve_base_url(spec, None)
    assert _binding.resolve_base_url(spec, "http://h/") == "http://h"  # base_url= wins
    spec.document["servers"] = {"url": "https://x"}
    with pytest.raises(
        ConfigError,
        match=r"^the spec's 'servers' must be a list of server objects; pass base_url=$",
    ):
        _binding.resolve_base_url(spec, None)


def test_resolve_base_url() -> None:
    v31 = load_spec(SPEC_FILES["3.1"])
    assert _binding.resolve_base_url(v31, "http://127.0.0.1:9/v1/") == "http://127.0.0.1:9/v1"
    assert (
        _binding.resolve_base_url(v31, None, document_url="http://h:1/openapi.json")
        == "http://h:1/v1"
    )
    with pytest.raises(ConfigError, match="'/v1' is relative; pass base_url="):
        _binding.resolve_base_url(v31, None)
    none = _spec(_document({}))
    with pytest.raises(ConfigError, match="the spec names no server"):
        _binding.resolve_base_url(none, None)
    assert (
        _binding.resolve_base_url(none, None, document_url="http://h:1/docs/openapi.json")
        == "http://h:1"
    )
    v30 = load_spec(SPEC_FILES["3.0"])
    # a fetched document may not send requests (and the client's headers) to another origin
    with pytest.raises(
        ConfigError,
        match=r"another origin \(https://pets.example.com/v1\); "
        r"pass base_url='https://pets.example.com/v1' if you trust it",
    ):
        _binding.resolve_base_url(v30, None, document_url="http://h/openapi.json")
    assert _binding.resolve_base_url(
        v30, None, document_url="https://pets.example.com/openapi.json"
    ) == ("https://pets.example.com/v1")
    # an in-process app gets every request: only the server's path counts
    assert _binding.resolve_base_url(
        v30, None, document_url="http://app.invalid/openapi.json", in_process=True
    ) == ("http://app.invalid/v1")


def test_operation_retry_extension() -> None:
    spec = load_spec(SPEC_FILES["3.0"])
    by_name = {b.name: b for b in _binding.bind_operations(spec)}
    assert by_name["get_flaky"].retry == RetryPolicy(
        max_attempts=4, wait_initial=0.01, wait_max=0.05
    )
    assert by_name["list_pets"].retry is None  # the root policy applies (see the client)


def test_invalid_operation_retry_extension_names_the_operation() -> None:
    spec = _one_get("/z", "getZ", **{"x-apicore-retry": {"maxAttempts": "three"}})
    with pytest.raises(ConfigError, match=r"GET /z \(get_z\): x-apicore-retry maxAttempts"):
        _binding.bind_operations(spec)
