from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apicore_auth import AuthSettings, ExpiredTokenError
from apicore_auth.testing import FakeClock, api_key, bearer, make_authenticator


def test_fake_clock() -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    start = clock()
    clock.advance(90)
    assert clock() == start + 90
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    assert clock() == datetime(2031, 1, 1, tzinfo=UTC).timestamp()
    assert FakeClock(12.5)() == 12.5


def test_make_authenticator_names_tokens_in_order() -> None:
    auth = make_authenticator({"first-token": ["a"], "second-token": []})
    assert [record.name for record in auth.tokens] == ["test-token-1", "test-token-2"]
    assert auth.tokens[0].scopes == {"a"}


def test_header_helpers() -> None:
    assert bearer("t") == {"Authorization": "Bearer t"}
    assert api_key("t") == {"X-API-Key": "t"}
    assert api_key("t", "symmetric_api_key") == {"symmetric_api_key": "t"}
    auth = make_authenticator(["tok"], settings=AuthSettings(bearer=False))
    assert auth.check(api_key("tok")) is not None


def test_expiry_with_fake_clock() -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    auth = make_authenticator(
        ["tok"], clock=clock, expires_at={"tok": datetime(2030, 1, 1, 0, 1, tzinfo=UTC)}
    )
    assert auth.check(bearer("tok")) is not None
    clock.advance(60)
    with pytest.raises(ExpiredTokenError):
        auth.check(bearer("tok"))


class _WallOnly:
    """A Clock that is not callable: the authenticator reads its ``time()``."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass

    async def async_sleep(self, seconds: float) -> None:
        pass


def test_clock_is_apicore_introspects_and_either_shape_works() -> None:
    import apicore_auth
    import apicore_introspect
    import apicore_introspect.testing

    assert apicore_auth.Clock is apicore_introspect.Clock
    assert FakeClock is apicore_introspect.testing.FakeClock
    expiry = datetime(2030, 1, 1, tzinfo=UTC)
    clock = _WallOnly(expiry.timestamp() - 1)
    auth = make_authenticator(["tok"], clock=clock, expires_at={"tok": expiry})
    assert auth.check(bearer("tok")) is not None
    clock.now += 1
    with pytest.raises(ExpiredTokenError):
        auth.check(bearer("tok"))
