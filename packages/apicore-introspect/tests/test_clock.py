from __future__ import annotations

import asyncio
import email.utils
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings, strategies as st

from apicore_introspect import Clock, SystemClock, parse_retry_after
from apicore_introspect.testing import FakeClock

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
        (None, None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("²", None),  # a digit to str.isdigit(), not to HTTP
        ("١٢", None),  # Arabic-Indic digits
        ("", None),
        ("Sun, 06 Nov 1994 08:49:37 -0000", None),  # no zone: not an HTTP-date
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@settings(max_examples=100)
@given(seconds=st.integers(0, 10**6))
def test_parse_retry_after_date_round_trip(seconds: int) -> None:
    header = email.utils.formatdate(NOW + seconds, usegmt=True)
    assert parse_retry_after(header, now=NOW) == seconds
    assert parse_retry_after(str(seconds), now=NOW) == seconds


def test_system_clock_is_a_clock_and_a_time_source() -> None:
    clock = SystemClock()
    assert isinstance(clock, Clock)
    before = time.time()
    assert before <= clock() <= clock.time() <= time.time()
    assert clock.monotonic() <= time.monotonic()
    clock.sleep(0)
    asyncio.run(clock.async_sleep(0))


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    assert isinstance(clock, Clock)
    assert (clock(), clock.time(), clock.now, clock.monotonic()) == (NOW, NOW, NOW, 0.0)
    clock.advance(2.0)
    clock.sleep(1.5)
    asyncio.run(clock.async_sleep(0.5))
    assert (clock(), clock.monotonic(), clock.sleeps) == (NOW + 4.0, 4.0, [1.5, 0.5])
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)


def test_fake_clock_start_set_and_advance_to() -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC), monotonic=10.0)
    start = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert (clock(), clock.monotonic()) == (start, 10.0)
    clock.advance_to(start + 0.1)
    assert clock() == start + 0.1
    assert clock.monotonic() == pytest.approx(10.1)
    clock.advance_to(start)  # the past: no-op
    assert clock() == start + 0.1
    clock.set(datetime(2029, 1, 1, tzinfo=UTC))  # the wall clock is set back; monotonic stays
    assert clock() == datetime(2029, 1, 1, tzinfo=UTC).timestamp()
    clock.now = 12.5
    assert clock() == 12.5
    assert clock.monotonic() == pytest.approx(10.1)
    assert FakeClock(12.5)() == 12.5


def test_fake_clock_old_client_form_is_deprecated() -> None:
    with pytest.deprecated_call(match="FakeClock\\(wall, monotonic=start\\)"):
        clock = FakeClock(start=5.0, wall=100.0)
    assert (clock.monotonic(), clock.time()) == (5.0, 100.0)
    with pytest.deprecated_call():
        assert FakeClock(wall=100.0).time() == 100.0
