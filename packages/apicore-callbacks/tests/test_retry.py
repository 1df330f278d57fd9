from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from apicore_callbacks import DeliveryRetryPolicy
from apicore_callbacks.delivery import STANDARD_SCHEDULE, Verdict, classify, parse_retry_after


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (299, Verdict.DELIVERED),
        (301, Verdict.RETRY),
        (302, Verdict.RETRY),
        (400, Verdict.RETRY),
        (404, Verdict.RETRY),
        (410, Verdict.STOP),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
    ],
)
def test_classify(status: int, verdict: Verdict) -> None:
    assert classify(status) is verdict


def test_standard_schedule_has_ten_attempts() -> None:
    policy = DeliveryRetryPolicy()
    assert policy.max_attempts == 10
    assert sum(STANDARD_SCHEDULE) == 272105.0  # about 75.6 hours


@settings(max_examples=50)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=2**32))
def test_delay_within_jitter_bounds(done: int, seed: int) -> None:
    policy = DeliveryRetryPolicy()
    delay = policy.delay(done, rng=random.Random(seed))
    base = STANDARD_SCHEDULE[done - 1]
    assert delay is not None
    assert base * 0.9 <= delay <= base * 1.1


def test_no_delay_after_last_attempt() -> None:
    assert DeliveryRetryPolicy().delay(10) is None
    assert DeliveryRetryPolicy(schedule=()).delay(1) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = DeliveryRetryPolicy(schedule=(5.0,), jitter=0.0, retry_after_cap=60.0)
    assert policy.delay(1, retry_after=30.0) == 30.0
    assert policy.delay(1, retry_after=3600.0) == 60.0
    assert policy.delay(1, retry_after=1.0) == 5.0


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", now=0.0) == 120.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", now=0.0) == 120.0
    assert parse_retry_after(None, now=0.0) is None


def test_parse_retry_after_of_headers_is_deprecated() -> None:
    with pytest.deprecated_call(match="parse_retry_after\\(headers, now\\) is deprecated"):
        assert parse_retry_after({"retry-after": "120"}, 0.0) == 120.0
    with pytest.deprecated_call():
        assert parse_retry_after({"retry-after": "Thu, 01 Jan 1970 00:02:00 GMT"}, 0.0) == 120.0
    with pytest.deprecated_call():
        assert parse_retry_after({"retry-after": "soon"}, 0.0) is None
    with pytest.deprecated_call():
        assert parse_retry_after({}, 0.0) is None


def test_clock_names_are_apicore_introspects() -> None:
    import apicore_introspect
    import apicore_introspect.testing
    from apicore_callbacks import stores, testing

    assert stores.Clock is apicore_introspect.Clock
    assert testing.FakeClock is apicore_introspect.testing.FakeClock


@pytest.mark.parametrize("options", [{"schedule": (-1.0,)}, {"jitter": 1.0}, {"timeout": 0.0}])
def test_invalid_policy(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must"):
        DeliveryRetryPolicy(**options)  # type: ignore[arg-type]
