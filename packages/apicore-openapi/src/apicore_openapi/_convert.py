"""JSON Schema 2020-12 (OpenAPI 3.1) -> OpenAPI 3.0 Schema Objects, and ``$ref`` rewriting.

The document is built once in 3.1 form; ``to_openapi_30`` is a real conversion of every
Schema Object in it, not a relabelled version string. Both forms are written so that the
mainstream tools (openapi-spec-validator, Redocly, Spectral, openapi-python-client) accept
them: closed tuples carry an ``items`` schema rather than ``items: false``, an ``enum`` or
``const`` carries its ``type``, and in 3.0 ``nullable`` always stands beside a ``type``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_DEFS = "#/$defs/"
COMPONENTS = "#/components/schemas/"

# Keywords a 3.0 Schema Object may carry (OpenAPI 3.0.3, 4.7.24.1); others are dropped.
_KEYWORDS_30 = frozenset(
    {
        "title",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "required",
        "enum",
        "type",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "items",
        "properties",
        "additionalProperties",
        "description",
        "format",
        "default",
        "nullable",
        "discriminator",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "example",
        "deprecated",
        "$ref",
    }
)
_NULL = {"type": "null"}
#: Null in OpenAPI 3.0, which has no "null" type: ``nullable`` needs a ``type`` beside it, and
#: ``enum: [null]`` keeps every other value of that type out (OpenAPI 3.0.3, 4.7.24.1).
_NULL_30: dict[str, Any] = {"type": "string", "nullable": True, "enum": [None]}
#: Keywords whose value is one subschema, a list of them, or a map of names to them.
_ONE_SCHEMA = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def rewrite_refs(value: Any) -> Any:
    """A copy of ``value`` whose ``#/$defs/X`` references point to ``#/components/schemas/X``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(_DEFS):
                out[key] = COMPONENTS + item.removeprefix(_DEFS)
            else:
                out[key] = rewrite_refs(item)
        return out
    if isinstance(value, list):
        return [rewrite_refs(item) for item in value]
    return value


def schema_31(schema: Any) -> Any:
    """One JSON Schema 2020-12 schema in the form OpenAPI 3.1 tools accept (a new schema).

    The meaning is unchanged: a closed tuple (``prefixItems`` with ``items: false``) gets
    ``maxItems`` and, as ``items``, the union of its members, which never applies beyond
    ``maxItems`` but gives generators and linters the array's item type; an array without
    ``items`` gets ``items: {}``; an ``enum`` or ``const`` whose values share one JSON type
    gets that ``type``.
    """
    if not isinstance(schema, dict):
        return schema
    s: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ONE_SCHEMA:
            s[key] = schema_31(value)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            s[key] = [schema_31(sub) for sub in value]
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            s[key] = {name: schema_31(sub) for name, sub in value.items()}
        else:
            s[key] = value
    prefix = s.get("prefixItems")
    if isinstance(prefix, list) and prefix:
        if s.get("items", True) is False:
            s.setdefault("maxItems", len(prefix))
            unique = [o for i, o in enumerate(prefix) if o not in prefix[:i]]
            s["items"] = unique[0] if len(unique) == 1 else {"anyOf": unique}
        elif "items" not in s:
            s["items"] = {}
    kind = s.get("type")
    if (kind == "array" or (isinstance(kind, list) and "array" in kind)) and "items" not in s:
        s["items"] = {}
    if "type" not in s:
        inferred = _enum_type(s)
        if inferred is not None:
            named, with_null = inferred
            s["type"] = [named, "null"] if with_null else named
    return s


def _enum_type(schema: dict[str, Any]) -> tuple[str, bool] | None:
    """The JSON type every value of ``enum``/``const`` has, and whether null is listed too."""
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    else:
        return None
    names = {_json_type(value) for value in values if value is not None}
    if names == {"integer", "number"}:
        names = {"number"}
    if len(names) != 1:
        return None
    return names.pop(), None in values


_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
)


def _json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "object")


def schema_30(schema: Any) -> dict[str, Any]:
    """Convert one JSON Schema 2020-12 schema to an OpenAPI 3.0 Schema Object."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        raise TypeError(f"a schema must be a dict or a bool, not {type(schema).__name__}")
    s: dict[str, Any] = dict(schema)
    s.pop("$defs", None)
    s.pop("$schema", None)
    nullable = False

    for key in ("anyOf", "oneOf"):
        branches = s.get(key)
        if isinstance(branches, list) and _NULL in branches:
            # "X or null": drop the null branch, mark nullable, then convert the rest.
            rest = [b for b in branches if b != _NULL]
            del s[key]
            if len(rest) == 1 and not (set(rest[0]) & set(s) - {"description", "title"}):
                only = rest[0]
                if "$ref" in only:
                    merged = {**s, "allOf": [only, *s.get("allOf", [])]}
                else:
                    merged = {**only, **s}
            else:
                merged = {**s, key: rest} if rest else {**s, "enum": [None]}
            return _nullable_30(schema_30(merged))

    if "const" in s:
        s.setdefault("enum", [s["const"]])
        del s["const"]
    if isinstance(s.get("enum"), list) and None in s["enum"]:
        # 3.0.3: nullable does not extend an enum, so null stays listed as well.
        nullable = True
    if "type" not in s:
        inferred = _enum_type(s)
        if inferred is not None:
            s["type"] = inferred[0]
    if "examples" in s:
        examples = s.pop("examples")
        if isinstance(examples, list) and examples:
            s.setdefault("example", examples[0])
    if s.pop("contentEncoding", None) == "base64":
        s.setdefault("format", "byte")
    s.pop("contentMediaType", None)
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = s.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            s[plain] = value
            s[bound] = True

    kind = s.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        nullable = nullable or len(kinds) != len(kind)
        if len(kinds) == 1:
            s["type"] = kinds[0]
        elif not kinds:
            del s["type"]
            s.setdefault("enum", [None])
        else:
            del s["type"]
            s["anyOf"] = [{"type": k} for k in kinds] + list(s.get("anyOf", []))
    if s.get("type") == "null":
        del s["type"]
        s["enum"] = [None]
        nullable = True

    if "prefixItems" in s:
        prefix = s.pop("prefixItems")
        rest_items = s.get("items", False)
        if s.get("maxItems") == len(prefix):
            rest_items = False  # a closed tuple: ``items`` (schema_31's union) never applies
        options = list(prefix) + ([] if rest_items is False else [rest_items])
        unique = [o for i, o in enumerate(options) if o not in options[:i]]
        s["items"] = unique[0] if len(unique) == 1 else {"anyOf": unique}
        if rest_items is False:
            s.setdefault("maxItems", len(prefix))
    if "patternProperties" in s and "additionalProperties" not in s:
        patterns = list(s["patternProperties"].values())
        s["additionalProperties"] = patterns[0] if len(patterns) == 1 else {"anyOf": patterns}
    if s.get("type") == "array" and "items" not in s:
        s["items"] = {}  # 3.0 requires items on arrays

    out: dict[str, Any] = {}
    for key, value in s.items():
        if key not in _KEYWORDS_30 and not key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: schema_30(sub) for name, sub in value.items()}
        elif key in ("items", "not"):
            out[key] = schema_30(value)
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else schema_30(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [schema_30(sub) for sub in value]
        else:
            out[key] = value
    if "$ref" in out and len(out) > 1:
        # 3.0 ignores everything beside $ref; keep the siblings by wrapping the reference.
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
    return _nullable_30(out) if nullable else out


def _nullable_30(out: dict[str, Any]) -> dict[str, Any]:
    """``out`` admitting null too, in a form 3.0 validators, linters and generators accept.

    ``nullable`` counts only beside a ``type`` (OpenAPI 3.0.3): a typed schema gets it; an
    enum of null alone gets a type; a composition (``anyOf``/``oneOf``, or the ``allOf`` that
    wraps a ``$ref``) gets a null branch; an untyped schema already admits null.
    """
    out = dict(out)
    out.pop("nullable", None)
    if "type" in out:
        out["nullable"] = True
        return out
    if out.get("enum") == [None]:
        return {**out, **_NULL_30}
    if "$ref" in out:
        return {"anyOf": [out, dict(_NULL_30)]}
    for key in ("anyOf", "oneOf"):
        if key in out and "allOf" not in out:
            out[key] = [*out[key], dict(_NULL_30)]
            return out
    if "allOf" in out:
        inner = {k: out.pop(k) for k in ("allOf", "anyOf", "oneOf") if k in out}
        only = inner.keys() == {"allOf"} and len(inner["allOf"]) == 1
        return {**out, "anyOf": [inner["allOf"][0] if only else inner, dict(_NULL_30)]}
    return out


def to_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """Convert a built OpenAPI 3.1.0 document to 3.0.3 (returns a new document)."""
    doc = _map_schemas(document, schema_30)
    doc["openapi"] = "3.0.3"
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for path_item in _path_items(doc.get("paths", {}).values()):
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("security"):
                # 3.0 allows role lists only for OAuth2 / OpenID Connect schemes.
                operation["security"] = [
                    {
                        name: scopes if _scoped(schemes.get(name)) else []
                        for name, scopes in r.items()
                    }
                    for r in operation["security"]
                ]
    return doc


def document_31(document: dict[str, Any]) -> dict[str, Any]:
    """A built OpenAPI 3.1.0 document with every schema in ``schema_31``'s form (a new one)."""
    return _map_schemas(document, schema_31)


def _map_schemas(document: dict[str, Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of ``document`` with every Schema Object replaced by ``convert(schema)``."""
    # A JSON round trip copies and also unshares objects (no YAML aliases later).
    doc: dict[str, Any] = json.loads(json.dumps(document))
    components = doc.get("components", {})
    if "schemas" in components:
        components["schemas"] = {k: convert(v) for k, v in components["schemas"].items()}
    for kind in ("parameters", "headers"):
        for parameter in components.get(kind, {}).values():
            _parameter(parameter, convert)
    for response in components.get("responses", {}).values():
        _response(response, convert)
    for body in components.get("requestBodies", {}).values():
        _content(body.get("content", {}), convert)
    for path_item in _path_items(doc.get("paths", {}).values()):
        for key, operation in path_item.items():
            if key == "parameters" and isinstance(operation, list):
                for parameter in operation:
                    _parameter(parameter, convert)
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _parameter(parameter, convert)
            if operation.get("requestBody"):
                _content(operation["requestBody"].get("content", {}), convert)
            for response in operation.get("responses", {}).values():
                _response(response, convert)
    return doc


def _path_items(path_items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each of ``path_items``, then the Path Items of its operations' callbacks."""
    for path_item in path_items:
        yield path_item
        for operation in path_item.values():
            if isinstance(operation, dict):
                for callback in operation.get("callbacks", {}).values():
                    yield from _path_items(callback.values())


def _scoped(scheme: Any) -> bool:
    return isinstance(scheme, dict) and scheme.get("type") in ("oauth2", "openIdConnect")


def _parameter(parameter: dict[str, Any], convert: Callable[[Any], Any]) -> None:
    if "schema" in parameter:
        parameter["schema"] = convert(parameter["schema"])
    if "content" in parameter:
        _content(parameter["content"], convert)


def _response(response: dict[str, Any], convert: Callable[[Any], Any]) -> None:
    _content(response.get("content", {}), convert)
    for header in response.get("headers", {}).values():
        _parameter(header, convert)


def _content(content: dict[str, Any], convert: Callable[[Any], Any]) -> None:
    for media in content.values():
        if "schema" in media:
            media["schema"] = convert(media["schema"])
