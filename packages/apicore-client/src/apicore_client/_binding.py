"""What a spec-driven client needs from a spec, worked out once (pure, no I/O).

For every operation: its Python name, a signature and a docstring for ``help()``, its retry
policy (``x-apicore-retry``), the ``Accept`` header; and for the spec, the base URL.
"""

from __future__ import annotations

import inspect
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apicore_client._errors import ConfigError
from apicore_client._policy import RetryPolicy
from apicore_specbind import Operation, Spec

RETRY_EXTENSION = "x-apicore-retry"
"""The vendor extension (operation or document root) that sets an operation's retry policy."""

RESERVED_NAMES = frozenset(
    {
        "aclose",
        "base_url",
        "call",
        "client",
        "close",
        "operations",
        "request",
        "spec",
        "with_options",
    }
)
"""Attributes of spec-driven clients; operations with these names are in ``operations`` only."""

_PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True, slots=True)
class BoundOperation:
    """One operation as a client method.

    Attributes:
        name: The method name (``x-bind-client``, else specbind's ``client_name``).
        operation: The specbind operation.
        retry: The operation's own policy (``x-apicore-retry`` on it), or ``None``.
        signature: The method's signature, ``self`` excluded.
        doc: The method's docstring.
        accept: The ``Accept`` header to send, or ``None``.
    """

    name: str
    operation: Operation
    retry: RetryPolicy | None
    signature: inspect.Signature
    doc: str
    accept: str | None


def retry_extension(where: Mapping[str, Any], label: str) -> RetryPolicy | None:
    """Read ``x-apicore-retry`` from an operation or a document, if present.

    Raises:
        ConfigError: The extension is invalid; the message says where it is.
    """
    if RETRY_EXTENSION not in where:
        return None
    try:
        return RetryPolicy.from_extension(where[RETRY_EXTENSION])
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from exc


def bind_operations(
    spec: Spec, *, extra: Sequence[inspect.Parameter] = ()
) -> tuple[BoundOperation, ...]:
    """Work out one :class:`BoundOperation` per operation of ``spec``, in spec order.

    ``extra`` keyword-only parameters are added to every signature that has no parameter of
    their name (pymacaron-core's magic keyword arguments).
    """
    bound = []
    for name, op in spec.operations_by_client_name.items():
        label = f"{op.method} {op.path} ({name})"
        bound.append(
            BoundOperation(
                name=name,
                operation=op,
                retry=retry_extension(op.extensions, label),
                signature=signature_of(spec, op, extra=extra),
                doc=doc_of(spec, op),
                accept=accept_of(op),
            )
        )
    return tuple(bound)


def accept_of(op: Operation) -> str | None:
    """The ``Accept`` header: what the operation produces, plus problem documents."""
    produced = [m for m in op.produces if m]
    if not produced:
        return None
    if _PROBLEM_JSON not in produced:
        produced.append(_PROBLEM_JSON)
    return ", ".join(produced)


def _model_name(spec: Spec, schema: Mapping[str, Any] | None) -> str | None:
    if not isinstance(schema, Mapping):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        name = urllib.parse.unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")
        return name if name in spec.models else None
    return None


_SCALARS = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}


def annotation_of(
    spec: Spec, schema: Mapping[str, Any] | None, *, output: bool = False, depth: int = 0
) -> str:
    """A readable Python annotation for a schema (for signatures; never evaluated).

    Inputs accept a model or a dict where the schema is a model; outputs are the model.
    """
    if not isinstance(schema, Mapping) or depth > 3:
        return "Any"
    model = _model_name(spec, schema)
    if model is not None:
        return model if output else f"{model} | dict[str, Any]"
    kind = schema.get("type")
    if isinstance(kind, list):
        names = [_type_name(spec, schema, k, output, depth) for k in kind if k != "null"]
        text = " | ".join(dict.fromkeys(names)) or "None"
        return f"{text} | None" if "null" in kind and text != "None" else text
    if isinstance(kind, str):
        return _type_name(spec, schema, kind, output, depth)
    return "Any"


def _type_name(spec: Spec, schema: Mapping[str, Any], kind: str, output: bool, depth: int) -> str:
    if kind == "array":
        items = annotation_of(spec, schema.get("items"), output=output, depth=depth + 1)
        return f"list[{items}]"
    if kind == "object":
        return "dict[str, Any]"
    return _SCALARS.get(kind, "Any")


def signature_of(
    spec: Spec, op: Operation, *, extra: Sequence[inspect.Parameter] = ()
) -> inspect.Signature:
    """The signature of an operation's method (``self`` excluded).

    The body, when there is one, is the first parameter and may be passed by position (as
    pymacaron-core did); every parameter is keyword-only, by its Python name. Optional ones
    default to ``None`` (not sent).
    """
    params: list[inspect.Parameter] = []
    body = op.request_body
    taken: set[str] = set()
    if body is not None and not body.form_fields:
        media = body.content[0] if body.content else None
        for candidate in body.content:
            if candidate.media_type.endswith("json"):
                media = candidate
                break
        params.append(
            inspect.Parameter(
                body.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                # with fields, the body may also be given property by property
                default=inspect.Parameter.empty if body.required and not body.fields else None,
                annotation=annotation_of(spec, media.schema if media else None),
            )
        )
        taken.add(body.name)
    named: list[tuple[str, bool, Mapping[str, Any] | None]] = [
        (p.python_name, p.required, p.schema) for p in op.parameters
    ]
    if body is not None and body.form_fields:  # Swagger 2.0 formData: one keyword per field
        form = body.content[0].schema if body.content else None
        props = form.get("properties", {}) if isinstance(form, Mapping) else {}
        required = form.get("required", ()) if isinstance(form, Mapping) else ()
        named += [(name, name in required, props.get(name)) for name in body.form_fields]
    if body is not None and body.fields and not body.form_fields:
        # an object body's properties as keywords (our function-first servers' arguments)
        media_schema = next((m.schema for m in body.content if m.media_type.endswith("json")), None)
        props = media_schema.get("properties", {}) if isinstance(media_schema, Mapping) else {}
        named += [(name, False, props.get(name)) for name in body.fields]
    for name, needed, schema in sorted(named, key=lambda n: not n[1]):  # required ones first
        if name in taken or not name.isidentifier():
            continue
        taken.add(name)
        annotation = annotation_of(spec, schema)
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if needed else None,
                annotation=annotation if needed else f"{annotation} | None",
            )
        )
    params += [p for p in extra if p.name not in taken]
    success = next((r for s, r in op.responses.items() if s.startswith("2")), None)
    returns = "None"
    if success is not None and success.content:
        returns = annotation_of(spec, success.content[0].schema, output=True)
    return inspect.Signature(params, return_annotation=returns)


def doc_of(spec: Spec, op: Operation) -> str:
    """A Google-style docstring from the operation's summary, description and parameters."""
    lines = [op.summary.strip() or f"{op.method} {op.path}"]
    if op.description.strip() and op.description.strip() != lines[0]:
        lines += ["", op.description.strip()]
    lines += ["", f"``{op.method} {op.path}``" + (" (deprecated)" if op.deprecated else "")]
    args = []
    body = op.request_body
    if body is not None and not body.form_fields:
        args.append(f"    {body.name}: The request body. {body.description.strip()}".rstrip())
    for param in op.parameters:
        text = param.description.strip() or f"The {param.location} parameter ``{param.name}``."
        args.append(f"    {param.python_name}: {' '.join(text.split())}")
    if args:
        lines += ["", "Args:", *args]
    success = [s for s in op.responses if s.startswith("2")]
    if success:
        lines += ["", "Returns:", f"    The decoded {'/'.join(success)} response body."]
    lines += [
        "",
        "Raises:",
        "    ArgumentError: Arguments that do not fit the operation (nothing is sent).",
        "    ArgumentValidationError: Values that do not fit the spec (nothing is sent).",
        "    HTTPStatusError: A 4xx/5xx answer (its problem document is parsed).",
        "    ResponseValidationError: An answer that does not fit the spec.",
    ]
    return "\n".join(lines)


_VARIABLE = re.compile(r"{([^{}]+)}")


def server_url(spec: Spec) -> str | None:
    """The spec's first server URL (variables set to their defaults), or ``None``.

    Swagger 2.0: ``scheme://host/basePath`` (https when listed, else the first scheme, else
    http), or just ``basePath`` without a ``host``. OpenAPI 3: ``servers[0].url``, which may
    be relative to where the document was served.
    """
    if spec.spec_version == "2.0":
        host = spec.document.get("host")
        base = spec.base_path
        if not host:
            return base or None
        schemes = spec.schemes
        scheme = "https" if "https" in schemes else (schemes[0] if schemes else "http")
        return f"{scheme}://{host}{base}"
    servers = spec.document.get("servers") or ()
    if not isinstance(servers, list | tuple):
        # only a spec loaded with validate="warn"/"off" gets here
        raise ConfigError("the spec's 'servers' must be a list of server objects; pass base_url=")
    if (
        not servers
        or not isinstance(servers[0], Mapping)
        or not isinstance(servers[0].get("url"), str)
    ):
        return None
    first = servers[0]
    variables = first.get("variables")
    if not isinstance(variables, Mapping):
        variables = {}

    def default(match: re.Match[str]) -> str:
        var = variables.get(match.group(1))
        if isinstance(var, Mapping) and "default" in var:
            return str(var["default"])
        raise ConfigError(
            f"the server URL {first['url']!r} uses {{{match.group(1)}}} without a default; "
            "pass base_url="
        )

    return _VARIABLE.sub(default, str(first["url"]))


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def resolve_base_url(
    spec: Spec,
    base_url: str | None,
    *,
    document_url: str | None = None,
    in_process: bool = False,
) -> str:
    """The URL operation paths are appended to.

    Args:
        spec: The spec.
        base_url: Given by the caller: it replaces the spec's server URL entirely (include
            the base path, e.g. ``http://127.0.0.1:8000/v1``).
        document_url: Where the spec was fetched from; relative server URLs (and Swagger 2.0
            specs without ``host``) are resolved against it. A server on another origin is
            refused: a fetched document must not send the client's headers (credentials)
            elsewhere unless the caller says so with ``base_url``.
        in_process: The document came from an in-process app: only the server URL's path
            counts (every request goes to the app).

    Returns:
        The base URL without a trailing slash.

    Raises:
        ConfigError: No absolute URL can be worked out, or a fetched document names a server
            on another origin: pass ``base_url``.
    """
    if base_url is not None:
        return str(base_url).rstrip("/")
    found = server_url(spec)
    if document_url is not None:
        if in_process and found:
            found = urllib.parse.urlsplit(found).path
        found = urllib.parse.urljoin(document_url, found or "/")
        if _origin(found) != _origin(document_url):
            raise ConfigError(
                f"the spec served at {document_url} sends requests to another origin "
                f"({found}); pass base_url={found.rstrip('/')!r} if you trust it"
            )
    if not found or not re.match(r"^https?://", found, re.IGNORECASE):
        where = f"{found!r} is relative" if found else "the spec names no server"
        raise ConfigError(
            f"cannot tell where to send requests: {where}; pass base_url='http://host:port/prefix'"
        )
    return found.rstrip("/")
