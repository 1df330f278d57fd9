"""Markers for ``typing.Annotated`` constraints and documentation.

``Annotated[int, Range(ge=0, le=100)]``, ``Annotated[str, Length(1, 80), Pattern(r"^[a-z]+$")]``,
``Annotated[float, MultipleOf(0.5)]``, ``Annotated[str, Doc("The user's name"), Examples("ada")]``.
The ``annotated-types`` package's markers (``Gt``, ``Ge``, ``Lt``, ``Le``, ``Interval``,
``MultipleOf``, ``MinLen``, ``MaxLen``, ``Len``) are understood too, without importing it.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from apicore_introspect._errors import IntrospectError
from apicore_introspect.frozen import Frozen

# Plain classes on ``Frozen``, not dataclasses: defining fourteen dataclasses cost about
# 15 ms at every import of a server (issue 19).


class Range(Frozen):
    """Bounds for a number: ``gt``/``ge`` below, ``lt``/``le`` above."""

    __slots__ = ("gt", "ge", "lt", "le")
    __match_args__ = ("gt", "ge", "lt", "le")
    gt: float | int | None
    ge: float | int | None
    lt: float | int | None
    le: float | int | None

    def __init__(
        self,
        gt: float | int | None = None,
        ge: float | int | None = None,
        lt: float | int | None = None,
        le: float | int | None = None,
    ) -> None:
        object.__setattr__(self, "gt", gt)
        object.__setattr__(self, "ge", ge)
        object.__setattr__(self, "lt", lt)
        object.__setattr__(self, "le", le)


class Length(Frozen):
    """Bounds for the length of a string, a list, a set or a dict."""

    __slots__ = ("min", "max")
    __match_args__ = ("min", "max")
    min: int | None
    max: int | None

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        object.__setattr__(self, "min", min)
        object.__setattr__(self, "max", max)


class Pattern(Frozen):
    """A regular expression a string must match (searched, as JSON Schema does)."""

    __slots__ = ("regex",)
    __match_args__ = ("regex",)
    regex: str

    def __init__(self, regex: str) -> None:
        object.__setattr__(self, "regex", regex)


class MultipleOf(Frozen):
    """A number must be a multiple of this value."""

    __slots__ = ("value",)
    __match_args__ = ("value",)
    value: float | int

    def __init__(self, value: float | int) -> None:
        object.__setattr__(self, "value", value)


class Doc(Frozen):
    """A description for the parameter or field, shown in the API docs."""

    __slots__ = ("description",)
    __match_args__ = ("description",)
    description: str

    def __init__(self, description: str) -> None:
        object.__setattr__(self, "description", description)


class Examples(Frozen):
    """Example values, shown in the API docs."""

    __slots__ = ("values",)
    __match_args__ = ("values",)
    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        object.__setattr__(self, "values", values)


class JsonSchema(Frozen):
    """Extra JSON Schema keywords, merged into the schema and checked with ``jsonschema``.

    Use it for rules the type system cannot say, e.g.
    ``Annotated[dict[str, Any], JsonSchema({"minProperties": 1})]``.
    """

    __slots__ = ("schema",)
    __match_args__ = ("schema",)
    schema: dict[str, Any]

    def __init__(self, schema: dict[str, Any]) -> None:
        object.__setattr__(self, "schema", schema)


class Constraints(Range):
    """All constraints found on one annotation (internal, merged from the markers)."""

    __slots__ = (
        "multiple_of",
        "min_length",
        "max_length",
        "pattern",
        "description",
        "examples",
        "extra_schema",
    )
    __match_args__ = (
        *Range.__match_args__,
        "multiple_of",
        "min_length",
        "max_length",
        "pattern",
        "description",
        "examples",
        "extra_schema",
    )
    multiple_of: float | int | None
    min_length: int | None
    max_length: int | None
    pattern: str | None
    description: str | None
    examples: tuple[Any, ...]
    extra_schema: dict[str, Any]

    def __init__(
        self,
        gt: float | int | None = None,
        ge: float | int | None = None,
        lt: float | int | None = None,
        le: float | int | None = None,
        multiple_of: float | int | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        description: str | None = None,
        examples: tuple[Any, ...] = (),
        extra_schema: dict[str, Any] | None = None,
    ) -> None:
        Range.__init__(self, gt, ge, lt, le)
        object.__setattr__(self, "multiple_of", multiple_of)
        object.__setattr__(self, "min_length", min_length)
        object.__setattr__(self, "max_length", max_length)
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "examples", examples)
        object.__setattr__(self, "extra_schema", {} if extra_schema is None else extra_schema)

    def replace(self, **changes: Any) -> Constraints:
        """A copy with ``changes`` applied (what ``dataclasses.replace`` did)."""
        current = dict(zip(self.__match_args__, self._fields(), strict=True))
        return Constraints(**{**current, **changes})

    @property
    def numeric(self) -> bool:
        """Whether any numeric bound is set."""
        return any(v is not None for v in (self.gt, self.ge, self.lt, self.le, self.multiple_of))

    @property
    def sized(self) -> bool:
        """Whether a length bound is set."""
        return self.min_length is not None or self.max_length is not None


_ANNOTATED_TYPES_FIELDS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length")


def collect_constraints(metadata: tuple[Any, ...], *, where: str) -> Constraints:
    """Merge the ``Annotated`` metadata of one annotation into ``Constraints``.

    Unknown metadata (other libraries' markers) is ignored, as ``Annotated`` intends.
    """
    result = Constraints()
    for item in metadata:
        if isinstance(item, Range):
            result = result.replace(gt=item.gt, ge=item.ge, lt=item.lt, le=item.le)
        elif isinstance(item, Length):
            result = result.replace(min_length=item.min, max_length=item.max)
        elif isinstance(item, Pattern):
            try:
                re.compile(item.regex)
            except re.error as exc:
                msg = f"{where}: invalid Pattern {item.regex!r}: {exc}"
                raise IntrospectError(msg) from exc
            result = result.replace(pattern=item.regex)
        elif isinstance(item, MultipleOf):
            result = result.replace(multiple_of=item.value)
        elif isinstance(item, Doc):
            result = result.replace(description=item.description)
        elif isinstance(item, Examples):
            result = result.replace(examples=item.values)
        elif isinstance(item, JsonSchema):
            result = result.replace(extra_schema={**result.extra_schema, **item.schema})
        elif type(item).__module__.startswith("annotated_types"):
            result = _from_annotated_types(result, item)
    return result


def _from_annotated_types(result: Constraints, item: Any) -> Constraints:
    # annotated-types markers are dataclasses whose field names match ours; Interval and
    # Len carry several of them.  Duck-typed so the package stays optional.
    try:
        names = [f.name for f in fields(item)]
    except TypeError:
        return result
    changes = {
        name: getattr(item, name)
        for name in names
        if name in _ANNOTATED_TYPES_FIELDS and getattr(item, name) is not None
    }
    return result.replace(**changes)
