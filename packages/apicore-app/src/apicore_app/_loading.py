"""Loading a user's module for the adapters' CLIs, and what they say when that fails."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

#: Frames of these files are importlib's machinery or this loader, never the user's code.
_NOISE = (
    "<frozen importlib",
    os.path.dirname(importlib.__file__ or "<frozen importlib>"),
    os.path.abspath(__file__).removesuffix("c"),
)


def load_app(
    target: str,
    *,
    kind: type,
    attribute: str,
    error: Callable[[str], ImportError] = ImportError,
    app_dir: str | None = None,
    singleton: Callable[[], Any] | None = None,
    other: Callable[[Any], bool] | None = None,
) -> tuple[str, Any]:
    """Import ``"module"`` or ``"module:name"`` and return ``("module:name", the app)``.

    ``app_dir`` (default: the current directory) goes first on ``sys.path``. Without a name,
    the module's ``attribute`` is used when it is a ``kind``, else its only ``kind``, else
    ``singleton()`` when given and not ``None`` (modules that decorate the package's own
    app). A named object must be a ``kind``, or pass ``other`` (any ASGI app, say).

    Raises:
        ImportError: ``error(message)``, raised ``from`` the import's exception when the
            module raised; ``import_traceback`` shows where.
    """
    module_name, _, name = target.partition(":")
    module_name, name = module_name.strip(), name.strip()
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        suggestion = module_name.removesuffix(".py").replace("/", ".").replace("\\", ".")
        raise error(f"{target!r} is not a module name; did you mean {suggestion.strip('.')!r}?")
    if not module_name:
        raise error(f"No module name in {target!r}: use 'module' or 'module:name'.")
    directory = os.path.abspath(app_dir or ".")
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not (module_name + ".").startswith(exc.name + "."):
            raise error(import_failure(module_name, exc)) from exc
        raise error(
            f"Module {module_name} not found: no such module in {directory} or on sys.path; "
            "run from the module's folder or pass --app-dir."
        ) from None
    except Exception as exc:
        raise error(import_failure(module_name, exc)) from exc
    kind_name = kind.__name__
    article = "an" if kind_name[:1] in "AEIOU" else "a"
    if name:
        app = getattr(module, name, None)
        if not isinstance(app, kind) and not (other is not None and other(app)):
            got = type(app).__name__ if hasattr(module, name) else "nothing"
            raise error(f"{module_name}:{name} is not {article} {kind_name} app (found {got}).")
        return f"{module_name}:{name}", app
    default = getattr(module, attribute, None)
    if isinstance(default, kind) or (other is not None and other(default)):
        return f"{module_name}:{attribute}", default
    found = [key for key, value in vars(module).items() if isinstance(value, kind)]
    if len(found) == 1:
        return f"{module_name}:{found[0]}", getattr(module, found[0])
    fallback = singleton() if singleton is not None and not found else None
    if fallback is not None:
        return f"{module_name}:{attribute}", fallback
    if found:
        names = ", ".join(found)
        hint = f"it holds several {kind_name} apps ({names}); name one as {module_name}:NAME."
    elif default is not None and not isinstance(default, type(sys)):
        hint = f"it is not {article} {kind_name} app (found {type(default).__name__})."
    else:
        hint = f"define it, or name your {kind_name} app as {module_name}:NAME."
    raise error(f"Failed to find the {attribute!r} object in {module_name}: {hint}")


def load_or_exit(target: str, **options: Any) -> tuple[str, Any]:
    """``load_app`` for a command: on failure, print where and why to stderr, and exit 1.

    The traceback of the module's exception comes first (without importlib's frames),
    then ``Error: <message>``.
    """
    try:
        return load_app(target, **options)
    except ImportError as exc:
        if exc.__cause__ is not None:
            sys.stderr.write(import_traceback(exc.__cause__))
        sys.stderr.write(f"Error: {exc}\n")
        raise SystemExit(1) from None


def import_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` without importlib's frames and this loader's."""
    trace = traceback.TracebackException.from_exception(exc)
    part: traceback.TracebackException | None = trace
    while part is not None:
        kept = [f for f in part.stack if not f.filename.startswith(_NOISE)]
        part.stack = traceback.StackSummary.from_list(kept)
        part = part.__cause__ or part.__context__
    return "".join(trace.format())


def import_failure(module: str, exc: BaseException) -> str:
    """A one-paragraph message for ``module`` failing to import with ``exc``.

    ``Importing app failed at /srv/app.py, line 12: NameError: name 'x' is not defined``.
    The place is the line of the user's code: the one a ``SyntaxError`` names, else the
    line of the module being imported that raised (not the library code it called).
    """
    frames = traceback.extract_tb(exc.__traceback__)
    # The top-level line of the innermost module being imported: deeper frames are in the
    # functions and libraries that line called.
    top_level = [f for f in frames if f.name == "<module>" and not f.filename.startswith("<")]
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" at {_spell(exc.filename, exc.lineno)}"
    elif top_level:
        where = f" at {_spell(top_level[-1].filename, top_level[-1].lineno)}"
    detail = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return f"Importing {module} failed{where}: {type(exc).__name__}: {detail}"


def _spell(filename: str, line: int | None) -> str:
    try:
        shown = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        shown = filename
    if shown.startswith(".."):
        shown = filename
    return f"{shown}, line {line}" if line else shown


def unknown_keywords(
    call: str,
    unknown: Mapping[str, object],
    *,
    ours: str,
    sibling: str,
    renames: Mapping[str, str],
) -> TypeError:
    """The error for keyword arguments that ``call`` does not take.

    Where the sibling package spells the same option differently (``renames``: its name ->
    ours), the message says so and shows our spelling, so a module ported from one adapter
    to the other fails with the fix in hand.
    """
    name = sorted(unknown)[0]
    message = f"{call}() got an unexpected keyword argument {name!r}"
    renamed = renames.get(name)
    if renamed is not None:
        message += (
            f": {name}= is {sibling}'s name; {ours}'s is {renamed}=, as in "
            f"@{ours}.router('/path', {renamed}={unknown[name]!r})"
        )
    return TypeError(message)
