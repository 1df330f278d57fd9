import ast
import importlib
import warnings
from pathlib import Path

import pytest

import apicore_callbacks
from apicore_callbacks import _MOVED
from apicore_test_support import public_api_problems

SRC = Path(apicore_callbacks.__file__).parent
PUBLIC_SUBMODULES = ("adapters", "celery", "delivery", "stores", "testing")
# What the other packages (apicore-app, -openapi's tests, asymmetric, symmetric) take from the
# top level.
USED_BY_THE_ADAPTERS = (
    "CallbackConfig",
    "CallbackRequestError",
    "DestinationPolicy",
    "Dispatcher",
    "IdempotencyKeyReusedError",
    "InvalidCallbackObjectError",
    "Job",
    "DeliveryRetryPolicy",
    "Settings",
    "callback_parameters",
    "callbacks_object",
    "job_accepted_schema",
    "job_status_schema",
)


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(apicore_callbacks) == []


def test_the_top_level_keeps_what_apps_need() -> None:
    assert len(apicore_callbacks.__all__) <= 30
    assert set(USED_BY_THE_ADAPTERS) <= set(apicore_callbacks.__all__)


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", PUBLIC_SUBMODULES)
def test_public_submodules_export_sorted_existing_names(name: str) -> None:
    module = importlib.import_module(f"apicore_callbacks.{name}")
    assert list(module.__all__) == sorted(set(module.__all__), key=_isort_key)
    for attribute in module.__all__:
        assert hasattr(module, attribute), attribute


@pytest.mark.parametrize("name", sorted(_MOVED))
def test_moved_names_still_import_from_the_top_level_with_a_warning(name: str) -> None:
    module = importlib.import_module(_MOVED[name])
    assert name in module.__all__
    assert name not in apicore_callbacks.__all__
    with pytest.warns(DeprecationWarning, match=f"import it from {_MOVED[name]}"):
        value = getattr(apicore_callbacks, name)
    assert value is getattr(module, name)


def test_names_the_adapters_use_import_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in USED_BY_THE_ADAPTERS:
            getattr(apicore_callbacks, name)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = apicore_callbacks.no_such_name


def _imports(path: Path) -> set[str]:
    """The package modules a module imports anywhere (function-local imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("apicore_callbacks")}


def test_no_two_modules_import_each_other() -> None:
    graph = {
        "apicore_callbacks" + ("" if p.stem == "__init__" else f".{p.stem}"): _imports(p)
        for p in SRC.glob("*.py")
    }
    loops = sorted((a, b) for a in graph for b in graph[a] if a < b and a in graph.get(b, ()))
    assert loops == []
