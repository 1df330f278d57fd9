"""Decoders for composite annotations: collections, unions, literals, enums and records."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any

from apicore_introspect._constraints import Constraints
from apicore_introspect._errors import ErrorDetail, Loc
from apicore_introspect._nodes import (
    INVALID,
    Errors,
    Namespace,
    Node,
    SizedNode,
    _const,
    json_type_name,
)
from apicore_introspect.frozen import frozen

ExtraPolicy = str  # "forbid" | "ignore"


def _all_fast(
    var: str, ns: Namespace, item: Node, kind: type, suffix: str, each: str
) -> str | None:
    """The fast check of a ``list`` or ``dict`` whose every item passes ``item``'s check."""
    inner_var = var + suffix
    inner = item.fast(inner_var, ns)
    if inner is None:
        return None
    test = f"type({var}) is {kind.__name__}"
    if inner == "True":
        return test
    return f"({test} and all({inner} for {inner_var} in {each.format(var)}))"


class JsonTextNode(Node):
    """A node whose query or path parameter holds JSON text (objects, tuples, checked values)."""

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        try:
            value = json.loads(text)
        except ValueError:
            msg = "Input should be JSON text for this parameter"
            errors.append(ErrorDetail(loc, msg, "json_invalid"))
            return INVALID
        return self.decode(value, loc, errors)


class ListNode(SizedNode):
    """``list[T]``, ``set[T]``, ``frozenset[T]`` and ``tuple[T, ...]``: a JSON array."""

    json_types = frozenset({"array"})
    sized_type, kind, type_code, unit = list, "array", "list_type", "items"
    length_names = ("minItems", "maxItems")

    def __init__(
        self, item: Node, factory: type, *, constraints: Constraints | None = None
    ) -> None:
        super().__init__(constraints)
        self.item = item
        self.factory = factory
        self.unique = factory in (set, frozenset)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.unique:
            schema["uniqueItems"] = True
        return self._with_docs(self._lengths(schema))

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if not self._check_sized(value, loc, errors):
            return INVALID
        before = len(errors)
        decode = self.item.decode
        items = [decode(item, (*loc, i), errors) for i, item in enumerate(value)]
        return INVALID if len(errors) != before else self._collect(items, loc, errors)

    def from_texts(self, texts: list[str], loc: Loc, errors: Errors) -> Any:
        """Decode a repeated query parameter (``?tag=a&tag=b``)."""
        before = len(errors)
        items = [self.item.from_text(text, (*loc, i), errors) for i, text in enumerate(texts)]
        if len(errors) != before or (
            self.constraints.sized and self._size_error(len(items), loc, errors)
        ):
            return INVALID
        return self._collect(items, loc, errors)

    def _collect(self, items: list[Any], loc: Loc, errors: Errors) -> Any:
        # Decoded items as the annotated collection: hashable, and unique for a set.
        if self.factory is list:
            return items
        try:
            result = self.factory(items)
        except TypeError:
            errors.append(ErrorDetail(loc, "Array items should be hashable", "unhashable"))
            return INVALID
        if self.unique and len(result) != len(items):
            errors.append(ErrorDetail(loc, "Array items should be unique", "unique_items"))
            return INVALID
        return result

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        return self.from_texts([text], loc, errors)

    def fast(self, var: str, ns: Namespace) -> str | None:
        if self.factory is not list or self.constraints.sized:
            return None
        return _all_fast(var, ns, self.item, list, "_i", "{}")


class TupleNode(JsonTextNode):
    """``tuple[X, Y]``: a JSON array of exactly these items."""

    json_types = frozenset({"array"})

    def __init__(self, items: list[Node], *, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        self.items = items
        self.required = len(items)
        self.make: Callable[[list[Any]], Any] = tuple

    def _array_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array"}
        if self.items:
            schema["prefixItems"] = [item.schema() for item in self.items]
        schema["items"] = False
        schema["minItems"] = self.required
        schema["maxItems"] = len(self.items)
        return schema

    def schema(self) -> dict[str, Any]:
        return self._with_docs(self._array_schema())

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if type(value) is not list:
            errors.append(ErrorDetail(loc, "Input should be a valid array", "tuple_type"))
            return INVALID
        if not self.required <= len(value) <= len(self.items):
            if self.required == len(self.items):
                msg = f"Array should have exactly {len(self.items)} items"
            else:
                msg = f"Array should have {self.required} to {len(self.items)} items"
            errors.append(ErrorDetail(loc, msg, "tuple_length"))
            return INVALID
        before = len(errors)
        items = [
            node.decode(v, (*loc, i), errors)
            for i, (node, v) in enumerate(zip(self.items, value, strict=False))
        ]
        return INVALID if len(errors) != before else self.make(items)


class DictNode(SizedNode, JsonTextNode):
    """``dict[str, T]``: a JSON object with arbitrary keys."""

    json_types = frozenset({"object"})
    sized_type, kind, type_code, unit = dict, "object", "dict_type", "properties"
    length_names = ("minProperties", "maxProperties")

    def __init__(self, value: Node, *, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        self.value = value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        value_schema = self.value.schema()
        if value_schema:
            schema["additionalProperties"] = value_schema
        return self._with_docs(self._lengths(schema))

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if not self._check_sized(value, loc, errors):
            return INVALID
        before = len(errors)
        decode = self.value.decode
        result = {key: decode(item, (*loc, key), errors) for key, item in value.items()}
        return INVALID if len(errors) != before else result

    def fast(self, var: str, ns: Namespace) -> str | None:
        if self.constraints.sized:
            return None
        return _all_fast(var, ns, self.value, dict, "_v", "{}.values()")


class UnionNode(Node):
    """``X | Y`` and ``Optional[X]``: the first member that accepts the value."""

    def __init__(self, members: list[Node], *, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        self.members = members
        self.json_types = frozenset().union(*(m.json_types for m in members))

    def schema(self) -> dict[str, Any]:
        return self._with_docs({"anyOf": [m.schema() for m in self.members]})

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        kind = _json_kind(value)
        candidates = [m for m in self.members if kind in m.json_types]
        if len(candidates) == 1:
            return candidates[0].decode(value, loc, errors)
        best: Errors | None = None
        for member in candidates:
            attempt: Errors = []
            result = member.decode(value, loc, attempt)
            if not attempt:
                return result
            if best is None or len(attempt) < len(best):
                best = attempt
        if best is not None:
            errors.extend(best)
        else:
            allowed = ", ".join(sorted(self.json_types))
            msg = f"Input should be one of: {allowed} (got {json_type_name(value)})"
            errors.append(ErrorDetail(loc, msg, "union_type"))
        return INVALID

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        best: Errors | None = None
        ordered = sorted(self.members, key=lambda m: "null" not in m.json_types)
        for member in ordered:
            attempt: Errors = []
            result = member.from_text(text, loc, attempt)
            if not attempt:
                return result
            if best is None:
                best = attempt
        errors.extend(best or [ErrorDetail(loc, "Input matches no allowed type", "union_type")])
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        parts = [m.fast(var, ns) for m in self.members]
        if any(p is None for p in parts):
            return None
        return "(" + " or ".join(p for p in parts if p is not None) + ")"


def _json_kind(value: Any) -> str:
    name = json_type_name(value)
    return "number" if name == "integer" or type(value).__name__ == "Decimal" else name


class _ChoiceNode(Node):
    """One of given JSON scalars, matched by type and value (``True`` is not ``1``)."""

    code = "literal_error"

    def _choose(self, values: list[Any], choices: tuple[Any, ...]) -> None:
        self._json = values
        self._lookup = {(type(j), j): v for j, v in zip(values, choices, strict=True)}
        self.json_types = frozenset(_json_kind(j) for j in values)

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        try:
            return self._lookup[(type(value), value)]
        except (KeyError, TypeError):
            allowed = ", ".join(json.dumps(j) for j in self._json)
            errors.append(ErrorDetail(loc, f"Input should be {allowed}", self.code))
            return INVALID


class LiteralNode(_ChoiceNode):
    """``Literal["a", "b", 1]``: one of the given values."""

    def __init__(self, values: tuple[Any, ...], *, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        self.values = values
        self._choose([v.value if isinstance(v, enum.Enum) else v for v in values], values)

    def schema(self) -> dict[str, Any]:
        if len(self._json) == 1:
            return self._with_docs({"const": self._json[0]})
        return self._with_docs({"enum": list(self._json)})

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        for j, v in zip(self._json, self.values, strict=True):
            if (j if isinstance(j, str) else json.dumps(j)) == text:
                return v
        return self.decode(text, loc, errors)

    def fast(self, var: str, ns: Namespace) -> str | None:
        if any(isinstance(v, enum.Enum) for v in self.values):
            return None
        # the type test first: (type, value) of a list or dict is unhashable
        types = _const(ns, frozenset(t for t, _ in self._lookup))
        lookup = _const(ns, frozenset(self._lookup))
        return f"(type({var}) in {types} and (type({var}), {var}) in {lookup})"


class DefinitionNode(Node):
    """A named type with an entry under ``$defs``; its use site is a ``$ref``."""

    name: str = ""

    def schema(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"$ref": f"#/$defs/{self.name}"}
        return self._with_docs(ref)

    def definition(self) -> dict[str, Any]:
        """The schema stored under ``$defs``."""
        raise NotImplementedError


class EnumNode(DefinitionNode, _ChoiceNode):
    """An ``Enum`` whose values are JSON scalars; decodes to the member."""

    code = "enum"

    def __init__(self, cls: type[enum.Enum], description: str) -> None:
        super().__init__()
        self.cls = cls
        self.description = description
        self._choose([m.value for m in cls], tuple(cls))

    def definition(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"title": self.cls.__name__}
        if self.description:
            schema["description"] = self.description
        kinds = {json_type_name(v) for v in self._json}
        if len(kinds) == 1:
            schema["type"] = kinds.pop()
        schema["enum"] = list(self._json)
        return schema

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        for member in self.cls:
            if str(member.value) == text or json.dumps(member.value) == text:
                return member
        return self.decode(text, loc, errors)


@frozen
class Field:
    """One field of a record type (dataclass, TypedDict) or one function parameter."""

    name: str
    node: Node
    required: bool
    description: str = ""
    default: Any = INVALID


class ObjectNode(DefinitionNode, JsonTextNode):
    """A dataclass or a TypedDict: a JSON object with known properties."""

    json_types = frozenset({"object"})

    def __init__(
        self,
        cls: type,
        *,
        build: Callable[[dict[str, Any]], Any],
        extra: ExtraPolicy,
    ) -> None:
        super().__init__()
        self.cls = cls
        self.build = build
        self.extra = extra
        self.description = ""
        self.fields: list[Field] = []

    def definition(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"title": self.cls.__name__, "type": "object"}
        if self.description:
            schema["description"] = self.description
        properties = {}
        for f in self.fields:
            prop = f.node.schema()
            if f.description and "description" not in prop:
                prop = {**prop, "description": f.description}
            if f.default is None or type(f.default) in (str, int, float, bool):  # never INVALID
                prop = {**prop, "default": f.default}
            properties[f.name] = prop
        schema["properties"] = properties
        required = [f.name for f in self.fields if f.required]
        if required:
            schema["required"] = required
        if self.extra == "forbid":
            schema["additionalProperties"] = False
        return schema

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if type(value) is not dict:
            errors.append(ErrorDetail(loc, "Input should be a valid object", "dict_type"))
            return INVALID
        before = len(errors)
        kwargs: dict[str, Any] = {}
        for f in self.fields:
            if f.name in value:
                kwargs[f.name] = f.node.decode(value[f.name], (*loc, f.name), errors)
            elif f.required:
                errors.append(ErrorDetail((*loc, f.name), "Field required", "missing"))
        if self.extra == "forbid" and len(value) > len(kwargs):
            known = {f.name for f in self.fields}
            for key in value:
                if key not in known:
                    msg = "Unknown field; remove it"
                    errors.append(ErrorDetail((*loc, key), msg, "extra_forbidden"))
        if len(errors) != before:
            return INVALID
        try:
            return self.build(kwargs)
        except (ValueError, AssertionError) as exc:
            errors.append(ErrorDetail(loc, str(exc) or type(exc).__name__, "value_error"))
            return INVALID


class NamedTupleNode(DefinitionNode, TupleNode):
    """A ``NamedTuple``: a JSON array of its fields, in order."""

    def __init__(self, cls: type, items: list[Node], required: int, description: str) -> None:
        TupleNode.__init__(self, items)
        self.cls = cls
        self.make = lambda items: cls(*items)
        self.required = required
        self.description = description

    def definition(self) -> dict[str, Any]:
        schema = {"title": self.cls.__name__, **self._array_schema()}
        if self.description:
            schema["description"] = self.description
        return schema


class CheckedNode(JsonTextNode):
    """Any node plus extra JSON Schema keywords checked with ``jsonschema``."""

    def __init__(self, inner: Node, validator: Any) -> None:
        super().__init__()
        self.inner = inner
        self.validator = validator
        self.json_types = inner.json_types

    def schema(self) -> dict[str, Any]:
        return self.inner.schema()

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        found = False
        for error in self.validator.iter_errors(value):
            found = True
            where = (*loc, *error.absolute_path)
            errors.append(ErrorDetail(where, error.message, f"json_schema_{error.validator}"))
        return INVALID if found else self.inner.decode(value, loc, errors)


class PydanticNode(DefinitionNode, JsonTextNode):
    """A pydantic model (only when pydantic is installed)."""

    json_types = frozenset({"object"})

    def __init__(self, cls: Any, validation_error: type[Exception]) -> None:
        super().__init__()
        self.cls = cls
        self.validation_error = validation_error
        schema = cls.model_json_schema(ref_template="#/$defs/{model}")
        self.nested: dict[str, Any] = schema.pop("$defs", {})
        self._definition = schema

    def definition(self) -> dict[str, Any]:
        return dict(self._definition)

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        try:
            return self.cls.model_validate(value)
        except self.validation_error as exc:
            for error in exc.errors():  # type: ignore[attr-defined]
                where = (*loc, *error["loc"])
                errors.append(ErrorDetail(where, error["msg"], error["type"]))
            return INVALID
