"""Deprecated names kept as aliases: a module ``__getattr__`` that warns, then serves them."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping


def deprecated_names(
    module: str, renamed: Mapping[str, str], moved: Mapping[str, str] | None = None
) -> Callable[[str], object]:
    """Return the ``__getattr__`` of ``module`` that serves its deprecated names.

    ``renamed`` maps an old name to the new one (``"package.module.Name"``), ``moved`` a name
    that left ``module`` to the module that has it now. Each use warns (``DeprecationWarning``);
    any other name raises ``AttributeError``.
    """
    moved = moved or {}

    def __getattr__(name: str) -> object:
        if name in renamed:
            owner, _, new = renamed[name].rpartition(".")
            message = f"{module}.{name} is deprecated: use {owner}.{new}"
        elif name in moved:
            owner, new = moved[name], name
            message = f"{module}.{name} is deprecated: import it from {owner}"
        else:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(message, DeprecationWarning, 2)
        return getattr(importlib.import_module(owner), new)

    return __getattr__
