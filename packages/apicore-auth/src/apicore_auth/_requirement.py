"""What an endpoint requires, and who a request turned out to be (pure values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from apicore_auth._tokens import ALL_SCOPES, check_scope
from apicore_introspect.frozen import frozen


@frozen
class Requirement:
    """The credentials an endpoint requires.

    Use the constants ``NO_AUTH`` and ``ANY_TOKEN``, ``Requirement.for_scopes(...)``, or
    ``Requirement.coerce(value)`` to turn a decorator argument into one.

    Attributes:
        authenticated: Whether a valid token is required at all.
        scopes: Scopes the token must all grant (empty: any valid token).
    """

    authenticated: bool = True
    scopes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for scope in self.scopes:
            check_scope(scope)
        if ALL_SCOPES in self.scopes:
            raise ValueError("'*' is a grant, not a requirement: list the scopes needed.")
        if self.scopes and not self.authenticated:
            raise ValueError("A requirement with scopes must have authenticated=True.")

    @classmethod
    def for_scopes(cls, *scopes: str) -> Requirement:
        """Require a valid token granting every one of ``scopes``."""
        return cls(authenticated=True, scopes=frozenset(scopes))

    @classmethod
    def coerce(cls, value: Requirement | bool | str | Iterable[str] | None) -> Requirement:
        """Turn a decorator's ``auth_token=`` argument into a requirement.

        ``False``/``None`` -> ``NO_AUTH``; ``True`` -> ``ANY_TOKEN`` (legacy symmetric's
        ``auth_token=True``); a string -> that one scope; an iterable of strings -> those
        scopes; a ``Requirement`` is returned unchanged.

        Raises:
            TypeError: For any other value.
            ValueError: For an invalid scope name.
        """
        if isinstance(value, Requirement):
            return value
        if value is None or value is False:
            return NO_AUTH
        if value is True:
            return ANY_TOKEN
        if isinstance(value, str):
            return cls.for_scopes(value)
        candidate: object = value  # callers may pass anything at runtime
        if isinstance(candidate, Iterable) and not isinstance(candidate, bytes | bytearray):
            scopes = tuple(candidate)
            if all(isinstance(scope, str) for scope in scopes):
                return cls.for_scopes(*scopes)
        raise TypeError(
            f"auth_token must be True, False, a scope name or a list of scope names, "
            f"not {type(value).__name__}."
        )


#: No credentials needed: ``check`` returns ``None`` without reading the headers.
NO_AUTH: Final = Requirement(authenticated=False)
#: Any valid, unexpired token (legacy ``auth_token=True``).
ANY_TOKEN: Final = Requirement(authenticated=True)


@frozen
class Principal:
    """Who a request authenticated as.

    Attributes:
        name: The token's non-secret name (the tokens file ``name=``, or the environment
            variable's name for an environment token).
        scopes: The scopes the token grants (``"*"``: every scope).
        expires_at: When the token stops working, or ``None``.
        source: Where the token was configured (an env var name or ``path:line``).
    """

    name: str
    scopes: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    source: str = ""

    def has_scope(self, scope: str) -> bool:
        """Whether the token grants ``scope``."""
        return ALL_SCOPES in self.scopes or scope in self.scopes
