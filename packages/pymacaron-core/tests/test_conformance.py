"""Property-based conformance of the petstore (2.0) and notes (3.1) servers.

What schemathesis checks, with the test group's hypothesis-jsonschema: for every operation,
requests built from the spec's schemas (valid ones) mixed with arbitrary values (invalid
ones) never get a 5xx, always get a declared status with a declared content type, and every
JSON body fits its declared schema. (schemathesis itself cannot join the shared test group:
3.x breaks every package's warnings-as-errors run, 4.x needs hypothesis >= 6.130.)
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import flask
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_jsonschema import from_schema
from pymc_testapp import wsgi

from apicore_specbind import Operation, Spec
from pymacaron_core.testing import isolated_pool

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_characters="/?#%", exclude_categories=["Cs", "Cc"]),
    min_size=1,
    max_size=12,
)


def _rooted(spec: Spec, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema whose local ``$ref`` resolve: the spec's definitions carried along."""
    root: dict[str, Any] = {
        k: spec.document[k] for k in ("definitions", "components") if k in spec.document
    }
    return {**schema, **root}


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_scalar_text(v) for v in value)
    return str(value)


def _request(spec: Spec, op: Operation, base: str) -> st.SearchStrategy[dict[str, Any]]:
    path: dict[str, st.SearchStrategy[str]] = {}
    query: dict[str, st.SearchStrategy[str | None]] = {}
    for param in op.parameters:
        valid = from_schema(_rooted(spec, param.schema)).map(_scalar_text)
        if param.location == "path":
            path[param.name] = st.one_of(valid, SEGMENT)
        elif param.location == "query":
            query[param.name] = st.none() | valid | st.text(max_size=8)
    body: st.SearchStrategy[Any] = st.just(None)
    if op.request_body is not None:
        media = op.request_body.content[0]
        assert media.schema is not None
        body = st.one_of(from_schema(_rooted(spec, media.schema)), JSON)

    def build(values: tuple[dict[str, str], dict[str, str | None], Any]) -> dict[str, Any]:
        path_values, query_values, body_value = values
        url = base + op.path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        params = {k: v for k, v in query_values.items() if v is not None}
        return {"method": op.method, "url": url, "params": params, "body": body_value}

    return st.tuples(st.fixed_dictionaries(path), st.fixed_dictionaries(query), body).map(build)


def _check(op: Operation, response: Any) -> None:
    status = response.status_code
    assert status < 500, response.text
    declared = op.response_for(status)
    assert declared is not None, f"{op.method} {op.path} answered undeclared {status}"
    if declared.content and response.data:
        types = {m.media_type for m in declared.content}
        assert response.mimetype in types, f"{response.mimetype} not in {types}"
        # decode_response validates against the declared schema (raises if it does not fit)
        op.decode_response(status, response.data, response.content_type, validate=True)


@pytest.fixture(scope="module")
def app() -> Iterator[flask.Flask]:
    """One app for the module, its APIs in a pool of their own (handlers use ApiPool)."""
    with isolated_pool():
        yield wsgi.create_app()


CASES = [(name, op) for name in ("petstore", "notes") for op in wsgi.spec(name).operations]


@pytest.mark.parametrize(
    ("name", "op"), CASES, ids=[f"{n}:{op.method} {op.path}" for n, op in CASES]
)
def test_operation_conforms(app: flask.Flask, name: str, op: Operation) -> None:
    spec = wsgi.spec(name)
    client = app.test_client()

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(_request(spec, op, spec.base_path))
    def run(request: dict[str, Any]) -> None:
        data = None if request["body"] is None else json.dumps(request["body"])
        response = client.open(
            request["url"],
            method=request["method"],
            query_string=request["params"],
            data=data,
            content_type="application/json" if data is not None else None,
        )
        _check(op, response)

    run()
