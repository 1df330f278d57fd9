"""Import a user's module and find its app (the CLI's only contact with user code)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from apicore_app import import_failure
from asymmetric._errors import AppImportError

DEFAULT_ATTRIBUTE = "asymmetric"


def split_target(target: str) -> tuple[str, str]:
    """``"pkg.module"`` -> ``("pkg.module", "asymmetric")``; ``"m:app"`` -> ``("m", "app")``.

    Raises:
        AppImportError: The target is a file path rather than a module name.
    """
    module, _, attribute = target.partition(":")
    module = module.strip()
    if module.endswith(".py") or "/" in module or "\\" in module or not module:
        suggestion = module.removesuffix(".py").replace("/", ".").replace("\\", ".").strip(".")
        raise AppImportError(
            f"{target!r} is not a module name; pass the dotted module name"
            + (f", e.g. {suggestion!r}" if suggestion else "")
        )
    return module, attribute.strip() or DEFAULT_ATTRIBUTE


def load_app(target: str, *, app_dir: str | None = None) -> tuple[str, Any]:
    """Import ``module[:attribute]`` and return ``("module:attribute", the object)``.

    ``app_dir`` (default: the current directory) is put first on ``sys.path``, as legacy did.

    Raises:
        AppImportError: The module cannot be imported (or raised while importing), or has no
            such attribute.
    """
    module_name, attribute = split_target(target)
    directory = os.path.abspath(app_dir or ".")
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise AppImportError(
                f"Could not import module {module_name!r}: no such module in {directory} or "
                "on sys.path; run from the module's folder or pass --app-dir"
            ) from exc
        raise AppImportError(import_failure(module_name, exc)) from exc
    except Exception as exc:
        raise AppImportError(import_failure(module_name, exc)) from exc
    try:
        app = getattr(module, attribute)
    except AttributeError as exc:
        raise AppImportError(
            f"Failed to find the {attribute!r} object in {module_name!r}; define it "
            f"(from asymmetric import asymmetric) or pass {module_name}:<name>"
        ) from exc
    return f"{module_name}:{attribute}", app
