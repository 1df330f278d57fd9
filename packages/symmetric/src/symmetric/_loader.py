"""Find the ``Symmetric`` app of a module named on the command line."""

from __future__ import annotations

import importlib
import os
import sys

from apicore_app import import_failure
from symmetric._app import Symmetric
from symmetric._errors import AppImportError

#: The attribute legacy symmetric's CLI looked up.
DEFAULT_ATTRIBUTE = "symmetric"


def load_app(target: str, *, app_dir: str | None = None) -> Symmetric:
    """Import ``"module"`` or ``"module:attribute"`` and return its ``Symmetric`` app.

    The current directory (or ``app_dir``) is importable, as with legacy symmetric. The
    attribute defaults to ``symmetric``; without it, the module's only ``Symmetric``
    instance is used.

    Raises:
        AppImportError: The module cannot be imported, or holds no (or several) apps.
    """
    module_name, _, attribute = target.partition(":")
    if not module_name:
        raise AppImportError(f"No module in {target!r}: use 'module' or 'module:attribute'.")
    cwd = os.path.abspath(app_dir) if app_dir else os.getcwd()
    if cwd not in sys.path and (app_dir or "" not in sys.path):
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise _failed(module_name, exc) from exc
        hint = ""
        if module_name.endswith(".py"):
            hint = f" Did you mean {module_name.removesuffix('.py')}?"
        raise AppImportError(
            f"Module {module_name} not found (looked in {cwd} and sys.path).{hint}"
        ) from None
    except Exception as exc:
        raise _failed(module_name, exc) from exc
    if attribute:
        app = getattr(module, attribute, None)
        if not isinstance(app, Symmetric):
            raise AppImportError(
                f"{module_name}.{attribute} is not a Symmetric app (found {type(app).__name__})."
            )
        return app
    app = getattr(module, DEFAULT_ATTRIBUTE, None)
    if isinstance(app, Symmetric):
        return app
    found = [value for value in vars(module).values() if isinstance(value, Symmetric)]
    if len(found) == 1:
        return found[0]
    if not found:
        from symmetric import symmetric as singleton  # `import symmetric` style modules

        if singleton.api.routes:
            return singleton
    raise AppImportError(
        f"Failed to find the symmetric object in {module_name}: "
        + (
            "it holds several Symmetric apps; name one as module:attribute."
            if found
            else "decorate functions with `from symmetric import symmetric` and "
            "`@symmetric.router(...)`, or name an app as module:attribute."
        )
    )


def _failed(module_name: str, exc: BaseException) -> AppImportError:
    # raised `from exc`: the CLI prints the cause's traceback too
    return AppImportError(import_failure(module_name, exc))
