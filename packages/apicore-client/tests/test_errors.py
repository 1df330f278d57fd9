from __future__ import annotations

import httpx
import pytest

from apicore_client import (
    Client,
    ClientError,
    ConfigError,
    ConnectError,
    DeadlineExceeded,
    HTTPStatusError,
    Problem,
    RequestTimeout,
    RetriesExhausted,
    TransportError,
)
from apicore_client.extending import parse_problem
from apicore_client.testing import FaultTransport, status

VALIDATION = {
    "type": "urn:apicore:problem:validation-error",
    "title": "Validation error",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"loc": ["body", "n"], "msg": "must be an integer", "type": "type"}],
    "trace": "abc",
}
PROBLEM_HEADERS = {"content-type": "application/problem+json; charset=utf-8"}


def test_hierarchy() -> None:
    assert issubclass(ConfigError, ValueError)
    assert issubclass(ConnectError, TransportError)
    assert issubclass(ConnectError, ConnectionError)
    assert issubclass(RequestTimeout, TimeoutError)
    assert issubclass(DeadlineExceeded, RetriesExhausted)
    assert issubclass(DeadlineExceeded, TimeoutError)
    for cls in (ConfigError, HTTPStatusError, TransportError, RetriesExhausted):
        assert issubclass(cls, ClientError)


def test_problem_json_is_parsed_onto_the_error() -> None:
    transport = FaultTransport([status(422, json=VALIDATION, headers=PROBLEM_HEADERS)])
    with Client("http://t", transport=transport) as client:
        with pytest.raises(HTTPStatusError, match=r"answered 422 .*\(Validation error\)") as info:
            client.post("/n", json={"n": "x"})
    error = info.value
    assert error.status_code == 422
    assert error.problem == Problem(
        type="urn:apicore:problem:validation-error",
        title="Validation error",
        status=422,
        detail="1 field is invalid",
        errors=({"loc": ["body", "n"], "msg": "must be an integer", "type": "type"},),
        extensions={"trace": "abc"},
    )
    assert error.problem_type == "urn:apicore:problem:validation-error"
    assert error.title == "Validation error"
    assert error.detail == "1 field is invalid"
    assert error.errors[0]["loc"] == ["body", "n"]
    assert error.response is not None
    assert error.request is not None
    assert error.request.method == "POST"


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({"content-type": "application/json"}, b'{"title": "x"}'),
        (PROBLEM_HEADERS, b"not json"),
        (PROBLEM_HEADERS, b"[1, 2]"),
        ({}, b""),
    ],
)
def test_no_problem(headers: dict[str, str], content: bytes) -> None:
    response = httpx.Response(400, headers=headers, content=content)
    assert parse_problem(response) is None
    error = HTTPStatusError("x", response=response)
    assert error.problem is None
    assert error.title is None
    assert error.problem_type is None
    assert error.detail is None
    assert error.errors == ()


def test_wrongly_typed_members_are_dropped() -> None:
    problem = Problem.from_mapping(
        {
            "type": 5,
            "title": ["x"],
            "status": True,
            "detail": None,
            "instance": "/i/1",
            "errors": [1, {"msg": "m"}],
        }
    )
    assert problem == Problem(instance="/i/1", errors=({"msg": "m"},))


def test_error_without_response() -> None:
    error = ClientError("boom")
    assert error.status_code is None
    assert error.problem is None
    assert error.attempts == ()
