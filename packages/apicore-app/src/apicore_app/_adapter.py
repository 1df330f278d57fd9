"""The ``router`` decorator symmetric and asymmetric share around ``Api.route``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from apicore_app._app import Api
from apicore_app._loading import unknown_keywords

F = TypeVar("F", bound=Callable[..., Any])
#: ``(apicore's exception type, the adapter's type built from its message)``, first match wins.
Translations = Sequence[tuple[type[Exception], Callable[[str], Exception]]]


def adapter_route(
    api: Api,
    path: str,
    options: Mapping[str, Any],
    *,
    unknown: Mapping[str, object],
    call: str,
    ours: str,
    sibling: str,
    renames: Mapping[str, str],
    errors: Translations = (),
    registered: Callable[[], object] | None = None,
) -> Callable[[F], F]:
    """``api.route(path, **options)`` as an adapter's ``router`` serves it.

    Args:
        api: The routes' ``Api``.
        path: The route.
        options: ``Api.route``'s keyword arguments.
        unknown: The keyword arguments the adapter's ``router`` does not take: a
            ``TypeError`` that names the sibling's spelling (``unknown_keywords``).
        call: The decorator's name in that message (``"Symmetric.router"``).
        ours: The adapter's name.
        sibling: The sibling adapter's name.
        renames: The sibling's keyword names -> the adapter's.
        errors: Which exceptions to raise instead of apicore-app's.
        registered: Called after each function is registered.

    Raises:
        TypeError: ``unknown`` is not empty.
    """
    if unknown:
        raise unknown_keywords(call, unknown, ours=ours, sibling=sibling, renames=renames)
    with _translated(errors):
        decorate = api.route(path, **options)

    def register(function: F) -> F:
        with _translated(errors):
            decorated = decorate(function)
        if registered is not None:
            registered()
        return decorated

    return register


@contextlib.contextmanager
def _translated(errors: Translations) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in errors:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise
