from __future__ import annotations

import pytest

from apicore_auth import ANY_TOKEN, NO_AUTH, Principal, Requirement


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (False, NO_AUTH),
        (None, NO_AUTH),
        (True, ANY_TOKEN),
        ("admin", Requirement(scopes=frozenset({"admin"}))),
        (["read", "write"], Requirement(scopes=frozenset({"read", "write"}))),
        (("read",), Requirement.for_scopes("read")),
        (ANY_TOKEN, ANY_TOKEN),
        ([], ANY_TOKEN),
    ],
)
def test_coerce(value: object, expected: Requirement) -> None:
    assert Requirement.coerce(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1, 0, b"read", [1, 2], {"a": 1.5}.values()])
def test_coerce_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError, match="auth_token must be True, False, a scope name"):
        Requirement.coerce(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scopes": frozenset({"has space"})}, "Invalid scope"),
        ({"scopes": frozenset({"*"})}, "is a grant, not a requirement"),
        ({"authenticated": False, "scopes": frozenset({"a"})}, "authenticated=True"),
    ],
)
def test_invalid_requirements(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Requirement(**kwargs)  # type: ignore[arg-type]


def test_constants() -> None:
    assert not NO_AUTH.authenticated
    assert ANY_TOKEN.authenticated
    assert ANY_TOKEN.scopes == frozenset()


def test_principal_has_scope() -> None:
    assert Principal("a", frozenset({"read"})).has_scope("read")
    assert not Principal("a", frozenset({"read"})).has_scope("write")
    assert Principal("a", frozenset({"*"})).has_scope("write")
