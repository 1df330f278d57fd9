from __future__ import annotations

import pytest

from pymacaron_core import current_call_id, current_call_path, incoming_call_context
from pymacaron_core.testing import server_call_context


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, ("new-id", "login")),
        ({"PymCallID": "abc", "PymCallPath": "public.user"}, ("abc", "public.user.login")),
        ({"pymcallid": "abc"}, ("abc", "login")),  # header names are case-insensitive
        ({"PymCallerID": "r", "PymCallerPath": "front"}, ("r", "front.login")),  # README names
        ({"PymCallID": "a", "PymCallerID": "b"}, ("a", "login")),  # the code's names win
    ],
)
def test_incoming_call_context(headers: dict[str, str], expected: tuple[str, str]) -> None:
    context = incoming_call_context(headers, "login", new_id=lambda: "new-id")
    assert (context.call_id, context.call_path) == expected


def test_request_id_and_traceparent_are_kept_for_forwarding() -> None:
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    context = incoming_call_context({"X-Request-ID": "r-1", "traceparent": tp}, "api")
    assert (context.request_id, context.traceparent) == ("r-1", tp)
    assert context.outgoing_headers()["PymCallPath"] == "api"


def test_current_call_helpers() -> None:
    assert current_call_id() is None
    assert current_call_path() is None
    with server_call_context("i", "p"):
        assert (current_call_id(), current_call_path()) == ("i", "p")
    assert current_call_id() is None
