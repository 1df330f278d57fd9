"""The app's Settings and each endpoint's CallbackConfig (apicore_callbacks._config)."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Any

import pytest

from apicore_callbacks import (
    CallbackConfig,
    CallbackRequest,
    CallbackRequestError,
    DestinationPolicy,
    InvalidCallbackObjectError,
    Settings,
    SettingsError,
    generate_secret,
)
from apicore_callbacks.adapters import (
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
)
from apicore_introspect import render_problem

POLICY = DestinationPolicy()
URL = "https://receiver.example/hook"


@pytest.mark.parametrize("value", [False, None])
def test_no_callback(value: object) -> None:
    assert CallbackConfig.from_legacy(value) is None


def test_true_and_empty_dict_use_the_legacy_defaults() -> None:
    values: tuple[object, ...] = (True, {})
    for value in values:
        config = CallbackConfig.from_legacy(value)
        assert config == CallbackConfig()
        assert config is not None
        assert config.url_header == "Asymmetric-Callback-URL"
        assert config.method_header == "Asymmetric-Callback-Method"
        assert config.key_header == "Asymmetric-Custom-Callback-Key"


def test_dict_overrides_header_names() -> None:
    config = CallbackConfig.from_legacy(
        {"callback_url_header": "X-Url", "custom_callback_key_header": "X-Key"}
    )
    assert config == CallbackConfig(url_header="X-Url", key_header="X-Key")


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"callback_url_header": 1}, "callback_url_header"),
        ({"bogus": "a"}, "unknown key 'bogus'"),
        ({"callback_method_header": "bad header"}, "header name"),
        ("yes", "callback=True"),
        (1, "callback=True"),
    ],
)
def test_invalid_callback_objects(
    value: object, match: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL), pytest.raises(InvalidCallbackObjectError, match=match):
        CallbackConfig.from_legacy(value)


def test_invalid_callback_object_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        CallbackConfig.from_legacy({"bogus": "a"})


def test_parse_defaults_and_case_insensitive_names() -> None:
    config = CallbackConfig()
    assert config.parse({"asymmetric-callback-url": URL}, policy=POLICY) == CallbackRequest(URL)
    parsed = config.parse(
        {
            "ASYMMETRIC-CALLBACK-URL": URL,
            "Asymmetric-Callback-Method": "put",
            "Asymmetric-Custom-Callback-Key": "predictions",
        },
        policy=POLICY,
    )
    assert parsed == CallbackRequest(URL, "PUT", "predictions")


@pytest.mark.parametrize(
    ("headers", "error", "legacy"),
    [
        ({}, InvalidCallbackURLError, "Invalid callback URL"),
        ({"Asymmetric-Callback-URL": ""}, InvalidCallbackURLError, "Invalid callback URL"),
        (
            {"Asymmetric-Callback-URL": "http://127.0.0.1/"},
            InvalidCallbackURLError,
            "Invalid callback URL",
        ),
    ]
    + [
        (
            {"Asymmetric-Callback-URL": URL, "Asymmetric-Callback-Method": m},
            InvalidCallbackMethodError,
            "Invalid callback HTTP method",
        )
        for m in ("DELETE", "TRACE", "CONNECT", "GET", "")
    ]
    + [
        (
            {"Asymmetric-Callback-URL": URL, "Asymmetric-Custom-Callback-Key": k},
            InvalidCallbackKeyError,
            "Invalid callback key",
        )
        for k in ("k" * 10_000, "a\x01b", "tab\there")
    ],
)
def test_parse_errors_render_422_problems(
    headers: dict[str, str], error: type[CallbackRequestError], legacy: str
) -> None:
    with pytest.raises(error) as info:
        CallbackConfig().parse(headers, policy=POLICY)
    problem = render_problem(info.value)
    assert problem["status"] == 422
    assert problem["type"] == "urn:apicore:problem:validation-error"
    assert problem["errors"][0]["loc"][0] == "header"
    assert info.value.legacy_message == legacy


def test_url_error_points_at_the_configured_header() -> None:
    config = CallbackConfig(url_header="X-Url")
    with pytest.raises(InvalidCallbackURLError) as info:
        config.parse({"x-url": "ftp://example.com/"}, policy=POLICY)
    assert info.value.problem_fields()["errors"][0]["loc"] == ["header", "X-Url"]


def test_parse_uses_the_allow_list_of_the_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = {"Asymmetric-Callback-URL": "http://127.0.0.1:8000/cb"}
    with pytest.raises(InvalidCallbackURLError):
        CallbackConfig().parse(headers, policy=Settings.from_env(environ={}).policy)
    monkeypatch.setenv("APICORE_CALLBACKS_ALLOW", "127.0.0.1/32")
    policy = Settings.from_env().policy
    assert CallbackConfig().parse(headers, policy=policy).url == "http://127.0.0.1:8000/cb"


def test_idempotency_key() -> None:
    config = CallbackConfig()
    assert config.idempotency_key({}) is None
    assert config.idempotency_key({"idempotency-key": ' "abc-1" '}) == "abc-1"
    for bad in ("", "x" * 256, "a\nb"):
        with pytest.raises(InvalidIdempotencyKeyError):
            config.idempotency_key({"Idempotency-Key": bad})


# -- Settings -----------------------------------------------------------------------------


def test_from_env() -> None:
    a, b = generate_secret(), generate_secret()
    settings = Settings.from_env(
        {
            "APICORE_CALLBACKS_DB": "/data/jobs.db",
            "APICORE_CALLBACKS_SECRET": f"{a}, {b}",
            "APICORE_CALLBACKS_ALLOW": "localhost,10.0.0.0/8",
        }
    )
    assert settings.db == Path("/data/jobs.db")
    assert settings.secrets == (a, b)
    assert settings.policy.allow_hosts == {"localhost"}
    assert settings.policy.allow_networks == (ipaddress.ip_network("10.0.0.0/8"),)


def test_arguments_win_over_env() -> None:
    secret = generate_secret()
    env = {"APICORE_CALLBACKS_DB": "env.db", "APICORE_CALLBACKS_SECRET": "whsec_!!"}
    settings = Settings.from_env(env, db="arg.db", secrets=[secret], allow=[], lease=5.0)
    assert (settings.db, settings.secrets, settings.lease) == (Path("arg.db"), (secret,), 5.0)


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.db == Path("apicore-callbacks.sqlite3")
    assert settings.secrets == ()


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"APICORE_CALLBACKS_SECRET": "whsec_***"}, "APICORE_CALLBACKS_SECRET"),
        ({"APICORE_CALLBACKS_ALLOW": "10.0.0.0/40"}, "APICORE_CALLBACKS_ALLOW"),
    ],
)
def test_invalid_env(env: dict[str, str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        Settings.from_env(env)


def test_invalid_options() -> None:
    with pytest.raises(SettingsError, match="at least 1"):
        Settings(concurrency=0)


def test_broker_from_env_and_argument() -> None:
    env = {"APICORE_CALLBACKS_BROKER": "redis://cache:6379/2"}
    assert Settings.from_env(env).broker == "redis://cache:6379/2"
    assert Settings.from_env(env, broker="rediss://other:6380/0").broker == "rediss://other:6380/0"
    assert Settings.from_env({"APICORE_CALLBACKS_BROKER": " "}).broker is None
    assert Settings.from_env({}).broker is None


def test_invalid_broker_names_the_variable_not_the_url() -> None:
    env = {"APICORE_CALLBACKS_BROKER": "amqp://user:s3cret@rabbit//"}
    with pytest.raises(
        SettingsError, match="APICORE_CALLBACKS_BROKER: broker must be a Redis URL"
    ) as e:
        Settings.from_env(env)
    assert "s3cret" not in str(e.value)
    with pytest.raises(SettingsError, match="Redis URL"):
        Settings(broker="sqla+sqlite:///jobs.db")


@pytest.mark.parametrize(
    "options", [{"republish_after": 0.0}, {"lease": 60.0, "visibility_timeout": 30.0}]
)
def test_invalid_broker_options(options: dict[str, Any]) -> None:
    with pytest.raises(SettingsError, match="visibility_timeout"):
        Settings(broker="redis://localhost:6379/0", **options)


def test_broker_options_only_checked_with_a_broker() -> None:
    assert Settings(lease=100_000.0).visibility_timeout < 100_000.0


def test_budgets_and_durability() -> None:
    settings = Settings()
    assert (settings.concurrency, settings.delivery_concurrency) == (32, 32)
    assert (settings.max_response_body, settings.synchronous) == (65_536, "FULL")
    env = {"APICORE_CALLBACKS_SYNCHRONOUS": "normal"}
    assert Settings.from_env(env).synchronous == "NORMAL"
    assert Settings.from_env(env, synchronous="FULL").synchronous == "FULL"
    with pytest.raises(SettingsError, match="APICORE_CALLBACKS_SYNCHRONOUS"):
        Settings.from_env({"APICORE_CALLBACKS_SYNCHRONOUS": "OFF"})
    with pytest.raises(SettingsError, match="delivery_concurrency"):
        Settings(delivery_concurrency=0)
    with pytest.raises(SettingsError, match="max_response_body"):
        Settings(max_response_body=-1)
