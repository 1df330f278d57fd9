from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from apicore_auth import (
    Authenticator,
    AuthSettings,
    ConfigurationError,
    InvalidTokenError,
    Requirement,
    TokenFileError,
    hash_token,
)
from apicore_auth.testing import bearer

TOKEN = "env-token-0123456789abcdef"
FILE_TOKEN = "file-token-0123456789abcdef"
LISTED = "listed-token-0123456789abcdef"

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def write(path: Path, text: str, mode: int = 0o600) -> str:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return str(path)


def test_env_var_token_grants_every_scope(auth_logs: pytest.LogCaptureFixture) -> None:
    auth = Authenticator.from_env(environ={"SYMMETRIC_API_KEY": f" {TOKEN}\n"})
    principal = auth.check(bearer(TOKEN), Requirement.for_scopes("anything"))
    assert principal is not None
    assert principal.name == "SYMMETRIC_API_KEY"
    assert principal.source == "env SYMMETRIC_API_KEY"
    assert "Loaded 1 API token from SYMMETRIC_API_KEY." in auth_logs.text
    assert TOKEN not in auth_logs.text


def test_shared_env_var_is_read_too(auth_logs: pytest.LogCaptureFixture) -> None:
    settings = AuthSettings(env_var="ASYMMETRIC_API_KEY")
    assert settings.env_vars == ("ASYMMETRIC_API_KEY", "APICORE_API_KEY")
    auth = Authenticator.from_env(settings, environ={"APICORE_API_KEY": TOKEN})
    principal = auth.check(bearer(TOKEN))
    assert principal is not None
    assert principal.name == "APICORE_API_KEY"
    assert "Loaded 1 API token from APICORE_API_KEY." in auth_logs.text


def test_package_and_shared_env_vars_together() -> None:
    settings = AuthSettings(env_var="ASYMMETRIC_API_KEY")
    same = {"ASYMMETRIC_API_KEY": TOKEN, "APICORE_API_KEY": TOKEN}
    assert [r.name for r in Authenticator.from_env(settings, environ=same).tokens] == [
        "ASYMMETRIC_API_KEY"
    ]
    other = "another-token-0123456789abcdef"
    both = Authenticator.from_env(
        settings, environ={"ASYMMETRIC_API_KEY": TOKEN, "APICORE_API_KEY": other}
    )
    assert both.check(bearer(TOKEN)) is not None
    assert both.check(bearer(other)) is not None


def test_shared_env_var_can_be_turned_off() -> None:
    settings = AuthSettings(shared_env_var=None)
    assert settings.env_vars == ("SYMMETRIC_API_KEY",)
    assert not Authenticator.from_env(settings, environ={"APICORE_API_KEY": TOKEN}).configured


def test_symmetric_variable_is_not_read_by_another_package() -> None:
    settings = AuthSettings(env_var="ASYMMETRIC_API_KEY")
    assert not Authenticator.from_env(settings, environ={"SYMMETRIC_API_KEY": TOKEN}).configured


def test_renamed_env_var_is_read_and_the_old_one_ignored() -> None:
    settings = AuthSettings().with_server_token_name("BILLING_KEY")
    auth = Authenticator.from_env(
        settings, environ={"BILLING_KEY": TOKEN, "SYMMETRIC_API_KEY": "old-token-value"}
    )
    assert auth.check({"symmetric_api_key": TOKEN}) is not None
    with pytest.raises(InvalidTokenError):
        auth.check({"symmetric_api_key": "old-token-value"})


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APICORE_AUTH_TEST_KEY", TOKEN)
    settings = AuthSettings(env_var="APICORE_AUTH_TEST_KEY", tokens_file_env_var="APICORE_X_NONE")
    assert Authenticator.from_env(settings).check(bearer(TOKEN)) is not None


def test_file_variable_holds_the_token(tmp_path: Path) -> None:
    path = write(tmp_path / "secret", FILE_TOKEN + "\n")
    auth = Authenticator.from_env(environ={"SYMMETRIC_API_KEY_FILE": path})
    principal = auth.check(bearer(FILE_TOKEN))
    assert principal is not None
    assert principal.name == "SYMMETRIC_API_KEY_FILE"


@posix_only
def test_world_readable_secret_file_warns(
    tmp_path: Path, auth_logs: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "secret", FILE_TOKEN, mode=0o644)
    Authenticator.from_env(environ={"SYMMETRIC_API_KEY_FILE": path})
    warnings = [r.getMessage() for r in auth_logs.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "readable by every user" in warnings[0]
    assert FILE_TOKEN not in auth_logs.text


@posix_only
@pytest.mark.parametrize("variable", ["SYMMETRIC_API_KEY_FILE", "APICORE_TOKENS_FILE"])
def test_world_writable_files_are_refused(tmp_path: Path, variable: str) -> None:
    path = write(tmp_path / "f", hash_token(LISTED), mode=0o666)
    with pytest.raises(TokenFileError, match="writable by every user") as info:
        Authenticator.from_env(environ={variable: path})
    assert info.value.path == path


def test_tokens_file_from_env_var_and_combination_with_env_token(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tokens.txt",
        f"# rotation\n{hash_token(LISTED)} name=ci scopes=read\n"
        f"{hash_token(FILE_TOKEN)} name=old expires=2000-01-01\n",
    )
    auth = Authenticator.from_env(environ={"SYMMETRIC_API_KEY": TOKEN, "APICORE_TOKENS_FILE": path})
    assert [record.name for record in auth.tokens] == ["SYMMETRIC_API_KEY", "ci", "old"]
    listed = auth.check({"X-API-Key": LISTED}, Requirement.for_scopes("read"))
    assert listed is not None
    assert listed.source == f"{path}:2"
    assert auth.check(bearer(TOKEN)) is not None
    with pytest.raises(InvalidTokenError, match="expired"):
        auth.check(bearer(FILE_TOKEN))


def test_tokens_file_from_settings_wins_over_env(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", f"{hash_token(LISTED)}\n")
    settings = AuthSettings(tokens_file=path)
    auth = Authenticator.from_env(settings, environ={"APICORE_TOKENS_FILE": "/nonexistent"})
    assert auth.check(bearer(LISTED)) is not None


def test_token_in_env_and_file_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "tokens.txt", f"{hash_token(TOKEN)} name=dup\n")
    with pytest.raises(ConfigurationError, match="configured twice") as info:
        Authenticator.from_env(environ={"SYMMETRIC_API_KEY": TOKEN, "APICORE_TOKENS_FILE": path})
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({"SYMMETRIC_API_KEY": "a", "SYMMETRIC_API_KEY_FILE": "b"}, "Both SYMMETRIC_API_KEY and"),
        ({"SYMMETRIC_API_KEY": ""}, "SYMMETRIC_API_KEY is empty"),
        ({"SYMMETRIC_API_KEY": "   "}, "SYMMETRIC_API_KEY is empty"),
        ({"SYMMETRIC_API_KEY": "two words"}, "contains whitespace"),
        ({"SYMMETRIC_API_KEY_FILE": ""}, "SYMMETRIC_API_KEY_FILE is set but empty"),
        ({"APICORE_TOKENS_FILE": ""}, "APICORE_TOKENS_FILE is set but empty"),
        ({"SYMMETRIC_API_KEY_FILE": "/nonexistent/x"}, "does not exist"),
        ({"APICORE_TOKENS_FILE": "/nonexistent/x"}, "named by APICORE_TOKENS_FILE does not"),
    ],
)
def test_unusable_sources_are_configuration_errors(environ: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match) as info:
        Authenticator.from_env(environ=environ)
    assert "two words" not in str(info.value)


def test_file_errors(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty", "\n")
    with pytest.raises(ConfigurationError, match="is empty"):
        Authenticator.from_env(environ={"SYMMETRIC_API_KEY_FILE": empty})
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00")
    binary.chmod(0o600)
    with pytest.raises(TokenFileError, match="not UTF-8"):
        Authenticator.from_env(environ={"APICORE_TOKENS_FILE": str(binary)})
    with pytest.raises(TokenFileError, match="not a regular file"):
        Authenticator.from_env(environ={"APICORE_TOKENS_FILE": str(tmp_path)})
    big = write(tmp_path / "big", "#" * (1 << 20) + "\n")
    with pytest.raises(TokenFileError, match="larger than"):
        Authenticator.from_env(environ={"APICORE_TOKENS_FILE": big})


def test_tokens_file_parse_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "tokens.txt", f"{hash_token(LISTED)}\n{LISTED}\n")
    with pytest.raises(TokenFileError, match=r"tokens.txt, line 2: the first field") as info:
        Authenticator.from_env(environ={"APICORE_TOKENS_FILE": path})
    assert LISTED not in str(info.value)


def test_nothing_configured_gives_an_unconfigured_authenticator() -> None:
    auth = Authenticator.from_env(environ={})
    assert not auth.configured
    assert auth.tokens == ()


def test_default_token_with_the_legacy_switch() -> None:
    settings = AuthSettings(allow_default_token=True)
    assert Authenticator.from_env(settings, environ={}).using_default_token
    configured = Authenticator.from_env(settings, environ={"SYMMETRIC_API_KEY": TOKEN})
    assert not configured.using_default_token
