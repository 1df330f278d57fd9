from __future__ import annotations

import pytest

from apicore_auth import (
    LEGACY_ENV_VAR,
    LEGACY_HEADER_NAME,
    AuthSettings,
    InvalidTokenNameError,
)


def test_defaults_are_the_legacy_names() -> None:
    settings = AuthSettings()
    assert settings.env_var == LEGACY_ENV_VAR == "SYMMETRIC_API_KEY"
    assert settings.header_name == LEGACY_HEADER_NAME == "symmetric_api_key"
    assert settings.file_env_var == "SYMMETRIC_API_KEY_FILE"
    assert settings.challenge == 'Bearer realm="api"'
    assert not settings.allow_default_token


def test_renaming_returns_new_settings() -> None:
    settings = AuthSettings()
    renamed = settings.with_client_token_name("X-Token").with_server_token_name("MY_KEY")
    assert (renamed.header_name, renamed.env_var) == ("X-Token", "MY_KEY")
    assert renamed.file_env_var == "MY_KEY_FILE"
    assert settings.header_name == "symmetric_api_key"


@pytest.mark.parametrize(
    ("method", "value", "message"),
    [
        (
            "with_client_token_name",
            3,
            "Invalid client token name type given on set_client_token_name call",
        ),
        (
            "with_client_token_name",
            None,
            "Invalid client token name type given on set_client_token_name call",
        ),
        (
            "with_client_token_name",
            "",
            "Empty client token name given on set_client_token_name call",
        ),
        (
            "with_server_token_name",
            b"X",
            "Invalid server token name type given on set_server_token_name call",
        ),
        (
            "with_server_token_name",
            "",
            "Empty server token name given on set_server_token_name call",
        ),
    ],
)
def test_legacy_messages_are_exact(method: str, value: object, message: str) -> None:
    with pytest.raises(InvalidTokenNameError) as info:
        getattr(AuthSettings(), method)(value)
    assert str(info.value) == message


@pytest.mark.parametrize("name", ["has space", "colon:", "Authorization", "AUTHORIZATION"])
def test_unusable_header_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidTokenNameError, match="client token name"):
        AuthSettings().with_client_token_name(name)


def test_unusable_env_var_names_are_refused() -> None:
    with pytest.raises(InvalidTokenNameError, match="environment variable name"):
        AuthSettings().with_server_token_name("A=B")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"realm": 'a"b'}, "realm cannot contain quotes"),
        ({"bearer": False, "x_api_key": False, "legacy_header": False}, "at least one"),
    ],
)
def test_invalid_settings(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AuthSettings(**kwargs)  # type: ignore[arg-type]


def test_header_forms_merge_a_legacy_name_equal_to_x_api_key() -> None:
    assert len(AuthSettings().header_forms) == 3
    assert AuthSettings(header_name="x_api_key").header_forms == (
        "'Authorization: Bearer <token>'",
        "'X-API-Key: <token>'",
    )
    assert AuthSettings(header_name="x_api_key", x_api_key=False).header_forms[-1] == (
        "'X-Api-Key: <token>'"  # the spelling that survives proxies
    )
