"""What the adapters say when a user's module fails to import, or misspells an option.

Import failures name the file and line first; an unknown keyword argument names the sibling
adapter's spelling when that is what was used.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping


def import_failure(module: str, exc: BaseException) -> str:
    """A one-paragraph message for ``module`` failing to import with ``exc``.

    ``Importing app failed at /srv/app.py, line 12: NameError: name 'x' is not defined``.
    The place is the line of the user's code: the one a ``SyntaxError`` names, else the
    line of the module being imported that raised (not the library code it called).
    """
    place = _place(exc)
    where = f" at {place}" if place else ""
    detail = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return f"Importing {module} failed{where}: {type(exc).__name__}: {detail}"


def _place(exc: BaseException) -> str | None:
    if isinstance(exc, SyntaxError) and exc.filename:
        return _spell(exc.filename, exc.lineno)
    frames = traceback.extract_tb(exc.__traceback__)
    # The top-level line of the innermost module being imported: deeper frames are in the
    # functions and libraries that line called.
    top_level = [f for f in frames if f.name == "<module>" and not f.filename.startswith("<")]
    if not top_level:
        return None
    return _spell(top_level[-1].filename, top_level[-1].lineno)


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
