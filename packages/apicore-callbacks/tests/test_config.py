from __future__ import annotations

import logging

import pytest

from apicore_callbacks import (
    CallbackConfig,
    CallbackRequest,
    CallbackRequestError,
    DestinationPolicy,
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackObjectError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
    Settings,
)

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
    problem = info.value.problem()
    assert problem["status"] == 422
    assert problem["type"] == "urn:apicore:problem:validation-error"
    assert problem["errors"][0]["loc"][0] == "header"
    assert info.value.legacy_message == legacy


def test_url_error_points_at_the_configured_header() -> None:
    config = CallbackConfig(url_header="X-Url")
    with pytest.raises(InvalidCallbackURLError) as info:
        config.parse({"x-url": "ftp://example.com/"}, policy=POLICY)
    assert info.value.problem()["errors"][0]["loc"] == ["header", "X-Url"]


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
