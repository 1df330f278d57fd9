"""``@frozen``: immutable value classes, declared as a frozen slotted dataclass, cheaper to define.

``@dataclass(frozen=True, slots=True)`` writes and compiles six methods per class with
``exec`` when its module is imported: about 0.8 ms a class on the project's machine, paid by
every ``import asymmetric`` for each such class of every apicore package (issue 19).
``@frozen`` takes about 0.06 ms: it compiles ``__init__`` when the class's first instance
is made (about 0.15 ms, once), and equality, hashing, the repr, immutability, copying and
pickling are written once, in the :class:`Frozen` base it adds.

A class is declared as the dataclass would be: annotated fields, in ``__init__`` order, with
defaults (:func:`field` for a ``default_factory``); fields of a ``@frozen`` base come first.
Its instances behave as the frozen dataclass's: equal to an instance of the same class with
equal fields, hashed by their fields, a ``Name(field=value)`` repr, ``FrozenInstanceError``
on any assignment or deletion, ``__match_args__``, ``__slots__``, copied and pickled field by
field; and the ``dataclasses`` module sees a dataclass (``is_dataclass``, ``fields``,
``replace``, ``asdict``; a ``@dataclass`` may extend one). A method, ``__init__``,
``__eq__`` or ``__repr__`` written in the class wins over the generated one; a
``__post_init__`` runs after the generated ``__init__``. Options: ``eq=False`` (equal only
to itself), ``slots=False``, ``kw_only=True``.

Example:
    ```python
    from apicore_introspect.frozen import field, frozen

    @frozen
    class Span:
        low: int
        high: int = 10
        tags: list[str] = field(default_factory=list)

    assert Span(1) == Span(1, 10) and repr(Span(1)) == "Span(low=1, high=10, tags=[])"
    ```
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError
from typing import Any, ClassVar, TypeVar, dataclass_transform, overload

__all__ = ["Frozen", "field", "frozen"]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


_MADE_LATER: Any = _Factory()  # the default of a field(default_factory=...) in __init__


class Frozen:
    """The methods every ``@frozen`` class shares, driven by its ``__match_args__``."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def _frozen_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __repr__(self) -> str:
        fields = self.__dataclass_fields__
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__match_args__ if fields[name].repr
        )
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._frozen_values() == other._frozen_values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._frozen_values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[Any]:
        return list(self._frozen_values())

    def __setstate__(self, state: list[Any]) -> None:
        for name, value in zip(self.__match_args__, state, strict=True):
            object.__setattr__(self, name, value)


def field(*, default_factory: Callable[[], _T] | None = None, repr: bool = True) -> _T:
    """A field's options, as ``dataclasses.field``'s.

    Args:
        default_factory: Makes the default, anew for each instance.
        repr: Show the field in the repr.
    """
    if default_factory is None:
        return dataclasses.field(repr=repr)  # type: ignore[no-any-return]
    return dataclasses.field(default_factory=default_factory, repr=repr)


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


@overload
def frozen(cls: _C, /) -> _C: ...
@overload
def frozen(*, eq: bool = True, slots: bool = True, kw_only: bool = False) -> Callable[[_C], _C]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(
    cls: Any = None, /, *, eq: bool = True, slots: bool = True, kw_only: bool = False
) -> Any:
    """Make ``cls`` an immutable value class (see the module docstring).

    Args:
        cls: The class, as declared.
        eq: Equal and hashed by its fields; ``False``: only equal to itself.
        slots: Give instances ``__slots__``; ``False``: a ``__dict__`` (and weak references).
        kw_only: Every field is a keyword-only argument of ``__init__``.
    """
    if cls is None:
        return lambda c: _make(c, eq=eq, slots=slots, kw_only=kw_only)
    return _make(cls, eq=eq, slots=slots, kw_only=kw_only)


def _make(cls: type, *, eq: bool, slots: bool, kw_only: bool) -> type:
    if not _PARAM_NAMES:  # a Python whose dataclasses we cannot describe: use them instead
        return _real_dataclass(cls, eq=eq, slots=slots, kw_only=kw_only)
    inherited: tuple[str, ...] = getattr(cls, "__match_args__", ())
    # a @frozen base's fields, whose defaults and repr options this class keeps
    defaults: dict[str, Any] = dict(cls.__dataclass_fields__) if issubclass(cls, Frozen) else {}
    annotations = cls.__dict__.get("__annotations__", {})
    own = [n for n, a in annotations.items() if not _is_classvar(a) and n not in inherited]
    names = (*inherited, *own)
    namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
    for name in own:
        if name in namespace:
            defaults[name] = namespace.pop(name)
    if slots:
        namespace["__slots__"] = tuple(own)
    if not eq:
        namespace.setdefault("__eq__", object.__eq__)
        namespace.setdefault("__hash__", object.__hash__)
    namespace["__qualname__"] = cls.__qualname__
    namespace["__match_args__"] = names
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        hints.update(klass.__dict__.get("__annotations__", {}))
    fields = _fields(names, defaults, hints, kw_only=kw_only)
    namespace["__dataclass_fields__"] = fields
    namespace["__dataclass_params__"] = _params(eq=eq, slots=slots, kw_only=kw_only)
    owner: list[type] = []
    if "__init__" not in namespace:
        namespace["__init__"] = _lazy_init(owner, fields, kw_only=kw_only)
    bases = cls.__bases__
    if not issubclass(cls, Frozen):  # first, so that its methods win as generated ones would
        bases = (Frozen, *(b for b in bases if b is not object))
    made: type = type(cls)(cls.__name__, bases, namespace)
    owner.append(made)
    # zero-argument super() in a method refers to the class as declared: point it at ours
    for value in namespace.values():
        for cell in getattr(value, "__closure__", None) or ():
            if cell.cell_contents is cls:
                cell.cell_contents = made
    return made


def _lazy_init(
    owner: list[type], fields: dict[str, dataclasses.Field[Any]], *, kw_only: bool
) -> Callable[..., None]:
    """An ``__init__`` that compiles the real one on the class's first instance.

    Compiling costs about 0.15 ms a class: paid on first use rather than by every import of
    every class (most are never built in a given process). Its signature is the real one.
    """

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        cls = owner[0]
        if cls.__dict__.get("__init__") is __init__:  # another thread may have compiled it
            cls.__init__ = _init(cls, fields, kw_only=kw_only)  # type: ignore[misc]
        cls.__dict__["__init__"](self, *args, **kwargs)

    kind = inspect.Parameter.KEYWORD_ONLY if kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for name, f in fields.items():
        default = f.default if f.default_factory is MISSING else _MADE_LATER
        if default is MISSING:
            default = inspect.Parameter.empty
        parameters.append(inspect.Parameter(name, kind, default=default, annotation=f.type))
    __init__.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    return __init__


def _init(
    cls: type, fields: dict[str, dataclasses.Field[Any]], *, kw_only: bool
) -> Callable[..., None]:
    """The ``__init__`` of ``fields``, compiled once (the one ``exec`` of a class)."""
    params, lines = [], []
    scope: dict[str, Any] = {"_set": object.__setattr__, "_MADE_LATER": _MADE_LATER}
    for name, f in fields.items():
        value = name
        if f.default_factory is not MISSING:
            scope[f"_make_{name}"] = f.default_factory
            params.append(f"{name}=_MADE_LATER")
            value = f"_make_{name}() if {name} is _MADE_LATER else {name}"
        elif f.default is not MISSING:
            scope[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
        else:
            params.append(name)
        lines.append(f"_set(self, {name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    if kw_only and params:
        params.insert(0, "*")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(lines or ["pass"])
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{name: f.type for name, f in fields.items()}, "return": None}
    return init


# dataclasses' own marks of an instance field and of a class's options: with them, a @frozen
# class is a dataclass to the dataclasses module (is_dataclass, fields, replace, asdict), as
# the classes it replaced were. They are private names, checked once here: on a Python
# where they are missing or take other options, @frozen makes real dataclasses instead
# (the same behaviour, only slower to define; tests/test_frozen.py runs both ways).
_FIELD_KIND = getattr(dataclasses, "_FIELD", None)
_PARAMS: Any = getattr(dataclasses, "_DataclassParams", None)
_KNOWN_PARAMS = frozenset(
    "init repr eq order unsafe_hash frozen match_args kw_only slots weakref_slot".split()
)


def _param_names() -> tuple[str, ...]:
    code = getattr(getattr(_PARAMS, "__init__", None), "__code__", None)
    if _FIELD_KIND is None or code is None:
        return ()
    names = code.co_varnames[1 : code.co_argcount]
    return names if set(names) <= _KNOWN_PARAMS else ()


_PARAM_NAMES = _param_names()


def _real_dataclass(cls: type, *, eq: bool, slots: bool, kw_only: bool) -> type:
    return dataclasses.dataclass(cls, frozen=True, eq=eq, slots=slots, kw_only=kw_only)


def _fields(
    names: tuple[str, ...], defaults: dict[str, Any], hints: dict[str, Any], *, kw_only: bool
) -> dict[str, dataclasses.Field[Any]]:
    """The ``__dataclass_fields__`` of these fields (``__init__`` is compiled from them too)."""
    fields = {}
    for name in names:
        default = defaults.get(name, MISSING)
        made: Any
        if isinstance(default, dataclasses.Field):
            made = copy.copy(default)  # a base's field: this class's is its own
        else:
            made = dataclasses.field(default=default)
        made.name, made.type, made.kw_only = name, hints.get(name, Any), kw_only
        made._field_type = _FIELD_KIND
        fields[name] = made
    return fields


def _params(*, eq: bool, slots: bool, kw_only: bool) -> Any:
    """The ``__dataclass_params__`` of a class (no ``exec``)."""
    given = {
        "init": True,
        "repr": True,
        "eq": eq,
        "order": False,
        "unsafe_hash": False,
        "frozen": True,
        "match_args": True,
        "kw_only": kw_only,
        "slots": slots,
        "weakref_slot": False,
    }
    return _PARAMS(**{name: given[name] for name in _PARAM_NAMES})
