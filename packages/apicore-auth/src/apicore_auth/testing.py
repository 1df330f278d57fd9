"""Helpers for testing code that uses apicore-auth.

Example:
    ```python
    from apicore_auth import Requirement
    from apicore_auth.testing import bearer, make_authenticator

    auth = make_authenticator({"s3cret": ["read"]})
    assert auth.check(bearer("s3cret"), Requirement.for_scopes("read")).name == "test-token-1"
    ```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from apicore_auth._authenticator import Authenticator, TimeSource
from apicore_auth._settings import X_API_KEY, AuthSettings
from apicore_auth._tokens import TokenRecord
from apicore_introspect.testing import FakeClock

__all__ = ["FakeClock", "api_key", "bearer", "make_authenticator"]


def make_authenticator(
    tokens: Mapping[str, Iterable[str]] | Iterable[str],
    *,
    settings: AuthSettings | None = None,
    clock: TimeSource | None = None,
    expires_at: Mapping[str, datetime] | None = None,
) -> Authenticator:
    """Build an authenticator from plaintext tokens (tests only: real ones come from env/files).

    Args:
        tokens: Plaintext tokens, or a mapping of plaintext token to the scopes it grants.
            The tokens are named ``test-token-1``, ``test-token-2``, ... in order.
        settings: Header forms and names.
        clock: The clock (a ``FakeClock``, apicore-introspect's, to test expiry).
        expires_at: Expiry per plaintext token.
    """
    scoped = tokens if isinstance(tokens, Mapping) else {token: () for token in tokens}
    expiries = expires_at or {}
    records = [
        TokenRecord.from_token(
            token,
            name=f"test-token-{index}",
            scopes=scopes,
            expires_at=expiries.get(token),
            source="testing",
        )
        for index, (token, scopes) in enumerate(scoped.items(), start=1)
    ]
    if clock is None:
        return Authenticator(records, settings=settings)
    return Authenticator(records, settings=settings, clock=clock)


def bearer(token: str) -> dict[str, str]:
    """Return request headers carrying ``token`` as ``Authorization: Bearer``."""
    return {"Authorization": f"Bearer {token}"}


def api_key(token: str, header: str = X_API_KEY) -> dict[str, str]:
    """Return request headers carrying ``token`` in an API-key header (``X-API-Key``)."""
    return {header: token}
