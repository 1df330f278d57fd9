"""One name, one meaning: the renamed public names keep working as deprecated aliases."""

from __future__ import annotations

import importlib

import pytest

RENAMED = [
    # (module, old name, new name): the old one meant something else in a sibling package.
    ("apicore_introspect", "Operation", "FunctionOperation"),  # vs apicore_specbind.Operation
    ("apicore_specbind", "RequestError", "SpecRequestError"),  # vs apicore_introspect's
    ("apicore_openapi", "Endpoint", "RouteDoc"),  # vs symmetric.Endpoint (legacy record)
    ("pymacaron_core", "Route", "SpecRoute"),  # vs apicore_app.Route
    # A callback delivery's retry policy and a job's attempt log entry, vs apicore_client's
    # RetryPolicy and Attempt (one HTTP call's retries and attempts).
    ("apicore_callbacks", "RetryPolicy", "DeliveryRetryPolicy"),
    ("apicore_callbacks.delivery", "RetryPolicy", "DeliveryRetryPolicy"),
    ("apicore_callbacks.stores", "Attempt", "JobAttempt"),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_the_old_name_warns_and_is_the_new_class(module: str, old: str, new: str) -> None:
    imported = importlib.import_module(module)
    assert new in imported.__all__
    assert old not in imported.__all__
    with pytest.deprecated_call(match=rf"{module}\.{old} is deprecated: use .*{new}"):
        value = getattr(imported, old)
    assert value is getattr(imported, new)


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_from_import_of_the_old_name_warns(module: str, old: str, new: str) -> None:
    namespace: dict[str, object] = {}
    with pytest.deprecated_call():
        exec(f"from {module} import {old}", namespace)
    assert namespace[old] is getattr(importlib.import_module(module), new)


def test_the_old_top_level_attempt_is_the_job_attempt() -> None:
    import apicore_callbacks
    from apicore_callbacks.stores import JobAttempt

    with pytest.deprecated_call(match=r"use apicore_callbacks\.stores\.JobAttempt"):
        assert apicore_callbacks.Attempt is JobAttempt


def test_unknown_names_still_raise_attribute_error() -> None:
    for module, _, _ in RENAMED:
        with pytest.raises(AttributeError, match="no_such_name"):
            _ = importlib.import_module(module).no_such_name


def test_each_kept_name_has_one_meaning() -> None:
    import apicore_app
    import apicore_specbind
    import symmetric

    # The names that stay are each defined once, in the package that owns the meaning.
    assert apicore_specbind.Operation.__module__ == "apicore_specbind._operation"
    assert apicore_app.Route.__module__ == "apicore_app._app"
    assert symmetric.Endpoint.__module__ == "symmetric._app"
