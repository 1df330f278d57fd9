"""``Frozen``: a base for small immutable value classes, cheaper to define than a dataclass.

``@dataclass(frozen=True, slots=True)`` writes and compiles six methods per class with
``exec`` when its module is imported: about 1 ms a class on the project's machine, paid by
every ``import asymmetric`` for each such class of every apicore package (issue 19).
``Frozen`` has those methods written once, driven by the field names in ``__match_args__``.

A subclass lists its fields in ``__slots__`` and, in ``__init__`` order, in
``__match_args__``, and sets them in ``__init__`` with ``object.__setattr__``. Its
instances behave as the frozen dataclass would: equal to an instance of the same class with
equal fields, hashed by their fields, a ``Name(field=value)`` repr, ``FrozenInstanceError``
on any assignment or deletion, copied and pickled field by field. They are not dataclasses:
``dataclasses.fields`` and ``dataclasses.replace`` do not apply.

Example:
    ```python
    from apicore_introspect.frozen import Frozen

    class Span(Frozen):
        __slots__ = ("low", "high")
        __match_args__ = ("low", "high")
        low: int
        high: int

        def __init__(self, low: int, high: int = 10) -> None:
            object.__setattr__(self, "low", low)
            object.__setattr__(self, "high", high)

    assert Span(1) == Span(1, 10) and repr(Span(1)) == "Span(low=1, high=10)"
    ```
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, dataclass_transform

__all__ = ["Frozen"]


# Type checkers treat subclasses as frozen dataclasses, so they flag assignments to fields
@dataclass_transform(frozen_default=True)
class Frozen:
    """An immutable value whose identity is its fields (``__match_args__``)."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[Any]:
        return list(self._fields())

    def __setstate__(self, state: list[Any]) -> None:
        for name, value in zip(self.__match_args__, state, strict=True):
            object.__setattr__(self, name, value)
