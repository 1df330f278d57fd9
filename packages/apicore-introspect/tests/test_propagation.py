"""The call context: what servers set per request and clients forward (W3C trace context,
request id, pymacaron's call id and path)."""

from __future__ import annotations

import pytest

from apicore_introspect import (
    CallContext,
    child_traceparent,
    current_call_context,
    reset_call_context,
    set_call_context,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
INCOMING = {
    "x-request-id": "req-1",
    "TraceParent": PARENT,
    "tracestate": "vendor=1",
    "PymCallerID": "call-7",
    "PymCallerPath": "svc-a.op/svc-b.op",
}


def test_from_headers_accepts_all_spellings() -> None:
    context = CallContext.from_headers(INCOMING)
    assert context == CallContext(
        request_id="req-1",
        traceparent=PARENT,
        tracestate="vendor=1",
        call_id="call-7",
        call_path="svc-a.op/svc-b.op",
    )
    assert CallContext.from_headers({"PymCallID": "a", "PymCallPath": "p"}).call_id == "a"
    assert CallContext.from_headers({}) == CallContext()


def test_outgoing_headers_carry_a_child_span() -> None:
    context = CallContext.from_headers(INCOMING)
    headers = context.outgoing_headers(span_id="b7ad6b7169203331")
    assert headers == {
        "X-Request-ID": "req-1",
        "traceparent": f"00-{TRACE}-b7ad6b7169203331-01",
        "tracestate": "vendor=1",
        "PymCallID": "call-7",
        "PymCallPath": "svc-a.op/svc-b.op",
    }
    random_child = context.outgoing_headers()["traceparent"]
    assert random_child.startswith(f"00-{TRACE}-")
    assert random_child.endswith("-01")
    assert random_child != PARENT


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        f"ff-{TRACE}-00f067aa0ba902b7-01",
        f"00-{'0' * 32}-00f067aa0ba902b7-01",
        f"00-{TRACE}-{'0' * 16}-01",
        f"00-{TRACE}-00f067aa0ba902b7-01-extra",
        f"01-{TRACE}-00f067aa0ba902b7-01x",
    ],
)
def test_invalid_traceparent_is_dropped(value: str) -> None:
    assert child_traceparent(value) is None
    context = CallContext.from_headers({"traceparent": value, "tracestate": "a=1"})
    assert context.traceparent is None
    assert context.tracestate is None
    assert context.outgoing_headers() == {}


def test_future_traceparent_versions_are_continued_as_version_00() -> None:
    child = child_traceparent(f"01-{TRACE}-00f067aa0ba902b7-01-more", span_id="1" * 16)
    assert child == f"00-{TRACE}-{'1' * 16}-01"


def test_bad_span_id() -> None:
    with pytest.raises(ValueError, match="16 lowercase hex"):
        child_traceparent(PARENT, span_id="xyz")


def test_set_and_reset() -> None:
    token = set_call_context(CallContext(call_id="c"))
    try:
        assert current_call_context() == CallContext(call_id="c")
    finally:
        reset_call_context(token)
    assert current_call_context() is None
