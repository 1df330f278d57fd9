"""The pool of loaded APIs, and the legacy ``ApiPool`` singleton: a thin shell over one pool."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pymacaron_core._api import API
from pymacaron_core.exceptions import MergeApisException

_IGNORED_KEYS = frozenset({"x-model", "x-persist", "x-scope"})
_RESERVED = frozenset({"apis", "pool"})
_NAME = re.compile(r"[A-Za-z0-9_-]+")


class Pool:
    """Named APIs: ``pool.add("login", yaml_path=...)``, then ``pool.login``."""

    def __init__(self) -> None:
        self.apis: dict[str, API] = {}

    def add(self, name: str, **kwargs: Any) -> API:
        """Load an API and register it under ``name`` (re-adding a name replaces it).

        Args:
            name: The API's name: ``ApiPool.<name>`` (or ``getattr`` for names with ``-``),
                and its part of the call path.
            **kwargs: See :class:`API` (``yaml_path``, ``yaml_str``, ``timeout``,
                ``error_callback``, ``formats``, ``local``, ...).

        Raises:
            ValueError: ``name`` is not an identifier or clashes with a pool method.
        """
        # Dots would split the call path (``public.user.login``); '_' names are private.
        if not _NAME.fullmatch(name) or name.startswith("_") or name in _RESERVED:
            raise ValueError(
                f"api name {name!r} must be letters, digits, '_' or '-', not start with '_', "
                "and not be one of the pool's own names (add, merge, apis, ...)"
            )
        api = API(name, **kwargs)
        self.apis[name] = api
        return api

    def get(self, name: str) -> API:
        """The API added under ``name``, or ``KeyError``."""
        return self.apis[name]

    __getitem__ = get

    def remove(self, name: str) -> None:
        """Forget an API (its Flask routes, if spawned, stay on the app)."""
        self.apis.pop(name, None)

    def clear(self) -> None:
        """Forget every API."""
        self.apis.clear()

    def __getattr__(self, name: str) -> API:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.__dict__["apis"][name]  # type: ignore[no-any-return]
        except KeyError:
            known = ", ".join(self.__dict__.get("apis", {})) or "none"
            raise AttributeError(
                f"no api named {name!r} in the pool (added: {known}); call "
                f"ApiPool.add({name!r}, yaml_path=...) first"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.apis

    def __iter__(self) -> Iterator[str]:
        return iter(self.apis)

    @property
    def current_server_name(self) -> str:
        """Sorted, comma-joined names of the spawned APIs (``ping`` excluded), or ``""``."""
        return ",".join(sorted(n for n, a in self.apis.items() if a.is_server and n != "ping"))

    @property
    def current_server_api(self) -> API | None:
        """The first spawned API (``ping`` excluded), or ``None``."""
        return next((a for n, a in self.apis.items() if a.is_server and n != "ping"), None)

    def merge(self) -> None:
        """Check that models shared by name across APIs have the same definition.

        ``x-model``, ``x-persist`` and ``x-scope`` are ignored in the comparison, as legacy.

        Raises:
            MergeApisException: one model name has different definitions in two APIs.
        """
        seen: dict[str, tuple[str, Any]] = {}
        for api_name, api in self.apis.items():
            for model_name in api.model:
                schema = _strip(api.model[model_name].__model_schema__)
                if model_name not in seen:
                    seen[model_name] = (api_name, schema)
                elif seen[model_name][1] != schema:
                    raise MergeApisException(
                        f"Cannot merge apis! Model {model_name} exists in apis "
                        f"{seen[model_name][0]} and {api_name} but have different definitions; "
                        "make them identical or rename one"
                    )


def _strip(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip(v) for k, v in value.items() if k not in _IGNORED_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


class _ApiPoolMeta(type):
    """Makes ``ApiPool.<name>`` and the legacy properties work on the class itself."""

    _pool: Pool

    def __getattr__(cls, name: str) -> API:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(cls._pool, name)  # type: ignore[no-any-return]

    @property
    def current_server_name(cls) -> str:
        """See :attr:`Pool.current_server_name` (legacy: worked on instances only)."""
        return cls._pool.current_server_name

    @property
    def current_server_api(cls) -> API | None:
        """See :attr:`Pool.current_server_api`."""
        return cls._pool.current_server_api

    @property
    def apis(cls) -> dict[str, API]:
        """The APIs by name (legacy module global ``apipool.apis``)."""
        return cls._pool.apis


_RESERVED |= {n for n in dir(Pool) if not n.startswith("_")}


class ApiPool(metaclass=_ApiPoolMeta):
    """The legacy process-wide pool: ``ApiPool.add("login", yaml_path="login.yaml")``.

    ``ApiPool.login`` is then the :class:`API`; ``ApiPool.current_server_name`` works on the
    class and on instances. Tests swap the pool with ``pymacaron_core.testing.isolated_pool``.
    """

    _pool: ClassVar[Pool] = Pool()

    @classmethod
    def add(cls, name: str, **kwargs: Any) -> API:
        """See :meth:`Pool.add`."""
        return cls._pool.add(name, **kwargs)

    @classmethod
    def get(cls, name: str) -> API:
        """See :meth:`Pool.get`."""
        return cls._pool.get(name)

    @classmethod
    def merge(cls) -> None:
        """See :meth:`Pool.merge`."""
        cls._pool.merge()

    @classmethod
    def pool(cls) -> Pool:
        """The :class:`Pool` instance behind the singleton."""
        return cls._pool

    @staticmethod
    def _cmp_models(m1: Any, m2: Any) -> bool:
        """Legacy helper: ``False`` when two definitions are equal (ignoring x-model...)."""
        return bool(_strip(m1) != _strip(m2))

    def __getattr__(self, name: str) -> Any:
        # Instances (legacy ``ApiPool().foo``, ``ApiPool().current_server_name``) read
        # through to the pool; the class-level properties live on the metaclass.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(type(self)._pool, name)
