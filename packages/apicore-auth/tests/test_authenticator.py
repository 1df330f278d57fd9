from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from apicore_auth import (
    ANY_TOKEN,
    NO_AUTH,
    Authenticator,
    AuthSettings,
    ConfigurationError,
    CredentialsError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidTokenError,
    MalformedCredentialsError,
    MissingTokenError,
    NoTokenConfiguredError,
    Requirement,
    TokenRecord,
    hash_token,
)
from apicore_auth.testing import FakeClock, api_key, bearer, make_authenticator

# The deprecated document methods (to_problem(), problem()) keep working; see test_problem_protocol.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*problem\(\) is deprecated:DeprecationWarning")

TOKEN = "tok-0123456789abcdef-ALPHA"
OTHER = "tok-0123456789abcdef-BRAVO"

tokens_st = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=80
)


def refusal(call: Callable[[], object]) -> CredentialsError:
    with pytest.raises(CredentialsError) as info:
        call()
    return info.value


def assert_no_secret(text: str, *tokens: str) -> None:
    for token in tokens:
        assert token not in text
        assert hashlib.sha256(token.encode()).hexdigest() not in text
        assert hash_token(token) not in text


# --- header forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {TOKEN}"},
        {"authorization": f"bearer {TOKEN}"},
        {"AUTHORIZATION": f"  BEARER   {TOKEN}  "},
        {"X-API-Key": TOKEN},
        {"x-api-key": TOKEN},
        {"X_API_KEY": TOKEN},
        {"symmetric_api_key": TOKEN},
        {"Symmetric-Api-Key": TOKEN},
        {"SYMMETRIC_API_KEY": f" {TOKEN} "},
        [("Host", "example"), ("Symmetric-Api-Key", TOKEN)],
        [(b"x-api-key", TOKEN.encode())],
        [(b"authorization", b"Bearer " + TOKEN.encode())],
    ],
)
def test_every_header_form_is_accepted(headers: object) -> None:
    auth = make_authenticator([TOKEN])
    principal = auth.check(headers, ANY_TOKEN)  # type: ignore[arg-type]
    assert principal is not None
    assert principal.name == "test-token-1"


def test_same_token_in_several_headers_is_accepted() -> None:
    auth = make_authenticator([TOKEN])
    headers = [("Authorization", f"Bearer {TOKEN}"), ("X-API-Key", TOKEN)]
    assert auth.check(headers) is not None


def test_renamed_legacy_header_replaces_the_default_one() -> None:
    settings = AuthSettings().with_client_token_name("My-Token")
    auth = make_authenticator([TOKEN], settings=settings)
    assert auth.check({"my_token": TOKEN}) is not None
    assert isinstance(refusal(lambda: auth.check({"symmetric_api_key": TOKEN})), MissingTokenError)


def test_disabled_forms_are_ignored() -> None:
    settings = AuthSettings(bearer=False, legacy_header=False)
    auth = make_authenticator([TOKEN], settings=settings)
    assert auth.check(api_key(TOKEN)) is not None
    for headers in (bearer(TOKEN), {"symmetric_api_key": TOKEN}):
        error = refusal(lambda headers=headers: auth.check(headers))  # type: ignore[misc]
        assert isinstance(error, MissingTokenError)
        assert error.headers == {"WWW-Authenticate": 'APIKey realm="api"'}


def test_query_string_and_body_are_never_read() -> None:
    auth = make_authenticator([TOKEN])
    error = refusal(lambda: auth.check({"X-Query": f"symmetric_api_key={TOKEN}"}))
    assert isinstance(error, MissingTokenError)


# --- the status matrix -------------------------------------------------------------------


def test_missing_token_is_401_with_a_bare_challenge() -> None:
    error = refusal(lambda: make_authenticator([TOKEN]).check({"Accept": "*/*"}))
    assert isinstance(error, MissingTokenError)
    assert error.status == 401
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="api"'}
    assert error.to_problem() == {
        "type": "urn:apicore:problem:unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": "This endpoint requires an API token; send it as 'Authorization: Bearer "
        "<token>' or 'X-API-Key: <token>' or 'Symmetric-Api-Key: <token>'.",
    }


def test_wrong_token_is_401_invalid_token() -> None:
    error = refusal(lambda: make_authenticator([TOKEN]).check(bearer(OTHER)))
    assert type(error) is InvalidTokenError
    assert error.status == 401
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}
    assert error.to_problem()["detail"] == "The API token is not valid."


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"Authorization": f"Basic {TOKEN}"}, "must be 'Bearer <token>'"),
        ({"Authorization": TOKEN}, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer"}, "Bearer scheme but no token"),
        ({"Authorization": "Bearer    "}, "Bearer scheme but no token"),
        ({"Authorization": f"Bearer {TOKEN} extra"}, "contains spaces"),
        ({"Authorization": f"Bearer {TOKEN}, Bearer {OTHER}"}, "more than once"),
        ({"X-API-Key": ""}, "X-API-Key header is empty"),
        ({"symmetric_api_key": "  "}, "symmetric_api_key header is empty"),
        ({"X-API-Key": f"{TOKEN}, {TOKEN}"}, "more than once"),
        ([("X-API-Key", TOKEN), ("Authorization", f"Bearer {OTHER}")], "Different API tokens"),
        ([("X-API-Key", TOKEN), ("x-api-key", OTHER)], "Different API tokens"),
    ],
)
def test_malformed_credentials_are_400(headers: object, detail: str) -> None:
    auth = make_authenticator([TOKEN, OTHER])
    error = refusal(lambda: auth.check(headers))  # type: ignore[arg-type]
    assert isinstance(error, MalformedCredentialsError)
    assert error.status == 400
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="api", error="invalid_request"'}
    problem = error.to_problem()
    assert problem["type"] == "urn:apicore:problem:malformed-credentials"
    assert detail in problem["detail"]
    assert_no_secret(json.dumps(problem) + str(error) + repr(error), TOKEN, OTHER)


def test_other_authorization_scheme_is_ignored_beside_an_api_key() -> None:
    # A proxy's Basic credentials must not break an X-API-Key client.
    auth = make_authenticator([TOKEN])
    headers = [("Authorization", "Basic dXNlcjpwYXNz"), ("X-API-Key", TOKEN)]
    assert auth.check(headers) is not None


def test_missing_scope_is_403_insufficient_scope() -> None:
    auth = make_authenticator({TOKEN: ["read"]})
    requirement = Requirement.for_scopes("read", "write", "admin")
    error = refusal(lambda: auth.check(bearer(TOKEN), requirement))
    assert isinstance(error, InsufficientScopeError)
    assert error.status == 403
    assert error.headers == {
        "WWW-Authenticate": 'Bearer realm="api", error="insufficient_scope", '
        'scope="admin read write"'
    }
    assert error.to_problem() == {
        "type": "urn:apicore:problem:forbidden",
        "title": "Forbidden",
        "status": 403,
        "detail": "The API token lacks the scope(s) this endpoint requires: admin, write.",
        "required_scopes": ["admin", "read", "write"],
    }


def test_scopes_granted_and_wildcard() -> None:
    auth = make_authenticator({TOKEN: ["read", "write"], OTHER: ["*"]})
    requirement = Requirement.for_scopes("read", "write")
    principal = auth.check(bearer(TOKEN), requirement)
    assert principal is not None
    assert principal.scopes == {"read", "write"}
    admin = auth.check(bearer(OTHER), Requirement.for_scopes("anything"))
    assert admin is not None
    assert admin.has_scope("anything")


def test_no_auth_returns_none_without_reading_headers() -> None:
    auth = make_authenticator([TOKEN])
    assert auth.check({"Authorization": "garbage"}, NO_AUTH) is None
    assert Authenticator().check({}, NO_AUTH) is None


def test_custom_realm_is_in_every_challenge() -> None:
    auth = make_authenticator([TOKEN], settings=AuthSettings(realm="billing"))
    error = refusal(lambda: auth.check(bearer(OTHER)))
    assert error.headers["WWW-Authenticate"] == 'Bearer realm="billing", error="invalid_token"'


# --- rotation, expiry --------------------------------------------------------------------


def test_rotation_accepts_every_active_token() -> None:
    old = TokenRecord.from_token(TOKEN, name="ci-2024")
    new = TokenRecord.from_token(OTHER, name="ci-2025")
    auth = Authenticator([old, new])
    assert [auth.check(bearer(t)).name for t in (TOKEN, OTHER)] == ["ci-2024", "ci-2025"]  # type: ignore[union-attr]


def test_expired_token_is_refused_and_logged_by_name(auth_logs: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    expiry = datetime(2030, 1, 2, tzinfo=UTC)
    auth = make_authenticator([TOKEN, OTHER], clock=clock, expires_at={TOKEN: expiry})
    assert auth.check(bearer(TOKEN)) is not None
    clock.set(expiry - timedelta(microseconds=1))
    assert auth.check(bearer(TOKEN)) is not None
    clock.set(expiry)
    error = refusal(lambda: auth.check(bearer(TOKEN)))
    assert isinstance(error, ExpiredTokenError)
    assert isinstance(error, InvalidTokenError)
    assert error.status == 401
    assert error.headers["WWW-Authenticate"].endswith('error="invalid_token"')
    assert "expired" in error.to_problem()["detail"]
    assert auth.check(bearer(OTHER)) is not None  # the other token has no expiry
    assert "'test-token-1'" in auth_logs.text
    assert_no_secret(auth_logs.text, TOKEN, OTHER)


# --- fail closed, legacy default token ---------------------------------------------------


@pytest.mark.parametrize("headers", [{}, bearer("symmetric_token"), bearer(TOKEN)])
def test_no_configured_token_fails_closed(headers: dict[str, str]) -> None:
    auth = Authenticator()
    assert not auth.configured
    error = refusal(lambda: auth.check(headers, ANY_TOKEN))
    assert isinstance(error, NoTokenConfiguredError)
    assert error.status == 401
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="api"'}
    assert "none configured" in error.to_problem()["detail"]


def test_default_token_only_when_allowed_and_with_a_warning(
    auth_logs: pytest.LogCaptureFixture,
) -> None:
    auth = Authenticator(settings=AuthSettings(allow_default_token=True))
    assert auth.using_default_token
    principal = auth.check({"symmetric_api_key": "symmetric_token"})
    assert principal is not None
    assert principal.name == "legacy-default-token"
    warnings = [r for r in auth_logs.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "PUBLIC default token" in warnings[0].getMessage()
    assert "SYMMETRIC_API_KEY" in warnings[0].getMessage()


def test_default_token_is_not_accepted_once_a_token_is_configured() -> None:
    auth = make_authenticator([TOKEN], settings=AuthSettings(allow_default_token=True))
    assert not auth.using_default_token
    assert isinstance(refusal(lambda: auth.check(bearer("symmetric_token"))), InvalidTokenError)


def test_the_same_token_twice_is_a_configuration_error() -> None:
    records = [
        TokenRecord.from_token(TOKEN, name="a", source="tokens.txt:1"),
        TokenRecord.from_token(TOKEN, name="b", source="env X"),
    ]
    with pytest.raises(
        ConfigurationError, match=r"configured twice: as 'a' \(tokens.txt:1\)"
    ) as info:
        Authenticator(records)
    assert_no_secret(str(info.value), TOKEN)


# --- diagnostics -------------------------------------------------------------------------


def test_diagnose_without_protected_endpoints_is_silent() -> None:
    assert Authenticator().diagnose([NO_AUTH, NO_AUTH]) is None


def test_diagnose_without_tokens_says_how_to_set_one(auth_logs: pytest.LogCaptureFixture) -> None:
    settings = AuthSettings().with_server_token_name("MY_KEY")
    message = Authenticator(settings=settings).diagnose([ANY_TOKEN, NO_AUTH, ANY_TOKEN])
    assert message is not None
    assert message.startswith("2 endpoint(s) require an API token but no token is configured")
    hints = ("export MY_KEY=", "MY_KEY_FILE=", "APICORE_TOKENS_FILE", "apicore_auth hash")
    for hint in (*hints, "(or APICORE_API_KEY)"):
        assert hint in message
    # a warning, not an error: the server is safe and works; the message says what to do
    assert [r.levelno for r in auth_logs.records] == [logging.WARNING]


def test_diagnose_reports_default_token_expired_tokens_and_ungranted_scopes() -> None:
    clock = FakeClock(datetime(2030, 6, 1, tzinfo=UTC))
    auth = make_authenticator(
        {TOKEN: ["read"], OTHER: ["write"]},
        clock=clock,
        expires_at={OTHER: datetime(2030, 1, 1, tzinfo=UTC)},
    )
    message = auth.diagnose([Requirement.for_scopes("read"), Requirement.for_scopes("write")])
    assert message is not None
    assert "have expired and are refused: test-token-2" in message
    assert "grants the scope(s) write" in message
    assert make_authenticator({TOKEN: ["read"]}).diagnose([Requirement.for_scopes("read")]) is None
    default = Authenticator(settings=AuthSettings(allow_default_token=True))
    assert "PUBLIC default token" in (default.diagnose([ANY_TOKEN]) or "")


def test_diagnose_when_every_token_expired() -> None:
    clock = FakeClock(datetime(2031, 1, 1, tzinfo=UTC))
    auth = make_authenticator(
        [TOKEN], clock=clock, expires_at={TOKEN: datetime(2030, 1, 1, tzinfo=UTC)}
    )
    message = auth.diagnose([ANY_TOKEN]) or ""
    assert "no token is configured" in message


# --- constant time, secrecy --------------------------------------------------------------


def test_tokens_differing_only_in_the_last_character_are_refused() -> None:
    auth = make_authenticator([TOKEN])
    for last in "0aZ~":
        near = TOKEN[:-1] + last
        assert isinstance(refusal(lambda near=near: auth.check(bearer(near))), InvalidTokenError)  # type: ignore[misc]
    assert isinstance(refusal(lambda: auth.check(bearer(TOKEN + "A"))), InvalidTokenError)
    assert isinstance(refusal(lambda: auth.check(bearer(TOKEN[:-1]))), InvalidTokenError)


def test_every_comparison_is_compare_digest_on_32_byte_digests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    auth = make_authenticator([TOKEN, OTHER, "third-token-value"])
    auth.check(bearer(OTHER))
    refusal(lambda: auth.check(bearer("short")))
    # three configured tokens, all compared on both requests, without stopping at a match
    assert len(calls) == 6
    assert all(isinstance(x, bytes) and len(x) == 32 for pair in calls for x in pair)


def test_no_token_or_hash_in_logs_errors_or_reprs(auth_logs: pytest.LogCaptureFixture) -> None:
    auth = make_authenticator({TOKEN: ["read"]})
    texts = [repr(auth), repr(auth.tokens), repr(auth.check(bearer(TOKEN)))]
    for headers, requirement in [
        (bearer(OTHER), ANY_TOKEN),
        ({"X-API-Key": f"{OTHER} {TOKEN}"}, ANY_TOKEN),
        ([("X-API-Key", TOKEN), ("symmetric_api_key", OTHER)], ANY_TOKEN),
        (bearer(TOKEN), Requirement.for_scopes("write")),
    ]:
        error = refusal(lambda h=headers, r=requirement: auth.check(h, r))  # type: ignore[misc]
        texts += [str(error), repr(error), json.dumps(error.to_problem()), str(error.headers)]
    assert_no_secret("\n".join(texts) + auth_logs.text, TOKEN, OTHER)


@settings(max_examples=60)
@given(token=tokens_st, scopes=st.frozensets(st.sampled_from(["a", "b", "c"])))
def test_property_hashed_token_round_trips(token: str, scopes: frozenset[str]) -> None:
    auth = Authenticator([TokenRecord.from_hash(hash_token(token), name="p", scopes=scopes)])
    principal = auth.check(bearer(token), Requirement(scopes=scopes))
    assert principal is not None
    assert principal.scopes == scopes
    assert auth.check({"X-API-Key": token}) == principal


@settings(max_examples=60)
@given(token=tokens_st, presented=tokens_st)
def test_property_other_tokens_are_refused(token: str, presented: str) -> None:
    auth = make_authenticator([token])
    if presented == token:
        assert auth.check(bearer(presented)) is not None
    else:
        with pytest.raises(InvalidTokenError):
            auth.check(bearer(presented))
