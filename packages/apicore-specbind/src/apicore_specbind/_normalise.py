"""Structure checks and normalisation of Swagger 2.0 / OpenAPI 3.x operations (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apicore_specbind._errors import SpecIssue
from apicore_specbind._naming import derived_operation_name, identifier, snake_case, unique
from apicore_specbind._operation import Operation
from apicore_specbind._parts import MediaType, Parameter, RequestBody, Response
from apicore_specbind._refs import deref, escape, pointer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SYNTH_KEY = "x-apicore-synthetic"
_STATUS = re.compile(r"^([1-5]\d\d|[1-5]XX|default)$", re.IGNORECASE)
_TEMPLATE = re.compile(r"{([^{}/]+)}")
_COLLECTION = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}
_V2_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "multipleOf", "x-nullable",
)  # fmt: skip
Path = tuple[str | int, ...]


class Normaliser:
    """Walks ``paths`` and builds :class:`Operation` values, collecting every issue."""

    def __init__(self, document: dict[str, Any], version: str) -> None:
        self.doc = document
        self.version = version
        self.issues: list[SpecIssue] = []
        self.synthetic: list[Any] = []
        self.schema_pointers: list[tuple[str, Path]] = []  # every schema, for meta checks
        self._client_names: set[str] = set()
        self._operation_ids: dict[str, Path] = {}

    # -- helpers ------------------------------------------------------------------------
    def _issue(self, path: Path, message: str) -> None:
        self.issues.append(SpecIssue(path, message))

    def _deref(self, node: Any, path: Path, what: str = "") -> tuple[Any, str] | None:
        # with ``what``, the target must be a mapping too (else an issue naming it)
        try:
            found = deref(self.doc, node, pointer(path))
        except KeyError as exc:
            self._issue(path, f"$ref {exc.args[0]!r} points nowhere (or loops)")
            return None
        if what and not isinstance(found[0], Mapping):
            self._issue(path, f"{what} must be a mapping")
            return None
        return found

    def _synth(self, schema: dict[str, Any]) -> str:
        self.synthetic.append(schema)
        return f"/{SYNTH_KEY}/{len(self.synthetic) - 1}"

    def _v2_types(self, node: Mapping[str, Any], key: str, default: str) -> list[Any]:
        """Swagger 2.0 ``consumes``/``produces``: the operation's, else the spec's."""
        return list(node.get(key) or self.doc.get(key) or [default])

    # -- operations ---------------------------------------------------------------------
    def operations(self) -> list[Operation]:
        """Build every operation of ``paths``."""
        paths = self.doc.get("paths", {})
        if not isinstance(paths, Mapping):
            self._issue(("paths",), "must be a mapping of path templates to path items")
            return []
        result: list[Operation] = []
        for template, item in paths.items():
            ipath: Path = ("paths", template)
            if not str(template).startswith("/"):
                self._issue(ipath, "a path must start with '/'")
                continue
            found = self._deref(item, ipath, "a path item")
            if found is None:
                continue
            item, item_ptr = found
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    op = self._operation(
                        str(template), method, item[method], shared, (*ipath, method)
                    )
                    if op is not None:
                        result.append(op)
        return result

    def _operation(
        self, template: str, method: str, node: Any, shared: Any, path: Path
    ) -> Operation | None:
        if not isinstance(node, Mapping):
            self._issue(path, "an operation must be a mapping")
            return None
        count = len(self.issues)
        params, body = self._parameters(template, shared, node, path)
        if self.version != "2.0" and "requestBody" in node:
            body = self._request_body(node["requestBody"], node, (*path, "requestBody"))
        responses = self._responses(node, path)
        op_id = node.get("operationId")
        if op_id is not None and not isinstance(op_id, str):
            self._issue((*path, "operationId"), "must be a string")
            op_id = None
        elif op_id is not None:
            if op_id in self._operation_ids:
                first = ".".join(map(str, self._operation_ids[op_id]))
                self._issue(
                    (*path, "operationId"), f"duplicate operationId {op_id!r} (first at {first})"
                )
            self._operation_ids.setdefault(op_id, path)
        if len(self.issues) > count:
            return None
        extensions = {k: v for k, v in node.items() if str(k).startswith("x-")}
        bind_server = extensions.get("x-bind-server")
        dotted_id = op_id if op_id and "." in op_id else None
        binding = dotted_id or (bind_server if isinstance(bind_server, str) else None)
        bind_client = extensions.get("x-bind-client")
        if isinstance(bind_client, str) and bind_client:
            base_name = identifier(bind_client)
        elif op_id:
            base_name = snake_case(op_id.rsplit(".", 1)[-1])
        else:
            base_name = derived_operation_name(method, template)
        security = node.get("security", self.doc.get("security"))
        consumes, produces = self._media(node, body, responses)
        return Operation(
            method=method.upper(),
            path=template,
            operation_id=op_id,
            parameters=tuple(params),
            request_body=body,
            responses=responses,
            security=_security(security),
            consumes=consumes,
            produces=produces,
            server_binding=binding,
            client_name=unique(base_name, self._client_names),
            bind_client=bind_client if isinstance(bind_client, str) else None,
            decorate_server=_str_or_none(extensions.get("x-decorate-server")),
            decorate_request=_str_or_none(extensions.get("x-decorate-request")),
            no_bind_server="x-no-bind-server" in extensions,
            extensions=extensions,
            summary=str(node.get("summary") or ""),
            description=str(node.get("description") or ""),
            tags=tuple(str(t) for t in node.get("tags") or ()),
            deprecated=node.get("deprecated") is True,
        )

    def _media(
        self, node: Mapping[str, Any], body: RequestBody | None, responses: Mapping[str, Response]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self.version == "2.0":
            return (
                tuple(self._v2_types(node, "consumes", "application/json")),
                tuple(self._v2_types(node, "produces", "application/json")),
            )
        consumes = tuple(m.media_type for m in body.content) if body else ()
        produced: dict[str, None] = {}
        for response in responses.values():
            produced.update((m.media_type, None) for m in response.content)
        return consumes, tuple(produced)

    # -- parameters ---------------------------------------------------------------------
    def _parameters(
        self, template: str, shared: Any, node: Mapping[str, Any], path: Path
    ) -> tuple[list[Parameter], RequestBody | None]:
        merged: dict[tuple[str, str], tuple[Mapping[str, Any], str, Path]] = {}
        for source, spath in (
            (shared, (*path[:-1], "parameters")),
            (node.get("parameters", []), (*path, "parameters")),
        ):
            if not isinstance(source, list):
                self._issue(spath, "must be a list of parameters")
                continue
            seen: set[tuple[str, str]] = set()
            for index, raw in enumerate(source):
                ppath = (*spath, index)
                found = self._deref(raw, ppath)
                if found is None:
                    continue
                param, ptr = found
                if not isinstance(param, Mapping) or not isinstance(param.get("name"), str):
                    self._issue(ppath, "a parameter needs a string 'name'")
                    continue
                key = (param["name"], str(param.get("in")))
                if key in seen:
                    self._issue(ppath, f"duplicate parameter {key[0]!r} in {key[1]}")
                seen.add(key)
                merged[key] = (param, ptr, ppath)  # operation-level overrides path-level
        params: list[Parameter] = []
        bodies: list[tuple[Mapping[str, Any], str, Path]] = []
        form: list[tuple[Mapping[str, Any], str, Path]] = []
        names: set[str] = set()
        allowed = (
            ("path", "query", "header", "body", "formData")
            if self.version == "2.0"
            else ("path", "query", "header", "cookie")
        )
        for (_name, location), (param, ptr, ppath) in merged.items():
            if location not in allowed:
                self._issue(
                    (*ppath, "in"), f"must be one of {', '.join(allowed)}, not {location!r}"
                )
                continue
            if location == "body":
                bodies.append((param, ptr, ppath))
            elif location == "formData":
                form.append((param, ptr, ppath))
            else:
                built = self._parameter(param, ptr, ppath, names)
                if built is not None:
                    params.append(built)
        declared = [p.name for p in params if p.location == "path"]
        variables = _TEMPLATE.findall(template)
        for var in variables:
            if var not in declared:
                self._issue(
                    (*path, "parameters"),
                    f"path template variable {{{var}}} has no 'in: path' parameter",
                )
        for name in declared:
            if name not in variables:
                self._issue(
                    (*path, "parameters"),
                    f"path parameter {name!r} is not in the path template {template!r}",
                )
        if len(bodies) > 1:
            self._issue((*path, "parameters"), "only one 'in: body' parameter is allowed")
        if bodies and form:
            self._issue(
                (*path, "parameters"), "'in: body' and 'in: formData' parameters cannot be mixed"
            )
        body = None
        if bodies:
            body = self._v2_body(bodies[0], node)
        elif form:
            body = self._v2_form(form, node)
        return params, body

    def _parameter(
        self, param: Mapping[str, Any], ptr: str, ppath: Path, names: set[str]
    ) -> Parameter | None:
        name, location = param["name"], param["in"]
        required = param.get("required") is True
        if location == "path" and not required:
            self._issue((*ppath, "required"), "path parameters must have 'required: true'")
        content_type = None
        schema: Any
        if self.version == "2.0":
            if "type" not in param:
                self._issue(ppath, "a Swagger 2.0 parameter needs a 'type'")
                return None
            schema = {k: param[k] for k in _V2_SCHEMA_KEYS if k in param}
            schema_ptr = self._synth(schema)
            fmt = param.get("collectionFormat", "csv")
            if fmt not in _COLLECTION:
                self._issue((*ppath, "collectionFormat"), f"unknown collectionFormat {fmt!r}")
                return None
            style, explode = _COLLECTION[fmt]
            if location != "query" and style == "form":
                style = "simple"
        else:
            if "schema" in param:
                schema, schema_ptr = param["schema"], f"{ptr}/schema"
            elif isinstance(param.get("content"), Mapping) and len(param["content"]) == 1:
                content_type, media = next(iter(param["content"].items()))
                schema = media.get("schema", {}) if isinstance(media, Mapping) else {}
                schema_ptr = f"{ptr}/content/{escape(str(content_type))}/schema"
            else:
                self._issue(
                    ppath, "a parameter needs a 'schema' or a 'content' with one media type"
                )
                return None
            default_style = {"query": "form", "cookie": "form"}.get(location, "simple")
            style = str(param.get("style", default_style))
            explode = param.get("explode", style == "form") is True
        self.schema_pointers.append((schema_ptr, ppath))
        schema_map: Mapping[str, Any] = schema if isinstance(schema, Mapping) else {}
        python_name = snake_case(name)
        if python_name in names:
            python_name = f"{location}_{python_name}"
        names.add(python_name)
        return Parameter(
            name=name,
            location=location,
            required=required or location == "path",
            schema=schema_map,
            schema_pointer=schema_ptr,
            style=style,
            explode=explode,
            python_name=python_name,
            content_type=content_type,
            description=str(param.get("description") or ""),
            deprecated=param.get("deprecated") is True,
        )

    def _v2_body(
        self, found: tuple[Mapping[str, Any], str, Path], node: Mapping[str, Any]
    ) -> RequestBody | None:
        param, ptr, ppath = found
        if "schema" not in param:
            self._issue(ppath, "an 'in: body' parameter needs a 'schema'")
            return None
        self.schema_pointers.append((f"{ptr}/schema", ppath))
        consumes = self._v2_types(node, "consumes", "application/json")
        content = tuple(MediaType(str(m), param["schema"], f"{ptr}/schema") for m in consumes)
        return RequestBody(
            required=param.get("required") is True,
            content=content,
            name=identifier(str(param["name"])),
            description=str(param.get("description") or ""),
        )

    def _v2_form(
        self, form: list[tuple[Mapping[str, Any], str, Path]], node: Mapping[str, Any]
    ) -> RequestBody:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for param, _ptr, ppath in form:
            if "type" not in param:
                self._issue(ppath, "a Swagger 2.0 parameter needs a 'type'")
                continue
            prop = {k: param[k] for k in _V2_SCHEMA_KEYS if k in param}
            if prop.get("type") == "file":
                prop = {"x-apicore-file": True}
            properties[param["name"]] = prop
            if param.get("required") is True:
                required.append(param["name"])
        # formData parameters are a closed set, like every Swagger 2.0 parameter list: an
        # undeclared field is a 400 (it never becomes a handler's keyword argument)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        ptr = self._synth(schema)
        consumes = self._v2_types(node, "consumes", "application/x-www-form-urlencoded")
        forms = [m for m in consumes if "form" in str(m)] or ["application/x-www-form-urlencoded"]
        return RequestBody(
            required=bool(required),
            content=tuple(MediaType(str(m), schema, ptr) for m in forms),
            name="form",
            form_fields=tuple(properties),
        )

    def _request_body(self, raw: Any, node: Mapping[str, Any], path: Path) -> RequestBody | None:
        found = self._deref(raw, path)
        if found is None:
            return None
        body, ptr = found
        if not isinstance(body, Mapping) or not isinstance(body.get("content"), Mapping):
            self._issue(path, "a requestBody needs a 'content' mapping")
            return None
        content = self._content(body["content"], f"{ptr}/content", (*path, "content"))
        name = node.get("x-body-name") or body.get("x-body-name") or "body"
        return RequestBody(
            required=body.get("required") is True,
            content=content,
            name=identifier(str(name)),
            description=str(body.get("description") or ""),
            fields=self._object_fields(content),
        )

    @staticmethod
    def _object_fields(content: tuple[MediaType, ...]) -> tuple[str, ...]:
        media = next(
            (m for m in content if m.media_type.split(";")[0].strip().endswith(("/json", "+json"))),
            None,
        )
        schema: Any = media.schema if media is not None else None
        # only inline objects: a $ref'd body is a model, passed whole
        if not isinstance(schema, Mapping) or schema.get("type") != "object":
            return ()
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return ()
        return tuple(str(name) for name in properties if str(name).isidentifier())

    def _content(self, content: Mapping[str, Any], ptr: str, path: Path) -> tuple[MediaType, ...]:
        result = []
        for media_type, media in content.items():
            mptr = f"{ptr}/{escape(str(media_type))}"
            if isinstance(media, Mapping) and "schema" in media:
                self.schema_pointers.append((f"{mptr}/schema", (*path, media_type, "schema")))
                result.append(MediaType(str(media_type), media["schema"], f"{mptr}/schema"))
            else:
                result.append(MediaType(str(media_type), None, None))
        return tuple(result)

    # -- responses ----------------------------------------------------------------------
    def _responses(self, node: Mapping[str, Any], path: Path) -> dict[str, Response]:
        rpath = (*path, "responses")
        raw = node.get("responses")
        if raw is None:
            if self.version != "3.1":
                self._issue(rpath, "every operation needs 'responses'")
            return {}
        if not isinstance(raw, Mapping) or (not raw and self.version != "3.1"):
            self._issue(rpath, "must be a non-empty mapping of status codes to responses")
            return {}
        result: dict[str, Response] = {}
        for status, value in raw.items():
            spath = (*rpath, status)
            if str(status).startswith("x-"):
                continue
            if not _STATUS.match(str(status)):
                self._issue(
                    spath, "a response key is a status code (200), a range (2XX) or 'default'"
                )
                continue
            found = self._deref(value, spath, "a response")
            if found is None:
                continue
            response, ptr = found
            if self.version == "2.0":
                content: tuple[MediaType, ...] = ()
                if "schema" in response:
                    self.schema_pointers.append((f"{ptr}/schema", (*spath, "schema")))
                    produces = self._v2_types(node, "produces", "application/json")
                    content = tuple(
                        MediaType(str(m), response["schema"], f"{ptr}/schema") for m in produces
                    )
            elif isinstance(response.get("content"), Mapping):
                content = self._content(response["content"], f"{ptr}/content", (*spath, "content"))
            else:
                content = ()
            headers = response.get("headers")
            result[str(status).upper() if str(status) != "default" else "default"] = Response(
                status=str(status),
                description=str(response.get("description") or ""),
                content=content,
                headers=dict(headers) if isinstance(headers, Mapping) else {},
            )
        return result


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _security(raw: Any) -> tuple[Mapping[str, tuple[str, ...]], ...] | None:
    if not isinstance(raw, list):
        return None
    return tuple(
        {str(name): tuple(scopes or ()) for name, scopes in requirement.items()}
        for requirement in raw
        if isinstance(requirement, Mapping)
    )
