"""A readable Markdown reference of an API, generated from its OpenAPI document.

Works from the document alone (3.0 or 3.1), so spec-first APIs get the same reference.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from apicore_introspect import PROBLEM_MEDIA_TYPE
from apicore_openapi._examples import example_value
from apicore_openapi._model import METHODS

_TOKEN = "$TOKEN"


def to_markdown(document: Mapping[str, Any], *, base_url: str | None = None) -> str:
    """Render an OpenAPI document as a Markdown API reference.

    One section per operation: description, parameters table, request and response
    examples, errors, authentication, callbacks and a ``curl`` example.

    Args:
        document: An OpenAPI 3.0 or 3.1 document (as built by ``build_document`` or loaded
            from a spec).
        base_url: The URL in ``curl`` examples; defaults to the first server, else
            ``http://127.0.0.1:8000``.
    """
    info = document.get("info", {})
    components = document.get("components", {})
    schemes = components.get("securitySchemes", {})
    servers = document.get("servers") or []
    base = (base_url or (servers[0]["url"] if servers else "http://127.0.0.1:8000")).rstrip("/")

    lines = [f"# {info.get('title', 'API')}", ""]
    if info.get("description"):
        lines += [info["description"], ""]
    lines += [f"Version `{info.get('version', '')}` · OpenAPI `{document.get('openapi', '')}`"]
    if servers:
        lines += ["", "Servers: " + ", ".join(f"`{s['url']}`" for s in servers)]
    lines.append("")
    if schemes:
        lines += ["## Authentication", ""]
        lines += [f"- **{name}**: {_scheme_text(scheme)}" for name, scheme in schemes.items()]
        lines.append("")

    operations = [
        (path, method, item[method])
        for path, item in document.get("paths", {}).items()
        for method in METHODS
        if isinstance(item, dict) and method in item
    ]
    if operations:
        lines += ["## Endpoints", ""]
        for path, method, op in operations:
            summary = f" — {op['summary']}" if op.get("summary") else ""
            lines.append(f"- [`{method.upper()} {path}`](#{_anchor(method, path, op)}){summary}")
        lines.append("")
    context = _Context(
        components.get("schemas", {}), schemes, components.get("responses", {}), base
    )
    for path, method, op in operations:
        lines += context.operation(path, method, op)
    return "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class _Context:
    """What every operation's section needs of the document, and the ``curl`` base URL."""

    schemas: Mapping[str, Any]
    schemes: Mapping[str, Any]
    responses: Mapping[str, Any]
    base: str

    def operation(self, path: str, method: str, op: Mapping[str, Any]) -> list[str]:
        title = f"`{method.upper()} {path}`"
        if op.get("summary"):
            title += f" — {op['summary']}"
        lines = [f'<a id="{_anchor(method, path, op)}"></a>', "", f"## {title}", ""]
        if op.get("deprecated"):
            lines += ["> **Deprecated.**", ""]
        lines += [op.get("description") or "No description provided.", ""]
        if op.get("operationId"):
            lines += [f"Operation id: `{op['operationId']}`", ""]
        lines += ["**Authentication:** " + self._auth(op.get("security")), ""]

        parameters = [self._resolve(p) for p in op.get("parameters", [])]
        if parameters:
            lines += ["### Parameters", "", "| Name | In | Type | Required | Description |"]
            lines.append("|---|---|---|---|---|")
            for p in parameters:
                cells = _cells(_parameter_schema(p), p.get("required"), p.get("description", ""))
                lines.append(f"| `{p['name']}` | {p['in']} | {cells}")
            lines.append("")

        body_example: Any = None
        body = self._resolve(op.get("requestBody") or {})
        media = body.get("content", {}).get("application/json")
        if media is not None:
            schema = media.get("schema", {})
            lines += ["### Request body", ""]
            fields = self._fields(schema)
            if fields:
                lines += [
                    "| Field | Type | Required | Description |",
                    "|---|---|---|---|",
                    *fields,
                    "",
                ]
            body_example = media.get("example", example_value(schema, self.schemas))
            lines += _json_block(body_example)

        errors: list[tuple[str, str]] = []
        for code, response in op.get("responses", {}).items():
            response = self._resolve(response)
            content = response.get("content", {})
            if code.startswith(("4", "5")) or PROBLEM_MEDIA_TYPE in content:
                errors.append((code, response.get("description", "")))
                continue
            lines += [f"### Response `{code}`", "", response.get("description", ""), ""]
            json_media = content.get("application/json")
            if json_media is not None:
                value = json_media.get(
                    "example", example_value(json_media.get("schema", {}), self.schemas)
                )
                lines += _json_block(value)
        if errors:
            lines += ["### Errors", "", "Error bodies are `application/problem+json` (RFC 9457)."]
            lines += ["", "| Status | When |", "|---|---|"]
            lines += [f"| {code} | {_cell(text)} |" for code, text in errors]
            lines.append("")
        for name, callback in op.get("callbacks", {}).items():
            lines += self._callback(name, callback)
        curl = self._curl(path, method, op, parameters, body_example)
        return [*lines, "### Example", "", "```console", curl, "```", ""]

    def _callback(self, name: str, callback: Mapping[str, Any]) -> list[str]:
        lines = [f"### Callback `{name}`", ""]
        for expression, item in callback.items():
            methods = [m.upper() for m in METHODS if m in item]
            sends = " / ".join(f"`{m}`" for m in methods)
            lines += [
                f"When the job is done, this server sends {sends} to `{expression}` with:",
                "",
            ]
            first = item[methods[0].lower()] if methods else {}
            content = first.get("requestBody", {}).get("content", {}).get("application/json")
            if content is not None:
                lines += _json_block(example_value(content.get("schema", {}), self.schemas))
        return lines

    def _curl(
        self,
        path: str,
        method: str,
        op: Mapping[str, Any],
        parameters: list[dict[str, Any]],
        body: Any,
    ) -> str:
        url_path = path
        query: list[str] = []
        headers: list[str] = []
        for p in parameters:
            value = p.get("example", example_value(_parameter_schema(p), self.schemas))
            text = value if isinstance(value, str) else json.dumps(value)
            if p["in"] == "path":
                url_path = url_path.replace("{" + p["name"] + "}", quote(str(text), safe=""))
            elif p["in"] == "query" and p.get("required"):
                query.append(f"{quote(p['name'], safe='')}={quote(str(text), safe='')}")
            elif p["in"] == "header" and p.get("required"):
                headers.append(f"{p['name']}: {text}")
        url = self.base + url_path + ("?" + "&".join(query) if query else "")
        parts = ["curl", "-X", method.upper(), shlex.quote(url)]
        header = self._auth_header(op.get("security"))
        if header:
            headers.insert(0, header)
        if body is not None:
            headers.append("Content-Type: application/json")
        for h in headers:
            parts += ["-H", shlex.quote(h) if _TOKEN not in h else f'"{h}"']
        if body is not None:
            parts += ["-d", shlex.quote(json.dumps(body))]
        return " ".join(parts)

    def _auth_header(self, security: Any) -> str | None:
        for requirement in security or ():
            for name in requirement:
                scheme = self.schemes.get(name, {})
                if scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
                    return f"Authorization: Bearer {_TOKEN}"
                if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                    return f"{scheme['name']}: {_TOKEN}"
        return None

    def _auth(self, security: Any) -> str:
        if not security:
            return "none."
        options = []
        for requirement in security:
            names = " and ".join(f"`{n}`" for n in requirement) or "none"
            scopes = sorted({s for v in requirement.values() for s in v})
            options.append(names + (f" (scopes: {', '.join(scopes)})" if scopes else ""))
        return "required, one of: " + ", ".join(options) + "."

    def _fields(self, schema: Mapping[str, Any]) -> list[str]:
        schema = self._resolve(schema)
        required = set(schema.get("required", []))
        return [
            f"| `{name}` | {_cells(sub, name in required, sub.get('description', ''))}"
            for name, sub in schema.get("properties", {}).items()
        ]

    def _resolve(self, value: Any) -> Any:
        for _ in range(8):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return value
            parts = value["$ref"].split("/")
            table = {"responses": self.responses, "schemas": self.schemas}.get(parts[-2])
            if table is None:
                return value
            value = table.get(parts[-1], {})
        return value


def _type_text(schema: Any, depth: int = 0) -> str:
    """A short human type: ``integer``, ``array of Item``, ``string (date-time) | null``."""
    if not isinstance(schema, dict) or depth > 4:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    for key, joiner in (("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")):
        if key in schema:
            text = joiner.join(_type_text(s, depth + 1) for s in schema[key])
            return text + (" | null" if schema.get("nullable") else "")
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    words = []
    for k in kinds:
        if k == "array":
            if "prefixItems" in schema:
                inner = ", ".join(_type_text(s, depth + 1) for s in schema["prefixItems"])
                words.append(f"[{inner}]")
            else:
                words.append("array of " + _type_text(schema.get("items", {}), depth + 1))
        elif k == "object" and isinstance(schema.get("additionalProperties"), dict):
            words.append("map of " + _type_text(schema["additionalProperties"], depth + 1))
        elif k == "string" and "format" in schema:
            words.append(f"string ({schema['format']})")
        else:
            words.append(str(k))
    if schema.get("nullable"):
        words.append("null")
    return " | ".join(words) or "any"


def _parameter_schema(parameter: Mapping[str, Any]) -> Any:
    if "schema" in parameter:
        return parameter["schema"]
    return next((m.get("schema", {}) for m in parameter.get("content", {}).values()), {})


def _cells(schema: Any, required: bool, description: str) -> str:
    """The Type, Required and Description cells of a table row, and its closing bar."""
    if isinstance(schema, dict) and "default" in schema:
        description = f"{description} Default: `{json.dumps(schema['default'])}`.".strip()
    return f"{_cell(_type_text(schema))} | {'yes' if required else 'no'} | {_cell(description)} |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(method: str, path: str, op: Mapping[str, Any]) -> str:
    name = op.get("operationId") or f"{method}-{path}"
    return "op-" + re.sub(r"[^A-Za-z0-9_-]+", "-", str(name)).strip("-")


def _json_block(value: Any) -> list[str]:
    return ["```json", json.dumps(value, indent=2), "```", ""]


def _scheme_text(scheme: Mapping[str, Any]) -> str:
    kind = scheme.get("type")
    if kind == "http":
        label = f"HTTP {scheme.get('scheme', '')}".strip()
    elif kind == "apiKey":
        label = f"API key in the {scheme.get('in')} `{scheme.get('name')}`"
    else:
        label = str(kind)
    description = scheme.get("description")
    return f"({label}) {description}" if description else f"{label}."
