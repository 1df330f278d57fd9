"""Function-first and spec-first servers agree on ``format: date-time`` (one RFC 3339 parser)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apicore_introspect import ValidationError, describe, parse_datetime
from apicore_specbind import RequestValidationError, load_spec

ACCEPTED = [
    "2024-01-01T10:00:00Z",
    "2024-01-01t10:00:00z",
    "2024-01-01 10:00:00+01:00",
    "2024-01-01T10:00:00.123456789-05:30",
    "2024-02-29T23:59:59.5+00:00",
]
REFUSED = [
    "2024-01-01T10:00",
    "2024-01-01T10:00Z",
    "2024-01-01T10:00:00",
    "2024-01-01T10:00:00+0100",
    "2024-01-01T10:00:00.Z",
    "2024-01-01",
    "2023-02-29T10:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:00:00+01:00 ",
]


def _spec(version: str) -> Any:
    """A one-operation spec whose body has a required date-time (3.0 compiles fastjsonschema)."""
    schema = {
        "type": "object",
        "required": ["when"],
        "properties": {"when": {"type": "string", "format": "date-time"}},
    }
    return load_spec(
        {
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/at": {
                    "post": {
                        "operationId": "at",
                        "requestBody": {
                            "required": True,
                            "content": {"application/json": {"schema": schema}},
                        },
                        "responses": {"204": {"description": "done"}},
                    }
                }
            },
        }
    ).operation("at")


def _at(when: dt.datetime) -> None:
    """Take a date-time."""


FUNCTION = describe(_at)
SPECS = {version: _spec(version) for version in ("3.0.3", "3.1.0")}


def _function_accepts(text: str) -> bool:
    try:
        FUNCTION.bind_json({"when": text})
    except ValidationError:
        return False
    return True


def _spec_accepts(version: str, text: str) -> bool:
    body = ('{"when": "' + text + '"}').encode()
    try:
        SPECS[version].parse_request(body=body, headers={"content-type": "application/json"})
    except RequestValidationError:
        return False
    return True


@pytest.mark.parametrize("text", ACCEPTED + REFUSED)
@pytest.mark.parametrize("version", sorted(SPECS))
def test_function_first_and_spec_first_agree(version: str, text: str) -> None:
    expected = text in ACCEPTED
    assert _function_accepts(text) is expected
    assert _spec_accepts(version, text) is expected


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_values_are_aware(text: str) -> None:
    assert parse_datetime(text).tzinfo is not None
