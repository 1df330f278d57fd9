"""Decoders for JSON values, one node class per kind of annotation.

A node knows its JSON Schema, decodes a JSON value into the annotated Python type while
collecting every failure with its location, parses the text of query and path parameters,
and, where it can, writes a Python expression that checks a value needs no conversion (the
compiled fast path of ``_binder``).
"""

from __future__ import annotations

import base64
import binascii
import math
import operator
import re
from collections.abc import Callable, Sized
from decimal import Decimal
from typing import Any

from apicore_introspect._constraints import Constraints
from apicore_introspect._errors import ErrorDetail, Loc

INVALID: Any = type("_Invalid", (), {"__repr__": lambda self: "<INVALID>"})()
"""Returned by ``decode`` after it appended at least one error."""

Errors = list[ErrorDetail]
Namespace = dict[str, Any]

_JSON_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_type_name(value: object) -> str:
    """The JSON Schema type name of a decoded JSON value (``"integer"``, ``"array"``...).

    By exact type (``True`` is ``"boolean"``); other values give their Python type's name.
    """
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _const(ns: Namespace, value: object) -> str:
    name = f"_c{len(ns)}"
    ns[name] = value
    return name


class Node:
    """Base class: accepts any JSON value unchanged."""

    json_types: frozenset[str] = frozenset(
        {"object", "array", "string", "number", "boolean", "null"}
    )
    fixed_schema: dict[str, Any] = {}  # what schema() documents, unless a subclass computes it

    def __init__(self, constraints: Constraints | None = None) -> None:
        self.constraints = constraints or Constraints()

    def schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the values this node accepts."""
        return self._with_docs(dict(self.fixed_schema))

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        """Turn a decoded JSON value into the annotated type, or return ``INVALID``."""
        return value

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        """Decode the text of a query or path parameter."""
        return self.decode(text, loc, errors)

    def fast(self, var: str, ns: Namespace) -> str | None:
        """A Python expression true when ``var`` is valid and needs no conversion.

        ``None``, the default of subclasses, has the fast path decode ``var`` with the node.
        """
        return "True" if type(self) is Node else None

    def _with_docs(self, schema: dict[str, Any]) -> dict[str, Any]:
        c = self.constraints
        if c.description:
            schema["description"] = c.description
        if c.examples:
            schema["examples"] = list(c.examples)
        schema.update(c.extra_schema)
        return schema


# The numeric bounds: the ``Constraints`` attribute (also the name of its ``operator``
# function), the JSON Schema keyword, the Python operator, and the words and code of its error.
_BOUNDS = (
    ("gt", "exclusiveMinimum", ">", "greater than", "greater_than"),
    ("ge", "minimum", ">=", "greater than or equal to", "greater_than_equal"),
    ("lt", "exclusiveMaximum", "<", "less than", "less_than"),
    ("le", "maximum", "<=", "less than or equal to", "less_than_equal"),
)


class ScalarNode(Node):
    """Shared constraint checks for numbers."""

    def _check_number(self, value: Any, loc: Loc, errors: Errors) -> Any:
        c = self.constraints
        for name, _, _, words, code in _BOUNDS:
            bound = getattr(c, name)
            if bound is not None and not getattr(operator, name)(value, bound):
                errors.append(ErrorDetail(loc, f"Input should be {words} {bound}", code))
                return INVALID
        if c.multiple_of is not None and not _is_multiple(value, c.multiple_of):
            msg = f"Input should be a multiple of {c.multiple_of}"
            errors.append(ErrorDetail(loc, msg, "multiple_of"))
            return INVALID
        return value

    def _number_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        c = self.constraints
        for name, keyword, *_ in _BOUNDS:
            if getattr(c, name) is not None:
                schema[keyword] = getattr(c, name)
        if c.multiple_of is not None:
            schema["multipleOf"] = c.multiple_of
        return self._with_docs(schema)

    def _number_fast(self, var: str, test: str) -> str:
        c = self.constraints
        if c.multiple_of is not None:
            return f"({test} and False)"  # multiples need the exact check of the full path
        parts = [test]
        for name, _, op, *_ in _BOUNDS:
            if getattr(c, name) is not None:
                parts.append(f"{var} {op} {getattr(c, name)!r}")
        return "(" + " and ".join(parts) + ")"


def _is_multiple(value: float | int | Decimal, divisor: float | int) -> bool:
    if isinstance(value, Decimal):
        return value % Decimal(str(divisor)) == 0
    if isinstance(value, int) and isinstance(divisor, int):
        return value % divisor == 0
    quotient = value / divisor
    return math.isfinite(quotient) and abs(quotient - round(quotient)) < 1e-9


class _NumberNode(ScalarNode):
    """The schema, text parsing and fast check shared by ``int`` and ``float``."""

    json_types = frozenset({"number"})
    schema_type = "number"  # the JSON Schema type, also what the error messages call it
    code = "float"  # the error codes' prefix, also the Python type's name
    text: re.Pattern[str]  # the syntax of a query or path value
    parse: Callable[[str], Any]  # turns that text into a number

    def schema(self) -> dict[str, Any]:
        return self._number_schema({"type": self.schema_type})

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        if self.text.fullmatch(text):
            return self.decode(type(self).parse(text), loc, errors)
        msg = f"Input should be a valid {self.schema_type}"
        errors.append(ErrorDetail(loc, msg, f"{self.code}_parsing"))
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return self._number_fast(var, f"type({var}) is {self.code}")


class IntNode(_NumberNode):
    """``int``: JSON integers (and numbers with no fractional part), never booleans."""

    schema_type = "integer"
    code = "int"
    text = re.compile(r"[+-]?\d{1,4300}")
    parse = int

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        kind = type(value)
        if kind is int:
            return self._check_number(value, loc, errors) if self.constraints.numeric else value
        if (kind is float and value.is_integer()) or (
            kind is Decimal and value.is_finite() and value == value.to_integral_value()
        ):
            return self._check_number(int(value), loc, errors)
        errors.append(ErrorDetail(loc, "Input should be a valid integer", "int_type"))
        return INVALID


class FloatNode(_NumberNode):
    """``float``: any JSON number, as a Python float."""

    text = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    parse = float

    def fast(self, var: str, ns: Namespace) -> str | None:
        # ``x - x == 0`` is false for inf (bind_json() can be given it): the full path refuses it
        return self._number_fast(var, f"type({var}) is float and {var} - {var} == 0")

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        kind = type(value)
        if kind is float or kind is int or kind is Decimal:
            number = float(value)
            if not math.isfinite(number):
                errors.append(ErrorDetail(loc, "Input should be a finite number", "finite_number"))
                return INVALID
            return self._check_number(number, loc, errors) if self.constraints.numeric else number
        errors.append(ErrorDetail(loc, "Input should be a valid number", "float_type"))
        return INVALID


class SizedNode(Node):
    """A JSON string, array or object, with optional length bounds."""

    sized_type: type[Sized] = str  # the Python type of the decoded JSON value
    kind = "string"  # its JSON type, as the error messages say it
    type_code = "string_type"
    unit = "characters"  # what its length counts
    length_names = ("minLength", "maxLength")  # the JSON Schema keywords of the bounds

    def _lengths(self, schema: dict[str, Any]) -> dict[str, Any]:
        c = self.constraints
        for keyword, bound in zip(self.length_names, (c.min_length, c.max_length), strict=True):
            if bound is not None:
                schema[keyword] = bound
        return schema

    def _size_error(self, size: int, loc: Loc, errors: Errors) -> bool:
        """Whether ``size`` breaks the length bounds; appends the error if so."""
        c = self.constraints
        if c.min_length is not None and size < c.min_length:
            bound, words, code = c.min_length, "at least", "too_short"
        elif c.max_length is not None and size > c.max_length:
            bound, words, code = c.max_length, "at most", "too_long"
        else:
            return False
        msg = f"{self.kind.capitalize()} should have {words} {bound} {self.unit}"
        errors.append(ErrorDetail(loc, msg, f"string_{code}" if self.kind == "string" else code))
        return True

    def _check_sized(self, value: Any, loc: Loc, errors: Errors) -> bool:
        """Whether ``value`` has the node's type and length; appends the error if not."""
        if type(value) is not self.sized_type:
            msg = f"Input should be a valid {self.kind}"
            errors.append(ErrorDetail(loc, msg, self.type_code))
            return False
        return not (self.constraints.sized and self._size_error(len(value), loc, errors))


class StrNode(SizedNode):
    """``str``, with optional length and pattern constraints."""

    json_types = frozenset({"string"})

    def __init__(self, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        pattern = self.constraints.pattern
        self._regex = re.compile(pattern) if pattern is not None else None

    def schema(self) -> dict[str, Any]:
        schema = self._lengths({"type": "string"})
        if self.constraints.pattern is not None:
            schema["pattern"] = self.constraints.pattern
        return self._with_docs(schema)

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if not self._check_sized(value, loc, errors):
            return INVALID
        if self._regex is not None and self._regex.search(value) is None:
            msg = f"String should match pattern {self.constraints.pattern!r}"
            errors.append(ErrorDetail(loc, msg, "string_pattern_mismatch"))
            return INVALID
        return value

    def fast(self, var: str, ns: Namespace) -> str | None:
        c = self.constraints
        parts = [f"type({var}) is str"]
        if c.min_length is not None:
            parts.append(f"len({var}) >= {c.min_length}")
        if c.max_length is not None:
            parts.append(f"len({var}) <= {c.max_length}")
        if self._regex is not None:
            parts.append(f"{_const(ns, self._regex)}.search({var}) is not None")
        return "(" + " and ".join(parts) + ")"


_BOOL_TEXT = {
    **dict.fromkeys(("true", "1", "yes", "on"), True),
    **dict.fromkeys(("false", "0", "no", "off"), False),
}


class BoolNode(Node):
    """``bool``: JSON ``true``/``false`` only (``1`` is not a boolean)."""

    json_types = frozenset({"boolean"})
    fixed_schema = {"type": "boolean"}

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if value is True or value is False:
            return value
        errors.append(ErrorDetail(loc, "Input should be a valid boolean", "bool_type"))
        return INVALID

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        value = _BOOL_TEXT.get(text.lower())
        if value is not None:
            return value
        msg = "Input should be a valid boolean (true/false, 1/0, yes/no, on/off)"
        errors.append(ErrorDetail(loc, msg, "bool_parsing"))
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return f"({var} is True or {var} is False)"


class NoneNode(Node):
    """``None``: JSON ``null``; in a query string, an empty value or ``null``."""

    json_types = frozenset({"null"})
    fixed_schema = {"type": "null"}

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if value is None:
            return None
        errors.append(ErrorDetail(loc, "Input should be null", "null_type"))
        return INVALID

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        if text in ("", "null"):
            return None
        return self.decode(text, loc, errors)

    def fast(self, var: str, ns: Namespace) -> str | None:
        return f"{var} is None"


_BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class BytesNode(Node):
    """``bytes``: a standard base64 string (RFC 4648, with padding)."""

    json_types = frozenset({"string"})
    fixed_schema = {"type": "string", "contentEncoding": "base64", "pattern": _BASE64_PATTERN}

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if type(value) is str:
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                pass
        errors.append(ErrorDetail(loc, "Input should be a valid base64 string", "base64"))
        return INVALID


class ConvertNode(Node):
    """A JSON string (or number) parsed into a Python value by a converter function.

    It accepts the JSON types its schema names (``type``, or each ``anyOf`` member's).
    """

    def __init__(
        self,
        schema: dict[str, Any],
        parse: Callable[[Any], Any],
        *,
        error_type: str,
        message: str,
        constraints: Constraints | None = None,
    ) -> None:
        super().__init__(constraints)
        self.fixed_schema = schema
        self._parse = parse
        self._error_type = error_type
        self._message = message
        self.json_types = frozenset(s["type"] for s in schema.get("anyOf", [schema]))

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        try:
            return self._parse(value)
        except (ValueError, TypeError, ArithmeticError):  # decimal's errors are arithmetic
            errors.append(ErrorDetail(loc, self._message, self._error_type))
            return INVALID


DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
_DECIMAL_TEXT = re.compile(DECIMAL_PATTERN)


class DecimalNode(ScalarNode):
    """``Decimal``: a JSON number (parsed exactly) or a plain numeric string.

    With bounds (``Range``, ``MultipleOf``) only numbers are accepted: JSON Schema cannot bound
    a numeric string, and the schema must say exactly what is accepted.
    """

    def __init__(self, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        self.json_types = frozenset(
            {"number"} if self.constraints.numeric else {"number", "string"}
        )

    def schema(self) -> dict[str, Any]:
        if self.constraints.numeric:
            return self._number_schema({"type": "number"})
        text = {"type": "string", "pattern": DECIMAL_PATTERN}
        return self._with_docs({"anyOf": [{"type": "number"}, text]})

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        kind = type(value)
        number: Decimal | None = None
        if kind in (Decimal, int, float) or (
            kind is str and not self.constraints.numeric and _DECIMAL_TEXT.match(value)
        ):
            number = Decimal(repr(value) if kind is float else value)  # float: the shortest form
        if number is None or not number.is_finite():
            msg = (
                "Input should be a decimal number"
                if self.constraints.numeric
                else 'Input should be a decimal number or a numeric string such as "1.50"'
            )
            errors.append(ErrorDetail(loc, msg, "decimal_parsing"))
            return INVALID
        return self._check_number(number, loc, errors) if self.constraints.numeric else number

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        # query and path values are text by nature: bounds apply to their value
        if _DECIMAL_TEXT.match(text):
            number = Decimal(text)
            return self._check_number(number, loc, errors) if self.constraints.numeric else number
        errors.append(ErrorDetail(loc, "Input should be a decimal number", "decimal_parsing"))
        return INVALID
