"""JSON Schema 2020-12 (OpenAPI 3.1) -> OpenAPI 3.0 Schema Objects, and ``$ref`` rewriting.

The document is built once in 3.1 form; ``to_openapi_30`` is a real conversion of every
Schema Object in it, not a relabelled version string.
"""

from __future__ import annotations

import json
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
            converted = schema_30(merged)
            converted["nullable"] = True
            return converted

    if "const" in s:
        s.setdefault("enum", [s["const"]])
        del s["const"]
    if isinstance(s.get("enum"), list) and None in s["enum"]:
        # 3.0.3: nullable does not extend an enum, so null stays listed as well.
        nullable = True
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
        if key in ("properties",):
            out[key] = {name: schema_30(sub) for name, sub in value.items()}
        elif key in ("items", "not"):
            out[key] = schema_30(value)
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else schema_30(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [schema_30(sub) for sub in value]
        else:
            out[key] = value
    if nullable:
        out["nullable"] = True
    if "$ref" in out and len(out) > 1:
        # 3.0 ignores everything beside $ref; keep the siblings by wrapping the reference.
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
    if out.get("nullable") and "type" not in out and "allOf" not in out and "anyOf" not in out:
        if "oneOf" not in out and "enum" not in out:
            out.pop("nullable")  # an untyped schema already admits null
    return out


def to_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """Convert a built OpenAPI 3.1.0 document to 3.0.3 (returns a new document)."""
    # A JSON round trip copies and also unshares objects (no YAML aliases later).
    doc: dict[str, Any] = json.loads(json.dumps(document))
    doc["openapi"] = "3.0.3"
    components = doc.get("components", {})
    schemes = components.get("securitySchemes", {})
    if "schemas" in components:
        components["schemas"] = {k: schema_30(v) for k, v in components["schemas"].items()}
    for path_item in doc.get("paths", {}).values():
        _path_item_30(path_item, schemes)
    for response in components.get("responses", {}).values():
        _response_30(response)
    return doc


def _path_item_30(path_item: dict[str, Any], schemes: dict[str, Any]) -> None:
    for operation in path_item.values():
        if not isinstance(operation, dict):
            continue
        for parameter in operation.get("parameters", []):
            _parameter_30(parameter)
        body = operation.get("requestBody")
        if body:
            _content_30(body.get("content", {}))
        for response in operation.get("responses", {}).values():
            _response_30(response)
        security = operation.get("security")
        if security:
            # 3.0 allows role lists only for OAuth2 / OpenID Connect schemes.
            operation["security"] = [
                {
                    name: (scopes if _scoped(schemes.get(name)) else [])
                    for name, scopes in req.items()
                }
                for req in security
            ]
        for callback in operation.get("callbacks", {}).values():
            for item in callback.values():
                _path_item_30(item, schemes)


def _scoped(scheme: Any) -> bool:
    return isinstance(scheme, dict) and scheme.get("type") in ("oauth2", "openIdConnect")


def _parameter_30(parameter: dict[str, Any]) -> None:
    if "schema" in parameter:
        parameter["schema"] = schema_30(parameter["schema"])
    if "content" in parameter:
        _content_30(parameter["content"])


def _response_30(response: dict[str, Any]) -> None:
    _content_30(response.get("content", {}))
    for header in response.get("headers", {}).values():
        _parameter_30(header)


def _content_30(content: dict[str, Any]) -> None:
    for media in content.values():
        if "schema" in media:
            media["schema"] = schema_30(media["schema"])
