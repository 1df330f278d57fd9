"""Markers for ``typing.Annotated`` constraints and documentation.

``Annotated[int, Range(ge=0, le=100)]``, ``Annotated[str, Length(1, 80), Pattern(r"^[a-z]+$")]``,
``Annotated[float, MultipleOf(0.5)]``, ``Annotated[str, Doc("The user's name"), Examples("ada")]``.
The ``annotated-types`` package's markers (``Gt``, ``Ge``, ``Lt``, ``Le``, ``Interval``,
``MultipleOf``, ``MinLen``, ``MaxLen``, ``Len``) are understood too, without importing it.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

from apicore_introspect._errors import IntrospectError
from apicore_introspect.frozen import field, frozen


@frozen
class Range:
    """Bounds for a number: ``gt``/``ge`` below, ``lt``/``le`` above."""

    gt: float | int | None = None
    ge: float | int | None = None
    lt: float | int | None = None
    le: float | int | None = None


@frozen
class Length:
    """Bounds for the length of a string, a list, a set or a dict."""

    min: int | None = None
    max: int | None = None


@frozen
class Pattern:
    """A regular expression a string must match (searched, as JSON Schema does)."""

    regex: str


@frozen
class MultipleOf:
    """A number must be a multiple of this value."""

    value: float | int


@frozen
class Doc:
    """A description for the parameter or field, shown in the API docs."""

    description: str


@frozen
class Examples:
    """Example values, shown in the API docs."""

    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        object.__setattr__(self, "values", values)


@frozen
class JsonSchema:
    """Extra JSON Schema keywords, merged into the schema and checked with ``jsonschema``.

    Use it for rules the type system cannot say, e.g.
    ``Annotated[dict[str, Any], JsonSchema({"minProperties": 1})]``.
    """

    schema: dict[str, Any]


@frozen
class Constraints(Range):
    """All constraints found on one annotation (internal, merged from the markers)."""

    multiple_of: float | int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    description: str | None = None
    examples: tuple[Any, ...] = ()
    extra_schema: dict[str, Any] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        """Whether any numeric bound is set."""
        return any(v is not None for v in (self.gt, self.ge, self.lt, self.le, self.multiple_of))

    @property
    def sized(self) -> bool:
        """Whether a length bound is set."""
        return self.min_length is not None or self.max_length is not None


_ANNOTATED_TYPES_FIELDS = {"gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length"}


def collect_constraints(metadata: tuple[Any, ...], *, where: str) -> Constraints:
    """Merge the ``Annotated`` metadata of one annotation into ``Constraints``.

    Unknown metadata (other libraries' markers) is ignored, as ``Annotated`` intends.
    """
    result = Constraints()
    for item in metadata:
        if isinstance(item, Range):
            result = replace(result, gt=item.gt, ge=item.ge, lt=item.lt, le=item.le)
        elif isinstance(item, Length):
            result = replace(result, min_length=item.min, max_length=item.max)
        elif isinstance(item, Pattern):
            try:
                re.compile(item.regex)
            except re.error as exc:
                msg = f"{where}: invalid Pattern {item.regex!r}: {exc}"
                raise IntrospectError(msg) from exc
            result = replace(result, pattern=item.regex)
        elif isinstance(item, MultipleOf):
            result = replace(result, multiple_of=item.value)
        elif isinstance(item, Doc):
            result = replace(result, description=item.description)
        elif isinstance(item, Examples):
            result = replace(result, examples=item.values)
        elif isinstance(item, JsonSchema):
            result = replace(result, extra_schema={**result.extra_schema, **item.schema})
        elif type(item).__module__.startswith("annotated_types"):
            # annotated-types markers are dataclasses whose field names match ours; Interval
            # and Len carry several of them.  Duck-typed so the package stays optional.
            names = {f.name for f in fields(item)} if is_dataclass(item) else set()
            given = {name: getattr(item, name) for name in names & _ANNOTATED_TYPES_FIELDS}
            result = replace(result, **{k: v for k, v in given.items() if v is not None})
    return result
