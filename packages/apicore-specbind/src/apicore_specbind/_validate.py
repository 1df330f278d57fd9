"""JSON Schema validation of spec schemas: dialect conversion, formats, compiled validators.

Swagger 2.0 and OpenAPI 3.0 schemas are (mostly) JSON Schema draft 4 plus ``nullable`` /
``x-nullable``; they are rewritten once into plain draft 4 (``nullable`` becomes a ``"null"``
type) and checked with ``Draft4Validator``. OpenAPI 3.1 schemas are JSON Schema 2020-12 and are
checked with ``Draft202012Validator`` as they are. Validators are built once per schema
pointer and reused for every request.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema.protocols

from apicore_introspect import parse_date, parse_datetime
from apicore_specbind._errors import ErrorDetail, Loc
from apicore_specbind._refs import holds_names, is_literal, lookup

_COMPOSITION = ("allOf", "anyOf", "oneOf")
# Literal keyword values in schemas (``examples`` too: a JSON Schema array of values); the
# references walk of _refs keeps ``examples``, whose OpenAPI Example objects may be $refs.
_LITERAL_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


@dataclass(frozen=True, slots=True)
class Format:
    """A string format: how to check it and, optionally, convert it to and from Python.

    Mirrors legacy bravado-core ``SwaggerFormat`` so pymacaron-core can pass those through.

    Attributes:
        name: The ``format`` value in schemas, e.g. ``"date"`` or a custom ``"foo"``.
        validate: Returns False (or raises ``ValueError``/``TypeError``) for a bad value.
        to_python: Converts the wire value to the Python value given to handlers and models.
        to_wire: Converts a Python value back to its JSON value.
        description: Free text for docs.
    """

    name: str
    validate: Callable[[Any], object]
    to_python: Callable[[Any], Any] | None = None
    to_wire: Callable[[Any], Any] | None = None
    description: str = ""


def _is_uuid(value: str) -> bool:
    uuid.UUID(value)
    return True


def _is_base64(value: str) -> bool:
    base64.b64decode(value, validate=True)
    return True


_INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _int_range(name: str) -> Callable[[Any], bool]:
    low, high = _INTEGER_BOUNDS[name]
    return lambda value: not isinstance(value, int) or low <= value <= high


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


BUILTIN_FORMATS: tuple[Format, ...] = (
    # One rule with function-first servers: apicore-introspect's RFC 3339 parsers.
    Format("date-time", parse_datetime, to_python=parse_datetime, to_wire=_iso),
    Format("date", parse_date, to_python=parse_date, to_wire=_iso),
    Format("uuid", _is_uuid),
    Format("byte", _is_base64),
    Format("int32", _int_range("int32")),
    Format("int64", _int_range("int64")),
)


def make_format_checker(formats: Iterable[Format]) -> jsonschema.FormatChecker:
    """Build a format checker knowing the built-in formats plus the user's."""
    checker = jsonschema.FormatChecker(formats=())
    for fmt in formats:
        checker.checks(fmt.name, raises=_FORMAT_ERRORS)(functools.partial(_check_format, fmt))
    return checker


_FORMAT_ERRORS = (ValueError, TypeError, binascii.Error)


def _check_format(fmt: Format, value: Any) -> bool:
    # Formats constrain strings only (JSON Schema): other types pass, ``type`` decides.
    # int32/int64 bound integers instead.
    if not isinstance(value, str) and fmt.name not in _INTEGER_BOUNDS:
        return True
    return fmt.validate(value) is not False


def rewrite_tree(
    node: Any,
    change: Callable[[dict[str, Any]], Any],
    literal: frozenset[str] = _LITERAL_KEYS,
    *,
    names: bool = False,
) -> Any:
    """A copy of a JSON tree with ``change`` applied to each (copied) mapping, leaves first.

    The values of ``literal`` keys (examples, defaults, enums) are copied as they are, except
    in a mapping of names (``names``: the value of ``properties``, ``responses``...), which
    ``change`` also leaves alone.
    """
    if isinstance(node, list):
        return [rewrite_tree(item, change, literal) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {
        key: value
        if is_literal(key, literal, names)
        else rewrite_tree(value, change, literal, names=holds_names(key, names))
        for key, value in node.items()
    }
    return out if names else change(out)


def to_draft4(node: Any) -> Any:
    """Rewrite an OpenAPI 2.0/3.0 document's schemas into plain JSON Schema draft 4."""
    return rewrite_tree(node, _draft4_node)


def _draft4_node(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "file":  # Swagger 2.0 upload: the adapter gives a file object
        del schema["type"]
    if schema.get("nullable") is not True and schema.get("x-nullable") is not True:
        return schema
    schema.pop("nullable", None)
    schema.pop("x-nullable", None)
    if "$ref" in schema:  # draft 4 ignores siblings of $ref: wrap
        return {"anyOf": [{"type": "null"}, {"$ref": schema["$ref"]}]}
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    elif kind is None and any(key in schema for key in _COMPOSITION):
        schema = {"anyOf": [{"type": "null"}, schema]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


class _Recursive(Exception):
    """A reference that cannot be inlined (recursive, unresolvable, with siblings, remote)."""


def _inline(
    node: Any, document: Mapping[str, Any], seen: tuple[str, ...] = (), names: bool = False
) -> Any:
    """A copy of ``node`` with local ``$ref``s replaced by their targets, or ``_Recursive``."""
    if isinstance(node, list):
        return [_inline(item, document, seen) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = None if names else node.get("$ref")
    if ref is not None:
        # a recursive $ref, one with siblings or a non-local one: keep the resolver
        if not isinstance(ref, str) or not ref.startswith("#") or len(node) != 1 or ref in seen:
            raise _Recursive
        try:
            target = lookup(document, ref[1:])
        except KeyError:
            raise _Recursive from None  # let the resolver report it
        return _inline(target, document, (*seen, ref))
    return {
        key: value
        if is_literal(key, _LITERAL_KEYS, names)
        else _inline(value, document, seen, holds_names(key, names))
        for key, value in node.items()
    }


class SchemaValidator:
    """A compiled check for the common case, and jsonschema for complete error reports.

    ``fastjsonschema`` compiles a draft 4 schema into Python code that answers "valid?" in a
    few microseconds; only when it says no does jsonschema run, to report every failure
    with its location. Both use the same format checks. Schemas it cannot compile (draft
    2020-12, recursive references) use jsonschema alone.
    """

    __slots__ = ("_fast", "validator")

    def __init__(
        self, validator: jsonschema.protocols.Validator, fast: Callable[[Any], Any] | None
    ) -> None:
        self.validator = validator
        self._fast = fast

    def iter_errors(self, instance: Any) -> Iterable[jsonschema.ValidationError]:
        """Every failure of ``instance`` (none when it is valid)."""
        return () if passes(self._fast, instance) else self.validator.iter_errors(instance)


def passes(fast: Callable[[Any], Any] | None, instance: Any) -> bool:
    """Whether a compiled ``fastjsonschema`` check (when there is one) accepts ``instance``."""
    if fast is None:
        return False
    try:
        fast(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _compile_fast(schema: Any, checker: jsonschema.FormatChecker) -> Callable[[Any], Any] | None:
    formats = {name: _format_function(check) for name, (check, _) in checker.checkers.items()}
    try:
        return fastjsonschema.compile(
            {
                **rewrite_tree(schema, _integer_format_as_bounds),
                "$schema": "http://json-schema.org/draft-04/schema#",
            },
            formats=formats,
            use_default=False,
            use_formats=True,
        )
    except Exception:
        return None


def _integer_format_as_bounds(out: dict[str, Any]) -> dict[str, Any]:
    # fastjsonschema applies formats to strings only (as JSON Schema says), while the
    # int32/int64 formats bound numbers: say it with minimum/maximum instead.
    fmt = out.get("format")
    bounds = _INTEGER_BOUNDS.get(fmt) if isinstance(fmt, str) else None
    if bounds is not None:
        low, high = bounds
        out["minimum"] = max(out.get("minimum", low), low)
        out["maximum"] = min(out.get("maximum", high), high)
    return out


def _format_function(check: Callable[[Any], object]) -> Callable[[Any], bool]:
    def run(value: Any) -> bool:
        try:
            return check(value) is not False
        except _FORMAT_ERRORS:
            return False

    return run


def _content_key(schema: Any) -> str | None:
    try:
        return json.dumps(schema, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON data (a YAML set?): no sharing
        return None


class ValidatorFactory:
    """Builds (once) and caches a validator per schema pointer of the converted document."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        cls: type[jsonschema.protocols.Validator],
        format_checker: jsonschema.FormatChecker,
    ) -> None:
        self.document = document
        self.cls = cls
        self.format_checker = format_checker
        self._cache: dict[str, SchemaValidator] = {}
        self._by_content: dict[str, SchemaValidator] = {}

    def get(self, ptr: str) -> SchemaValidator:
        """The validator for the schema at ``ptr`` (a JSON pointer into the document)."""
        cached = self._cache.get(ptr)
        if cached is not None:
            return cached
        try:
            # Resolving a $ref costs on every validation: inline the (non-recursive)
            # references once, so the validator never resolves anything at run time.
            root: Any = _inline(lookup(self.document, ptr), self.document)
        except _Recursive:
            # The whole document is the root so "#/definitions/..." resolves (info, paths,
            # ... are no keywords).
            root, recursive = {**self.document, "$ref": "#" + ptr}, True
        else:
            recursive = False
        # Operations repeat schemas (an id parameter, a shared body): compile each once.
        same = None if recursive else _content_key(root)
        cached = self._by_content.get(same) if same is not None else None
        if cached is None:
            fast = None
            if self.cls is jsonschema.Draft4Validator and not recursive:
                fast = _compile_fast(root, self.format_checker)
            cached = SchemaValidator(self.cls(root, format_checker=self.format_checker), fast)
            if same is not None:
                self._by_content[same] = cached
        self._cache[ptr] = cached
        return cached

    def check_schema(self, ptr: str) -> list[str]:
        """Check the schema at ``ptr`` against its dialect's meta-schema; return messages."""
        schema = lookup(self.document, ptr)
        if passes(_fast_meta(self.cls), schema):
            return []
        meta = self.cls(self.cls.META_SCHEMA)
        return [
            f"{'.'.join(str(p) for p in e.absolute_path) or 'schema'}: {e.message}"
            for e in meta.iter_errors(schema)
        ]


@functools.cache
def _fast_meta(cls: type[jsonschema.protocols.Validator]) -> Callable[[Any], Any] | None:
    """The dialect's meta-schema compiled once (the valid case of ``check_schema``)."""
    try:
        if cls is jsonschema.Draft4Validator:
            meta: Any = cls.META_SCHEMA
        elif cls is jsonschema.Draft202012Validator:
            meta = static_2020_12_meta_schema()
        else:  # pragma: no cover - the two dialects specs use
            return None
        return fastjsonschema.compile(meta, use_default=False, use_formats=False)
    except Exception:  # pragma: no cover - jsonschema alone then
        return None


_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/"
_NOT_KEYWORDS = ("$schema", "$id", "$vocabulary", "$dynamicAnchor", "$defs", "title")


def static_2020_12_meta_schema() -> dict[str, Any]:
    """The JSON Schema 2020-12 meta-schema as one draft 7 schema, for ``fastjsonschema``.

    The seven vocabulary meta-schemas are inlined under ``allOf``, their ``$defs`` hoisted
    into ``definitions``, and ``$dynamicRef: "#meta"`` (which, with no dialect extending it,
    means the root) becomes ``$ref: "#"``. The keywords it uses (``type``, ``properties``,
    ``additionalProperties``, ``items``, ``anyOf``, ``enum``, ``minimum``, ``pattern``...)
    mean the same in draft 7. Formats are not checked, as in ``check_schema``.
    """
    from jsonschema_specifications import REGISTRY

    root = REGISTRY[_DRAFT_2020_12 + "schema"].contents
    definitions: dict[str, Any] = {}
    members: list[Any] = []
    for member in root["allOf"]:
        name = str(member["$ref"]).rsplit("/", 1)[-1]
        vocabulary = REGISTRY[_DRAFT_2020_12 + "meta/" + name].contents
        for key, value in (vocabulary.get("$defs") or {}).items():
            definitions[f"{name}-{key}"] = _static(value, name)
        members.append(
            _static({k: v for k, v in vocabulary.items() if k not in _NOT_KEYWORDS}, name)
        )
    own = {k: v for k, v in root.items() if k in ("type", "properties")}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": definitions,
        "allOf": members,
        **_static(own, "schema"),
    }


def _static(node: Any, vocabulary: str) -> Any:
    return rewrite_tree(node, functools.partial(_static_ref, vocabulary), frozenset())


def _static_ref(vocabulary: str, out: dict[str, Any]) -> dict[str, Any]:
    if out.get("$dynamicRef") == "#meta":
        del out["$dynamicRef"]
        ref = "#"
    elif isinstance(out.get("$ref"), str):
        value = out.pop("$ref")
        where, _, fragment = value.partition("#")
        owner = where.rsplit("/", 1)[-1] if where else vocabulary
        if not fragment.startswith("/$defs/"):
            raise ValueError(f"unexpected reference {value!r} in the 2020-12 meta-schema")
        ref = f"#/definitions/{owner}-{fragment.removeprefix('/$defs/')}"
    else:
        return out
    # draft 7 ignores the siblings of $ref: keep them beside it under allOf
    return {"$ref": ref} if not out else {"allOf": [{"$ref": ref}], **out}


def errors_of(validator: SchemaValidator, instance: Any, loc: Loc) -> list[ErrorDetail]:
    """Validate ``instance`` and translate every failure into an ``ErrorDetail`` under ``loc``."""
    details = _translate(validator.iter_errors(instance), loc)
    details.sort(key=lambda d: [str(p) for p in d.loc])
    return details


def _translate(errors: Iterable[jsonschema.ValidationError], loc: Loc) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    for error in errors:
        path: Loc = (*loc, *error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required" and isinstance(error.instance, Mapping):
            wanted: Any = error.validator_value
            missing = [
                name
                for name in wanted
                if name not in error.instance and f"{name!r} is a required" in error.message
            ]
            for name in missing or ["?"]:
                details.append(ErrorDetail((*path, name), "Field required", "missing"))
            continue
        if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
            extras = _extra_keys(error.schema, error.instance)
            if extras:
                details.extend(
                    ErrorDetail((*path, k), "Extra property not allowed", "extra_forbidden")
                    for k in extras
                )
                continue
        if keyword in {"anyOf", "oneOf"} and error.context:
            # A nullable wrapper ({"type": "null"} | schema) on a non-null value: report what
            # is wrong inside the one real alternative, at its precise location.
            real = [
                e
                for e in error.context
                if not (e.validator == "type" and e.validator_value == "null")
            ]
            branches = {e.relative_schema_path[0] for e in real if e.relative_schema_path}
            if real and len(branches) == 1:
                details.extend(_translate(real, loc))
                continue
        details.append(ErrorDetail(path, _short(error.message), keyword))
    return details


def _extra_keys(schema: Any, instance: Mapping[str, Any]) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    props = schema.get("properties") or {}
    patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
    return [k for k in instance if k not in props and not any(p.search(k) for p in patterns)]


def _short(message: str, limit: int = 300) -> str:
    # Messages echo the instance; keep problem documents small.
    return message if len(message) <= limit else message[: limit - 3] + "..."
