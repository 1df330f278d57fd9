from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from apicore_auth import (
    ConfigurationError,
    TokenFileError,
    TokenRecord,
    generate_token,
    hash_token,
    parse_tokens_file,
)

SECRET = "plaintext-secret-0123456789"
H1 = hash_token("token-one")
H2 = hash_token("token-two")


def test_hash_token_is_prefixed_sha256_hex() -> None:
    assert hash_token("abc") == "sha256:" + hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize("token", ["", "has space", "tab\there", "new\nline", "caf\u00e9"])
def test_hash_token_refuses_unsendable_tokens_without_echoing(token: str) -> None:
    with pytest.raises(ConfigurationError, match="the token") as info:
        hash_token(token)
    if token:
        assert token not in str(info.value)


def test_generate_token_is_random_and_long() -> None:
    first, second = generate_token(), generate_token()
    assert first != second
    assert len(first) >= 43
    hash_token(first)  # sendable
    with pytest.raises(ValueError, match="at least 16"):
        generate_token(8)


def test_record_repr_hides_the_digest() -> None:
    record = TokenRecord.from_token(SECRET, name="ci", scopes=["read"])
    assert record.digest == hashlib.sha256(SECRET.encode()).digest()
    text = repr(record)
    assert "digest" not in text
    assert SECRET not in text
    assert record.digest.hex() not in text


def test_record_from_hash_matches_from_token() -> None:
    assert TokenRecord.from_hash(hash_token(SECRET), name="x").digest == (
        TokenRecord.from_token(SECRET, name="x").digest
    )
    upper = hash_token(SECRET).upper().replace("SHA256", "sha256")
    assert TokenRecord.from_hash(upper, name="x").digest == hashlib.sha256(SECRET.encode()).digest()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "has space"}, "Invalid token name"),
        ({"name": ""}, "Invalid token name"),
        ({"name": "ok", "scopes": ["a,b"]}, "Invalid scope"),
        ({"name": "ok", "scopes": ['q"uote']}, "Invalid scope"),
        ({"name": "ok", "expires_at": datetime(2030, 1, 1)}, "timezone-aware"),
    ],
)
def test_record_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TokenRecord.from_token(SECRET, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["sha256:abc", "md5:" + "0" * 64, "0" * 64])
def test_record_from_hash_refuses_other_formats(value: str) -> None:
    with pytest.raises(ValueError, match="sha256:<64 hex digits>"):
        TokenRecord.from_hash(value, name="x")


def test_record_grants() -> None:
    record = TokenRecord.from_token(SECRET, name="x", scopes=["a", "b"])
    assert record.grants(frozenset({"a"}))
    assert not record.grants(frozenset({"a", "c"}))
    assert TokenRecord.from_token(SECRET, name="x", scopes=["*"]).grants(frozenset({"z"}))


# --- tokens file -------------------------------------------------------------------------


def test_parse_full_file() -> None:
    text = (
        "\ufeff# API tokens for billing\n"
        "\n"
        f"{H1}\n"
        f"   {H2}  name=ci-2025 scopes=read,items:write  expires=2030-01-31   # rotate in Jan\r\n"
        f"{hash_token('three')} scopes=* expires=2030-01-31T12:30:00+02:00 name=admin\n"
        "   # indented comment\n"
    )
    one, two, three = parse_tokens_file(text, path="/etc/api/tokens.txt")
    assert one.name == "tokens.txt:3"
    assert one.scopes == frozenset()
    assert one.expires_at is None
    assert one.source == "/etc/api/tokens.txt:3"
    assert two.name == "ci-2025"
    assert two.scopes == {"read", "items:write"}
    assert two.expires_at == datetime(2030, 1, 31, tzinfo=UTC)
    assert three.scopes == {"*"}
    assert three.expires_at == datetime(2030, 1, 31, 12, 30, tzinfo=timezone(timedelta(hours=2)))


def test_empty_and_comment_only_files_hold_no_token() -> None:
    assert parse_tokens_file("", path="t") == ()
    assert parse_tokens_file("# nothing yet\n\n", path="t") == ()


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (SECRET, "first field must be a token hash"),
        (f"{SECRET} name=x", "first field must be a token hash"),
        ("sha256:1234", "first field must be a token hash"),
        (f"{H1} {SECRET}", "field 2 is not one of name="),
        (f"{H1} name=a owner={SECRET}", "field 3 is not one of name="),
        (f"{H1} name=a name=b", "name= is given twice"),
        (f"{H1} scopes=", "scopes= has an empty value"),
        (f"{H1} name=bad|name", "name= must be"),
        (f"{H1} scopes=read,,write", "scopes= must be"),
        (f"{H1} scopes=a\\b", "scopes= must be"),
        (f"{H1} expires=tomorrow", "expires= must be a date"),
        (f"{H1} expires=2030-01-01T00:00:00", "expires= must be a date"),
        (f"{H1} expires=2030-13-01", "expires= must be a date"),
    ],
)
def test_parse_errors_name_file_and_line_and_never_echo(line: str, match: str) -> None:
    text = f"# header\n{H2}\n{line}\n"
    with pytest.raises(TokenFileError, match=match) as info:
        parse_tokens_file(text, path="conf/tokens.txt")
    error = info.value
    assert error.path == "conf/tokens.txt"
    assert error.line == 3
    assert str(error).startswith("conf/tokens.txt, line 3: ")
    assert SECRET not in str(error)
    assert H1 not in str(error)
    assert H1.removeprefix("sha256:") not in str(error)
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, ValueError)


def test_duplicate_hash_names_both_lines() -> None:
    with pytest.raises(TokenFileError, match="already on line 1") as info:
        parse_tokens_file(f"{H1} name=a\n{H2}\n{H1} name=b\n", path="t")
    assert info.value.line == 3
