from __future__ import annotations

import pytest

from apicore_client import (
    LEGACY_KWARGS,
    Client,
    ConfigError,
    RequestTimeout,
    RetryPolicy,
    Timeouts,
    legacy_call_options,
    pop_legacy_kwargs,
)
from apicore_client.testing import FakeClock, FaultTransport, read_timeout, status


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
    with pytest.raises(ConfigError, match="max_attempts"):
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
    with Client("http://t", transport=transport, retry=options.retry, clock=clock) as client:
        with pytest.raises(RequestTimeout):
            client.patch("/x", timeouts=options.timeouts, headers=options.headers)
    assert len(transport.requests) == 1
