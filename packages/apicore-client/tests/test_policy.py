from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apicore_client import (
    ConfigError,
    RetryPolicy,
    Timeouts,
)
from apicore_client.extending import IDEMPOTENT_METHODS, RETRY_STATUSES

policies = st.builds(
    RetryPolicy,
    wait_initial=st.floats(0, 10),
    wait_max=st.floats(10, 120),
    wait_exp_base=st.floats(1, 10),
)


@settings(max_examples=200)
@given(policy=policies, retry=st.integers(1, 2000), r=st.floats(0, 1, exclude_max=True))
def test_backoff_is_within_zero_and_the_cap(policy: RetryPolicy, retry: int, r: float) -> None:
    delay = policy.backoff(retry, lambda: r)
    cap = policy.backoff_cap(retry)
    assert 0 <= delay <= cap <= policy.wait_max
    assert delay == pytest.approx(r * cap)


@settings(max_examples=200)
@given(policy=policies, retry=st.integers(1, 2000))
def test_backoff_cap_is_monotone_and_bounded(policy: RetryPolicy, retry: int) -> None:
    assert policy.backoff_cap(retry) <= policy.backoff_cap(retry + 1) <= policy.wait_max
    assert policy.backoff_cap(1) == policy.wait_initial


def test_backoff_caps_grow_exponentially() -> None:
    policy = RetryPolicy(wait_initial=0.1, wait_max=1.0)
    assert [policy.backoff_cap(n) for n in range(1, 7)] == pytest.approx(
        [
            0.1,
            0.2,
            0.4,
            0.8,
            1.0,
            1.0,
        ]
    )


def test_full_jitter_spreads_over_the_whole_range() -> None:
    policy = RetryPolicy(wait_initial=1.0, wait_max=8.0)
    rng = random.Random(20240601)
    samples = [policy.backoff(4, rng.random) for _ in range(1000)]
    assert min(samples) < 0.1
    assert max(samples) > 7.9
    assert len(set(samples)) > 990
    assert 3.5 < sum(samples) / len(samples) < 4.5


def test_a_random_source_out_of_range_is_clamped() -> None:
    policy = RetryPolicy(wait_initial=1.0)
    assert policy.backoff(1, lambda: 7.0) == 1.0
    assert policy.backoff(1, lambda: -1.0) == 0.0


def test_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 3
    assert policy.retries
    assert policy.retry_statuses == RETRY_STATUSES == {408, 429, 500, 502, 503, 504}
    assert IDEMPOTENT_METHODS == {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
    assert not RetryPolicy.disabled().retries
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 5  # type: ignore[misc]


def test_retry_safety() -> None:
    policy = RetryPolicy(idempotent_methods=frozenset({"get"}))
    assert policy.is_retry_safe("GET", has_idempotency_key=False)
    assert not policy.is_retry_safe("PUT", has_idempotency_key=False)
    assert policy.is_retry_safe("POST", has_idempotency_key=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_attempts": 0}, "counts the first attempt"),
        ({"max_attempts": True}, "must be an int"),
        ({"deadline": 0}, "deadline must be > 0"),
        ({"wait_initial": 6.0}, "wait_initial <= wait_max"),
        ({"wait_exp_base": 0.5}, "wait_exp_base must be >= 1"),
        ({"retry_after_max": -1}, "retry_after_max"),
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RetryPolicy(**kwargs)


def test_config_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Timeouts.read"):
        Timeouts(read=0)


def test_timeouts() -> None:
    assert Timeouts.of(3) == Timeouts(3, 3, 3, 3)
    assert Timeouts.of(None).longest() == float("inf")
    timeouts = Timeouts(connect=2, read=10, write=None, pool=1)
    assert timeouts.longest() == float("inf")
    assert timeouts.clamped(4) == {"connect": 2, "read": 4, "write": 4, "pool": 1}
    assert Timeouts.of(timeouts) is timeouts


# --- x-apicore-retry ---------------------------------------------------------------------------


def test_extension_full_shape() -> None:
    policy = RetryPolicy.from_extension(
        {
            "strategy": "backoff",
            "maxAttempts": 5,
            "backoff": {
                "initialInterval": 200,
                "maxInterval": 8000,
                "maxElapsedTime": 60000,
                "exponent": 1.5,
            },
            "statusCodes": [429, "5XX"],
            "retryConnectionErrors": False,
            "retryAfterMax": 30000,
            "respectRetryAfter": False,
        }
    )
    assert policy == RetryPolicy(
        max_attempts=5,
        wait_initial=0.2,
        wait_max=8.0,
        deadline=60.0,
        wait_exp_base=1.5,
        retry_statuses=frozenset({429, *range(500, 600)}),
        retry_connect_errors=False,
        retry_after_max=30.0,
        respect_retry_after=False,
    )


def test_extension_defaults_and_none() -> None:
    assert RetryPolicy.from_extension({}) == RetryPolicy()
    assert RetryPolicy.from_extension({"strategy": "none"}) == RetryPolicy.disabled()
    big_initial = RetryPolicy.from_extension({"backoff": {"initialInterval": 9000}})
    assert big_initial.wait_initial == big_initial.wait_max == 9.0


@pytest.mark.parametrize(
    ("extension", "match"),
    [
        ({"strategy": "linear"}, "strategy must be"),
        ({"maxAtempts": 3}, "unknown keys"),
        ({"backoff": {"initial": 1}}, "backoff has unknown keys"),
        ({"backoff": 5}, "backoff must be a mapping"),
        ({"maxAttempts": 2.5}, "non-negative integer"),
        ({"backoff": {"maxInterval": "5s"}}, "non-negative number"),
        ({"statusCodes": "5XX"}, "must be a list"),
        ({"statusCodes": ["6XX"]}, "neither a status"),
        ({"retryConnectionErrors": "yes"}, "true or false"),
        ({"maxAttempts": 0}, "must be >= 1"),
    ],
)
def test_extension_errors(extension: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RetryPolicy.from_extension(extension)


def test_extension_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a mapping"):
        RetryPolicy.from_extension([])  # type: ignore[arg-type]
