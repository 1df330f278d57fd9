from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from apicore_callbacks import Settings, SettingsError, generate_secret


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
