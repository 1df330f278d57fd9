"""Parameters on the wire: strings to typed values (servers) and back (clients). Pure.

Styles follow OpenAPI 3 (``form``, ``simple``, ``label``, ``matrix``, ``spaceDelimited``,
``pipeDelimited``); Swagger 2.0 ``collectionFormat`` is mapped onto them when the spec is
loaded (``csv`` -> explode false, ``multi`` -> form + explode, ``ssv``/``pipes``/``tsv``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from apicore_introspect import json_type_name

_INT = re.compile(r"^[-+]?\d{1,4000}$", re.ASCII)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$", re.ASCII)
_DELIMITERS = {
    "spaceDelimited": " ",
    "pipeDelimited": "|",
    "tabDelimited": "\t",
}
_COMPOSITION = ("allOf", "anyOf", "oneOf")

Resolver = Callable[[Any], Any]


def types_of(schema: Any, resolve: Resolver, _depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits (through ``$ref`` and composition); empty means any."""
    node = resolve(schema)
    if not isinstance(node, Mapping) or _depth > 16:
        return frozenset()
    kind = node.get("type")
    found: set[str] = set()
    if isinstance(kind, str):
        found.add(kind)
    elif isinstance(kind, list):
        found.update(k for k in kind if isinstance(k, str))
    if node.get("nullable") is True or node.get("x-nullable") is True:
        found.add("null")
    for key in _COMPOSITION:
        for sub in node.get(key) or ():
            found |= types_of(sub, resolve, _depth + 1)
    if not found and "enum" in node and isinstance(node["enum"], list):
        found.update(json_type_name(v) for v in node["enum"])
    return frozenset(found)


def coerce_scalar(raw: str, types: frozenset[str]) -> Any:
    """Turn one wire string into the first type that fits; unchanged if none does.

    Leaving a bad value unchanged lets the schema validator report it (``'abc' is not of type
    'integer'``), so every failure is collected the same way.
    """
    if not types or "string" in types and len(types) == 1:
        return raw
    if "integer" in types and _INT.match(raw):
        return int(raw)
    if "number" in types and _NUMBER.match(raw):
        if _INT.match(raw):
            return int(raw)
        number = float(raw)
        return number if math.isfinite(number) else raw
    if "boolean" in types and raw.lower() in {"true", "false"}:
        return raw.lower() == "true"
    if "null" in types and "string" not in types and raw in {"", "null"}:
        return None
    return raw


def split_array(raws: Sequence[str], *, style: str, explode: bool, location: str) -> list[str]:
    """Split the raw values of an array parameter into its items' raw strings."""
    if location == "query" and explode and style in {"form", *_DELIMITERS}:
        return list(raws)
    if not raws:
        return []
    raw = raws[-1]
    if raw == "":
        return []
    if style == "label":
        raw = raw.removeprefix(".")
        return raw.split("." if explode else ",")
    if style == "matrix":
        parts = [p for p in raw.split(";") if p]
        if explode:
            return [p.partition("=")[2] for p in parts]
        return parts[0].partition("=")[2].split(",") if parts else []
    delimiter = _DELIMITERS.get(style, ",")
    return raw.split(delimiter)


def strip_scalar(raw: str, *, style: str) -> str:
    """Remove the ``label``/``matrix`` prefix of a scalar path value."""
    if style == "label":
        return raw.removeprefix(".")
    if style == "matrix":
        return raw.partition("=")[2]
    return raw


def to_wire(value: Any) -> str:
    """One JSON-able scalar as the string sent in a path, query, header or cookie."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def serialize(
    name: str, value: Any, *, style: str, explode: bool, location: str
) -> list[tuple[str, str]] | str:
    """Serialise a parameter value for the wire.

    Returns:
        For ``query``: the ``(name, value)`` pairs; otherwise the single string.
    """
    # A scalar is serialised as an array of one item.
    items = [to_wire(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    if location == "query":
        if explode and style in {"form", *_DELIMITERS}:
            return [(name, item) for item in items]
        return [(name, _DELIMITERS.get(style, ",").join(items))]
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        if explode:
            return "".join(f";{name}={item}" for item in items)
        return f";{name}=" + ",".join(items)
    return ",".join(items)
