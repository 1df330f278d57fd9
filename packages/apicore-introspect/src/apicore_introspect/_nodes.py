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
import re
from collections.abc import Callable, Sized
from decimal import Decimal, InvalidOperation
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


def size_error(
    c: Constraints, size: int, loc: Loc, errors: Errors, *, unit: str, kind: str
) -> bool:
    """Append an error when ``size`` breaks the length bounds; ``kind`` prefixes the code."""
    if c.min_length is not None and size < c.min_length:
        msg = f"{kind.capitalize()} should have at least {c.min_length} {unit}"
        errors.append(
            ErrorDetail(loc, msg, "string_too_short" if kind == "string" else "too_short")
        )
        return True
    if c.max_length is not None and size > c.max_length:
        msg = f"{kind.capitalize()} should have at most {c.max_length} {unit}"
        errors.append(ErrorDetail(loc, msg, "string_too_long" if kind == "string" else "too_long"))
        return True
    return False


def length_keywords(c: Constraints, low: str, high: str) -> dict[str, int]:
    """The JSON Schema keywords (``minLength``/``minItems``/...) for length bounds."""
    bounds = {low: c.min_length, high: c.max_length}
    return {key: value for key, value in bounds.items() if value is not None}


def _const(ns: Namespace, value: object) -> str:
    name = f"_c{len(ns)}"
    ns[name] = value
    return name


class Node:
    """Base class: accepts any JSON value unchanged."""

    json_types: frozenset[str] = frozenset(
        {"object", "array", "string", "number", "boolean", "null"}
    )

    def __init__(self, constraints: Constraints | None = None) -> None:
        self.constraints = constraints or Constraints()

    def schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the values this node accepts."""
        return self._with_docs({})

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        """Turn a decoded JSON value into the annotated type, or return ``INVALID``."""
        return value

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        """Decode the text of a query or path parameter."""
        return self.decode(text, loc, errors)

    def fast(self, var: str, ns: Namespace) -> str | None:
        """A Python expression true when ``var`` is valid and needs no conversion."""
        return "True"

    def _with_docs(self, schema: dict[str, Any]) -> dict[str, Any]:
        c = self.constraints
        if c.description:
            schema["description"] = c.description
        if c.examples:
            schema["examples"] = list(c.examples)
        schema.update(c.extra_schema)
        return schema


class ScalarNode(Node):
    """Shared constraint checks for numbers and strings."""

    def _check_number(self, value: Any, loc: Loc, errors: Errors) -> Any:
        c = self.constraints
        if c.gt is not None and not value > c.gt:
            errors.append(ErrorDetail(loc, f"Input should be greater than {c.gt}", "greater_than"))
            return INVALID
        if c.ge is not None and not value >= c.ge:
            msg = f"Input should be greater than or equal to {c.ge}"
            errors.append(ErrorDetail(loc, msg, "greater_than_equal"))
            return INVALID
        if c.lt is not None and not value < c.lt:
            errors.append(ErrorDetail(loc, f"Input should be less than {c.lt}", "less_than"))
            return INVALID
        if c.le is not None and not value <= c.le:
            msg = f"Input should be less than or equal to {c.le}"
            errors.append(ErrorDetail(loc, msg, "less_than_equal"))
            return INVALID
        if c.multiple_of is not None and not _is_multiple(value, c.multiple_of):
            msg = f"Input should be a multiple of {c.multiple_of}"
            errors.append(ErrorDetail(loc, msg, "multiple_of"))
            return INVALID
        return value

    def _number_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        c = self.constraints
        for key, bound in (
            ("exclusiveMinimum", c.gt),
            ("minimum", c.ge),
            ("exclusiveMaximum", c.lt),
            ("maximum", c.le),
            ("multipleOf", c.multiple_of),
        ):
            if bound is not None:
                schema[key] = bound
        return self._with_docs(schema)

    def _number_fast(self, var: str, test: str) -> str:
        c = self.constraints
        parts = [test]
        for op, bound in ((">", c.gt), (">=", c.ge), ("<", c.lt), ("<=", c.le)):
            if bound is not None:
                parts.append(f"{var} {op} {bound!r}")
        if c.multiple_of is not None:
            return f"({test} and False)"  # multiples need the exact check of the full path
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
    schema_type = "number"  # the JSON Schema type
    label = "number"  # what the error messages call a valid value
    code = "float"  # the error codes' prefix, also the Python type's name
    text: re.Pattern[str]  # the syntax of a query or path value
    parse: Callable[[str], Any]  # turns that text into a number

    def schema(self) -> dict[str, Any]:
        return self._number_schema({"type": self.schema_type})

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        if self.text.fullmatch(text):
            return self.decode(type(self).parse(text), loc, errors)
        msg = f"Input should be a valid {self.label}"
        errors.append(ErrorDetail(loc, msg, f"{self.code}_parsing"))
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return self._number_fast(var, f"type({var}) is {self.code}")


class IntNode(_NumberNode):
    """``int``: JSON integers (and numbers with no fractional part), never booleans."""

    schema_type = label = "integer"
    code = "int"
    text = re.compile(r"[+-]?\d{1,4300}")
    parse = int

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        kind = type(value)
        if kind is int:
            return self._check_number(value, loc, errors) if self.constraints.numeric else value
        if kind is float and value.is_integer():
            return self._check_number(int(value), loc, errors)
        if kind is Decimal and value.is_finite() and value == value.to_integral_value():
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

    def _sized_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema.update(length_keywords(self.constraints, *self.length_names))
        return self._with_docs(schema)

    def _check_sized(self, value: Any, loc: Loc, errors: Errors) -> bool:
        """Whether ``value`` has the node's type and length; appends the error if not."""
        if type(value) is not self.sized_type:
            msg = f"Input should be a valid {self.kind}"
            errors.append(ErrorDetail(loc, msg, self.type_code))
            return False
        c = self.constraints
        return not (
            c.sized and size_error(c, len(value), loc, errors, unit=self.unit, kind=self.kind)
        )


class StrNode(SizedNode):
    """``str``, with optional length and pattern constraints."""

    json_types = frozenset({"string"})

    def __init__(self, constraints: Constraints | None = None) -> None:
        super().__init__(constraints)
        pattern = self.constraints.pattern
        self._regex = re.compile(pattern) if pattern is not None else None

    def schema(self) -> dict[str, Any]:
        c = self.constraints
        schema: dict[str, Any] = {"type": "string", **length_keywords(c, "minLength", "maxLength")}
        if c.pattern is not None:
            schema["pattern"] = c.pattern
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


_TRUE_TEXT = frozenset({"true", "1", "yes", "on"})
_FALSE_TEXT = frozenset({"false", "0", "no", "off"})


class BoolNode(Node):
    """``bool``: JSON ``true``/``false`` only (``1`` is not a boolean)."""

    json_types = frozenset({"boolean"})

    def schema(self) -> dict[str, Any]:
        return self._with_docs({"type": "boolean"})

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if value is True or value is False:
            return value
        errors.append(ErrorDetail(loc, "Input should be a valid boolean", "bool_type"))
        return INVALID

    def from_text(self, text: str, loc: Loc, errors: Errors) -> Any:
        lowered = text.lower()
        if lowered in _TRUE_TEXT:
            return True
        if lowered in _FALSE_TEXT:
            return False
        msg = "Input should be a valid boolean (true/false, 1/0, yes/no, on/off)"
        errors.append(ErrorDetail(loc, msg, "bool_parsing"))
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return f"({var} is True or {var} is False)"


class NoneNode(Node):
    """``None``: JSON ``null``; in a query string, an empty value or ``null``."""

    json_types = frozenset({"null"})

    def schema(self) -> dict[str, Any]:
        return self._with_docs({"type": "null"})

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

    def schema(self) -> dict[str, Any]:
        return self._with_docs(
            {"type": "string", "contentEncoding": "base64", "pattern": _BASE64_PATTERN}
        )

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if type(value) is str:
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                pass
        errors.append(ErrorDetail(loc, "Input should be a valid base64 string", "base64"))
        return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return None


class ConvertNode(Node):
    """A JSON string (or number) parsed into a Python value by a converter function."""

    json_types = frozenset({"string"})

    def __init__(
        self,
        schema: dict[str, Any],
        parse: Callable[[Any], Any],
        *,
        error_type: str,
        message: str,
        constraints: Constraints | None = None,
        json_types: frozenset[str] = frozenset({"string"}),
    ) -> None:
        super().__init__(constraints)
        self._schema = schema
        self._parse = parse
        self._error_type = error_type
        self._message = message
        self.json_types = json_types

    def schema(self) -> dict[str, Any]:
        return self._with_docs(dict(self._schema))

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        try:
            return self._parse(value)
        except (ValueError, TypeError, ArithmeticError, InvalidOperation):
            errors.append(ErrorDetail(loc, self._message, self._error_type))
            return INVALID

    def fast(self, var: str, ns: Namespace) -> str | None:
        return None


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
        if kind is Decimal:
            number = value
        elif kind is int:
            number = Decimal(value)
        elif kind is float:
            number = Decimal(repr(value))
        elif kind is str and not self.constraints.numeric and _DECIMAL_TEXT.match(value):
            number = Decimal(value)
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

    def fast(self, var: str, ns: Namespace) -> str | None:
        return None
