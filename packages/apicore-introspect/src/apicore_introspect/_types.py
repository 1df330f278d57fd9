"""Annotations -> decoder nodes (and through them, JSON Schemas).

``TypeBuilder.build`` is a dispatch over the supported annotations. Named types
(dataclasses, TypedDicts, NamedTuples, Enums, pydantic models) become definitions in a
``Definitions`` registry shared by every function of one application, so their names are
unique across the whole API document.
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import datetime as dt
import enum
import inspect
import re
import sys
import types
import typing
import uuid
from decimal import Decimal
from typing import Any

from apicore_introspect._constraints import Constraints, collect_constraints
from apicore_introspect._containers import (
    CheckedNode,
    DefinitionNode,
    DictNode,
    EnumNode,
    Field,
    ListNode,
    LiteralNode,
    NamedTupleNode,
    ObjectNode,
    PydanticNode,
    TupleNode,
    UnionNode,
)
from apicore_introspect._docstrings import Docstring, parse_docstring
from apicore_introspect._errors import UnsupportedAnnotationError
from apicore_introspect._files import FileNode, UploadFile
from apicore_introspect._nodes import (
    INVALID,
    BoolNode,
    BytesNode,
    ConvertNode,
    DecimalNode,
    FloatNode,
    IntNode,
    Node,
    NoneNode,
    StrNode,
)
from apicore_introspect._timeparse import (
    UUID_PATTERN,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
    parse_uuid,
)


class Definitions:
    """Named schemas shared by the operations of one application.

    Pass one instance to every ``describe`` call of an app so that a type used by several
    functions is defined once, and two different types with the same ``__name__`` get
    different definition names.
    """

    def __init__(self) -> None:
        self._by_type: dict[Any, DefinitionNode] = {}
        self._names: set[str] = set()
        self._foreign: dict[str, dict[str, Any]] = {}

    def get(self, key: Any) -> DefinitionNode | None:
        """The node already built for a type, if any."""
        return self._by_type.get(key)

    def add(self, key: Any, node: DefinitionNode) -> None:
        """Register a node under a unique name derived from the type's name."""
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", getattr(key, "__name__", "Model"))
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}{n}"
        node.name = name
        self._names.add(name)
        self._by_type[key] = node

    def add_foreign(self, schemas: dict[str, Any]) -> None:
        """Add schemas built elsewhere (pydantic's nested models), keeping the first of a name."""
        for name, schema in schemas.items():
            if name not in self._names:
                self._names.add(name)
                self._foreign[name] = schema

    def schemas(self, *, only: set[str] | None = None) -> dict[str, dict[str, Any]]:
        """Every definition's schema, sorted by name (optionally only the given names)."""
        result = {node.name: node.definition() for node in self._by_type.values()}
        result.update(self._foreign)
        return {k: result[k] for k in sorted(result) if only is None or k in only}


_SCALARS: dict[Any, type[Node]] = {
    Decimal: DecimalNode,
    int: IntNode,
    float: FloatNode,
    str: StrNode,
    bool: BoolNode,
    bytes: BytesNode,
    type(None): NoneNode,
    None: NoneNode,
}

_CONVERTERS: dict[Any, tuple[dict[str, Any], Any, str, str]] = {
    dt.datetime: (
        {"type": "string", "format": "date-time"},
        parse_datetime,
        "datetime_parsing",
        "Input should be a valid RFC 3339 date-time",
    ),
    dt.date: (
        {"type": "string", "format": "date"},
        parse_date,
        "date_parsing",
        "Input should be a valid date (YYYY-MM-DD)",
    ),
    dt.time: (
        {"type": "string", "format": "time"},
        parse_time,
        "time_parsing",
        "Input should be a valid time (HH:MM[:SS[.ffffff]][+HH:MM])",
    ),
    dt.timedelta: (
        {"anyOf": [{"type": "number"}, {"type": "string", "format": "duration"}]},
        parse_duration,
        "duration_parsing",
        "Input should be a number of seconds or an ISO 8601 duration such as P1DT2H",
    ),
    uuid.UUID: (
        {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
        parse_uuid,
        "uuid_parsing",
        "Input should be a valid UUID",
    ),
}

_LIST_ORIGINS: dict[Any, type] = {
    list: list,
    abc.Sequence: list,
    abc.MutableSequence: list,
    abc.Iterable: list,
    abc.Collection: list,
    set: set,
    abc.Set: set,
    abc.MutableSet: set,
    frozenset: frozenset,
    tuple: tuple,  # tuple and tuple[T, ...]; other tuples are TupleNodes
}
_DICT_ORIGINS = {dict, abc.Mapping, abc.MutableMapping}
_UNION_ORIGINS = {typing.Union, types.UnionType}


class TypeBuilder:
    """Builds decoder nodes for annotations in one naming context.

    Args:
        definitions: Where named types are registered.
        extra: What record types do with unknown keys: ``"forbid"`` or ``"ignore"``.
    """

    def __init__(self, definitions: Definitions, *, extra: str) -> None:
        self.definitions = definitions
        self.extra = extra

    def build(self, annotation: Any, *, where: str, constraints: Constraints | None = None) -> Node:
        """Return the node for an annotation, or raise ``UnsupportedAnnotationError``."""
        node = self._build(annotation, where, constraints or Constraints())
        c = constraints
        if c is not None and c.extra_schema:
            try:
                import jsonschema
            except ImportError:
                raise UnsupportedAnnotationError(
                    annotation,
                    where=where,
                    reason="JsonSchema({...}) needs the jsonschema package: "
                    "pip install 'apicore-introspect[jsonschema]'",
                ) from None

            schema = {**node.schema(), **c.extra_schema, "$defs": self.definitions.schemas()}
            jsonschema.Draft202012Validator.check_schema(schema)
            return CheckedNode(node, jsonschema.Draft202012Validator(schema))
        return node

    def _build(self, ann: Any, where: str, c: Constraints) -> Node:
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        if origin is typing.Annotated:
            merged = _merge(c, collect_constraints(ann.__metadata__, where=where))
            return self.build(ann.__origin__, where=where, constraints=merged)
        if ann is inspect.Parameter.empty or ann is Any or ann is object:
            return Node(c)
        if isinstance(ann, typing.NewType):
            return self._build(ann.__supertype__, where, c)
        if isinstance(ann, (str, typing.ForwardRef)):
            raise UnsupportedAnnotationError(
                ann, where=where, reason="the forward reference could not be resolved"
            )
        if ann in _SCALARS:
            return _SCALARS[ann](c)
        if ann is UploadFile:
            return FileNode(c)
        if ann in _CONVERTERS:
            schema, parse, code, message = _CONVERTERS[ann]
            return ConvertNode(schema, parse, error_type=code, message=message, constraints=c)
        if origin in _UNION_ORIGINS:
            return UnionNode([self.build(arg, where=where) for arg in args], constraints=c)
        if origin is typing.Literal:
            for value in args:
                if not (
                    value is None or type(value) in (str, int, bool) or isinstance(value, enum.Enum)
                ):
                    reason = f"Literal value {value!r} is not a JSON scalar"
                    raise UnsupportedAnnotationError(ann, where=where, reason=reason)
            return LiteralNode(args, constraints=c)
        if origin is tuple and args and args[1:] != (Ellipsis,):
            items = [self.build(arg, where=f"{where}[{i}]") for i, arg in enumerate(args)]
            return TupleNode(items, constraints=c)
        if ann in _LIST_ORIGINS or origin in _LIST_ORIGINS:
            item = self.build(args[0], where=f"{where}[item]") if args else Node()
            return ListNode(item, _LIST_ORIGINS[origin or ann], constraints=c)
        if ann in _DICT_ORIGINS or origin in _DICT_ORIGINS:
            if args and args[0] not in (str, Any):
                reason = "JSON object keys are strings; use dict[str, T]"
                raise UnsupportedAnnotationError(ann, where=where, reason=reason)
            value = self.build(args[1], where=f"{where}[value]") if args else Node()
            return DictNode(value, constraints=c)
        if isinstance(ann, type):
            return self._named(ann, where, c)
        raise UnsupportedAnnotationError(ann, where=where)

    def _named(self, cls: type, where: str, c: Constraints) -> Node:
        existing = self.definitions.get(cls)
        if existing is not None:
            return _documented(existing, c)
        if issubclass(cls, enum.Enum):
            node: DefinitionNode = self._enum(cls, where)
        elif dataclasses.is_dataclass(cls) or typing.is_typeddict(cls):
            node = self._record(cls, where)
        elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
            node = self._namedtuple(cls, where)
        elif (pydantic := sys.modules.get("pydantic")) and issubclass(cls, pydantic.BaseModel):
            node = self._pydantic(cls)
        else:
            raise UnsupportedAnnotationError(cls, where=where)
        return _documented(node, c)

    def _enum(self, cls: type[enum.Enum], where: str) -> DefinitionNode:
        for member in cls:
            value = member.value
            if not (value is None or type(value) in (str, int, float, bool)):
                raise UnsupportedAnnotationError(
                    cls, where=where, reason=f"member {member.name} has a non-JSON value"
                )
        node = EnumNode(cls, _doc(cls).summary)
        self.definitions.add(cls, node)
        return node

    def _record(self, cls: type, where: str) -> DefinitionNode:
        """A dataclass or a TypedDict, as an ``ObjectNode``."""
        hints = _hints(cls, where)
        fields: list[tuple[str, bool, Any]] = []  # name, required, default
        if dataclasses.is_dataclass(cls):
            for f in dataclasses.fields(cls):
                if f.init:
                    no_default = f.default is dataclasses.MISSING
                    required = no_default and f.default_factory is dataclasses.MISSING
                    fields.append((f.name, required, INVALID if no_default else f.default))
            node = ObjectNode(cls, build=lambda kwargs: cls(**kwargs), extra=self.extra)
        else:
            required_keys: frozenset[str] = getattr(cls, "__required_keys__", frozenset(hints))
            fields = [(name, name in required_keys, INVALID) for name in hints]
            node = ObjectNode(cls, build=lambda kwargs: kwargs, extra=self.extra)
        doc = _doc(cls)
        node.description = doc.summary
        self.definitions.add(cls, node)  # before the fields: recursive types refer to it
        for name, required, default in fields:
            field_node = self.build(hints.get(name, Any), where=f"{where}: {cls.__name__}.{name}")
            node.fields.append(Field(name, field_node, required, doc.params.get(name, ""), default))
        return node

    def _namedtuple(self, cls: type, where: str) -> DefinitionNode:
        hints = _hints(cls, where)
        names: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
        defaults: dict[str, Any] = getattr(cls, "_field_defaults", {})
        placeholder = NamedTupleNode(cls, [], 0, _doc(cls).summary)
        self.definitions.add(cls, placeholder)
        placeholder.items.extend(
            self.build(hints.get(n, Any), where=f"{where}: {cls.__name__}.{n}") for n in names
        )
        placeholder.required = len([n for n in names if n not in defaults])
        return placeholder

    def _pydantic(self, cls: type) -> DefinitionNode:
        from pydantic import ValidationError

        node = PydanticNode(cls, ValidationError)
        self.definitions.add(cls, node)
        self.definitions.add_foreign(node.nested)
        return node


def _merge(outer: Constraints, inner: Constraints) -> Constraints:
    changes = {
        f.name: getattr(outer, f.name)
        for f in dataclasses.fields(outer)
        if getattr(outer, f.name) not in (None, (), {})
    }
    return dataclasses.replace(inner, **changes)


def _documented(node: DefinitionNode, c: Constraints) -> Node:
    # A use site with its own description: same definition, documented reference.
    return _RefWithDocs(node, c) if c.description or c.examples else node


class _RefWithDocs(Node):
    def __init__(self, target: DefinitionNode, constraints: Constraints) -> None:
        super().__init__(constraints)
        self.target = target
        self.json_types = target.json_types

    def schema(self) -> dict[str, Any]:
        return self._with_docs(self.target.schema())

    def decode(self, value: Any, loc: Any, errors: Any) -> Any:
        return self.target.decode(value, loc, errors)

    def from_text(self, text: str, loc: Any, errors: Any) -> Any:
        return self.target.from_text(text, loc, errors)


def _doc(cls: type) -> Docstring:
    # dataclasses synthesise "Name(a: int, ...)" docstrings; enums and TypedDicts inherit
    # generic ones.  Only a docstring written in the class body documents it.
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str):
        return Docstring()
    synthesised = dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "(")
    return Docstring() if synthesised else parse_docstring(doc)


def _hints(cls: type, where: str) -> dict[str, Any]:
    module = sys.modules.get(cls.__module__)
    try:
        return typing.get_type_hints(
            cls, globalns=vars(module) if module else None, include_extras=True
        )
    except (NameError, TypeError) as exc:
        raise UnsupportedAnnotationError(
            cls, where=where, reason=f"its annotations cannot be resolved ({exc})"
        ) from exc
