"""Loading a spec: source -> safe parse -> bundle refs -> check -> operations and models."""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import jsonschema

from apicore_specbind._coerce import types_of
from apicore_specbind._context import Context, Options
from apicore_specbind._errors import (
    ErrorDetail,
    RefResolutionError,
    RequestValidationError,
    SpecIssue,
    SpecLoadError,
    SpecValidationWarning,
    load_error,
)
from apicore_specbind._models import Model, ModelNamespace, jsonable, make_model_class
from apicore_specbind._normalise import SYNTH_KEY, Normaliser
from apicore_specbind._operation import Operation
from apicore_specbind._parse import SpecLimits, parse_text
from apicore_specbind._refs import Bundler, check_local_refs, deref, pointer
from apicore_specbind._servers import server_url
from apicore_specbind._source import (
    MISSING,
    Fetcher,
    FileStamp,
    LRUCache,
    clear_documents,
    load_file,
    stamp,
    urllib_fetcher,
)
from apicore_specbind._structure import structure_issues
from apicore_specbind._validate import (
    BUILTIN_FORMATS,
    Format,
    ValidatorFactory,
    errors_of,
    make_format_checker,
    to_draft4,
)

_OBJECT_KEYS = ("properties", "additionalProperties", "allOf")
_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://([^/]*)")  # scheme://host of a URL


class _Text(str):
    """Spec text that must never be taken for a file name (``Spec.from_string``)."""

    __slots__ = ()


class Spec:
    """A loaded Swagger 2.0 / OpenAPI 3.0 / 3.1 spec: operations, models, validators.

    Build it with :func:`load_spec` (or ``Spec.from_file``/``from_string``/``from_dict``).

    Attributes:
        spec_version: ``"2.0"``, ``"3.0"`` or ``"3.1"``.
        document: The bundled document (external ``$ref`` files copied in, refs local).
        operations: Every operation, in spec order.
        models: The model classes: ``spec.models.Pet``.
        source: Where the spec came from (a path or ``"<string>"``/``"<mapping>"``).
    """

    def __init__(
        self,
        document: dict[str, Any],
        *,
        spec_version: str,
        operations: Iterable[Operation],
        models: Mapping[str, type[Model]],
        context: Context,
        source: str,
    ) -> None:
        self.document = document
        self.spec_version = spec_version
        self.operations = tuple(operations)
        self.models = ModelNamespace(models)
        self.source = source
        self._context = context
        self._by_id = {op.operation_id: op for op in self.operations if op.operation_id}
        self._by_client = {op.client_name: op for op in self.operations}

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **options: Any) -> Spec:
        """Load a YAML or JSON file (see :func:`load_spec` for the options)."""
        return load_spec(Path(path), **options)

    @classmethod
    def from_string(cls, text: str, **options: Any) -> Spec:
        """Load YAML or JSON text, never a file name (see :func:`load_spec` for the options)."""
        return load_spec(_Text(text), **options)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], **options: Any) -> Spec:
        """Load an already parsed document (see :func:`load_spec` for the options)."""
        return load_spec(document, **options)

    # -- info -------------------------------------------------------------------------------
    @property
    def info(self) -> Mapping[str, Any]:
        """The ``info`` object."""
        info = self.document.get("info")
        return info if isinstance(info, Mapping) else {}

    @property
    def title(self) -> str:
        """``info.title`` (``""`` if missing)."""
        return str(self.info.get("title") or "")

    @property
    def api_version(self) -> str:
        """``info.version`` (``""`` if missing); legacy ``get_version()``."""
        return str(self.info.get("version") or "")

    def get_version(self) -> str:
        """Legacy name of :attr:`api_version`."""
        return self.api_version

    @property
    def host(self) -> str | None:
        """Swagger 2.0 ``host``, else the host of the first OpenAPI 3 server URL."""
        if self.spec_version == "2.0":
            host = self.document.get("host")
            return str(host) if host else None
        match = _ORIGIN.match(self.server_urls[0] if self.server_urls else "")
        return (match.group(1) or None) if match else None

    @property
    def schemes(self) -> tuple[str, ...]:
        """Swagger 2.0 ``schemes`` (or those of the OpenAPI 3 server URLs)."""
        if self.spec_version == "2.0":
            schemes = self.document.get("schemes")
            return tuple(str(s) for s in schemes) if isinstance(schemes, list) else ()
        return tuple(dict.fromkeys(u.split("://")[0] for u in self.server_urls if "://" in u))

    @property
    def base_path(self) -> str:
        """Swagger 2.0 ``basePath`` or the path of the first server URL (``""`` for none)."""
        if self.spec_version == "2.0":
            return str(self.document.get("basePath") or "").rstrip("/")
        return _ORIGIN.sub("", self.server_urls[0] if self.server_urls else "").rstrip("/")

    @property
    def server_urls(self) -> tuple[str, ...]:
        """OpenAPI 3 ``servers[].url``; for Swagger 2.0, built from schemes/host/basePath."""
        if self.spec_version == "2.0":
            host = self.document.get("host")
            base = str(self.document.get("basePath") or "")
            return tuple(f"{s}://{host}{base}" for s in self.schemes) if host else ()
        servers = self.document.get("servers")
        if not isinstance(servers, list):
            return ()
        return tuple(str(s["url"]) for s in servers if isinstance(s, Mapping) and "url" in s)

    @property
    def server_url(self) -> str | None:
        """Where requests go: the first server URL, variables set, or ``None`` for none.

        Swagger 2.0: ``scheme://host/basePath`` (https when listed, else the first scheme,
        else http), or just ``basePath`` without a ``host``. OpenAPI 3: ``servers[0].url``
        with its variables set to their defaults; it may be relative to where the document
        was served. Unlike ``server_urls[0]``, it is a URL to send to.

        Raises:
            ServerURLError: ``servers`` is not a list, or a variable has no default (only
                in a spec loaded with ``validate="warn"`` or ``"off"``).
        """
        return server_url(self)

    @property
    def security_schemes(self) -> Mapping[str, Any]:
        """``securityDefinitions`` (2.0) or ``components.securitySchemes`` (3.x)."""
        if self.spec_version == "2.0":
            found = self.document.get("securityDefinitions")
        else:
            found = (self.document.get("components") or {}).get("securitySchemes")
        return found if isinstance(found, Mapping) else {}

    # -- operations -----------------------------------------------------------------------
    def operation(self, operation_id: str) -> Operation:
        """The operation with that ``operationId``, or ``KeyError``."""
        return self._by_id[operation_id]

    @property
    def operations_by_client_name(self) -> Mapping[str, Operation]:
        """Operations by their unique :attr:`Operation.client_name`."""
        return dict(self._by_client)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """Find the operation for a method and a concrete path (``basePath`` excluded).

        .. deprecated:: Unreleased
            No server or client routes through it (the adapters' routers match paths);
            look operations up with :meth:`operation` or :attr:`operations`.

        Returns:
            The operation and its raw path parameters, or ``None``.
        """
        warnings.warn(
            "Spec.match() is deprecated: look operations up with spec.operation(operation_id) "
            "or iterate spec.operations",
            DeprecationWarning,
            stacklevel=2,
        )
        method = method.upper()
        for op in self.operations:
            if op.method == method:
                found = _route_regex(op.path).match(path)
                if found:
                    return op, found.groupdict()
        return None

    # -- models -----------------------------------------------------------------------------
    def get_model(self, name: str) -> type[Model]:
        """The model class of a definition (legacy ``get_model``); ``UnknownModelError``."""
        return self.models[name]

    def model_errors(self, name: str, value: Any) -> list[ErrorDetail]:
        """Validate JSON-able data (or a model) against a definition; return every failure."""
        cls = self.get_model(name)
        ptr = next(p for p, c in self._context.model_by_pointer.items() if c is cls)
        return errors_of(self._context.validators.get(ptr), jsonable(value), ())

    def validate_model(self, name: str, value: Any) -> None:
        """Like :meth:`model_errors` but raise ``RequestValidationError`` on failure."""
        errors = self.model_errors(name, value)
        if errors:
            raise RequestValidationError(errors)

    def json_to_model(self, name: str, data: Any, *, validate: bool = False) -> Model:
        """Build a model instance from JSON data (legacy name; the legacy one always raised)."""
        if validate:
            self.validate_model(name, data)
        instance: Model = self.get_model(name).from_json(data)
        return instance

    def model_to_json(self, value: Any) -> Any:
        """JSON-able data of a model (or of any value holding models)."""
        return jsonable(value)

    def __repr__(self) -> str:
        count = len(self.operations)
        return f"<Spec {self.title!r} {self.spec_version} from {self.source}: {count} operations>"


def _route_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"({[^{}/]+})", template)
    regex = "".join(
        f"(?P<{_group(p[1:-1])}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{regex}$")


def _group(name: str) -> str:
    return name if name.isidentifier() else "p_" + re.sub(r"\W", "_", name)


Validate = Literal["strict", "warn", "off"]
_VALIDATE_MODES = ("strict", "warn", "off")
_SPECS = LRUCache(16)


def load_spec(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    allow_remote_refs: bool = False,
    fetch: Fetcher | None = None,
    formats: Iterable[Format] = (),
    persist: bool = True,
    validation_status: int = 400,
    validate_responses: bool = True,
    max_body_size: int | None = None,
    max_depth: int = 64,
    strict_content_type: bool = False,
    validate: Validate = "strict",
    limits: SpecLimits | None = None,
    cache: bool = True,
) -> Spec:
    """Load a Swagger 2.0 / OpenAPI 3.0 / 3.1 spec.

    Args:
        source: A path (``pathlib.Path`` or a string naming an existing file), YAML/JSON text,
            or an already parsed mapping.
        base_dir: Folder that relative-file ``$ref`` may read from (default: the spec's folder;
            required for them when loading text or a mapping).
        allow_remote_refs: Fetch ``http(s)://`` references (off: they are load errors).
        fetch: The fetcher used when remote refs are allowed (default: ``urllib``, bounded by
            ``limits.max_bytes`` and ``limits.fetch_timeout``).
        formats: Extra string formats (checked, and converted for models and parameters).
        persist: Honour ``x-persist`` on definitions (legacy ``do_persist``).
        validation_status: Status of request validation errors (legacy 400; 422 is common).
        validate_responses: Default of ``Operation.marshal_response(validate=...)``.
        max_body_size: Bodies over this many bytes get a 413.
        max_depth: JSON bodies nested deeper get a 400.
        strict_content_type: A body without ``Content-Type`` gets a 415 (default: assumed JSON,
            as legacy did).
        validate: ``"strict"`` (default): a document that breaks the official OpenAPI/Swagger
            meta-schema, or whose schemas break their JSON Schema dialect, is refused.
            ``"warn"``: it loads, and each problem is a :class:`SpecValidationWarning`.
            ``"off"``: those checks are skipped. In the last two modes an operation that
            cannot be used at all (an undeclared path parameter, a ``$ref`` to nothing) is
            left out with a warning.
        limits: Bounds on each document read (size, nesting, YAML aliases, documents, fetch
            time); see :class:`SpecLimits`.
        cache: Reuse the spec built by an earlier identical call (same options, and the same
            text or unchanged files); loaded specs are shared, so do not modify them.

    Raises:
        UnsafeYAMLError: the YAML uses Python object tags.
        SpecLimitError: a document passes one of ``limits`` (the message says how to raise it).
        RefResolutionError: a ``$ref`` is unresolvable, escapes the folder, or is remote.
        SpecLoadError: anything else wrong; every issue names its JSON path.
    """
    if validate not in _VALIDATE_MODES:
        raise ValueError(f"validate must be one of {', '.join(_VALIDATE_MODES)}, not {validate!r}")
    if type(source) is _Text:
        source = str.__str__(source)
    elif isinstance(source, str) and (
        "\n" not in source and not source.lstrip().startswith("{") and Path(source).is_file()
    ):
        source = Path(source)
    formats = tuple(formats)
    limits = limits or SpecLimits()
    options = Options(
        validation_status=validation_status,
        validate_responses=validate_responses,
        max_body_size=max_body_size,
        max_depth=max_depth,
        strict_content_type=strict_content_type,
    )
    # From here on a str source is always text.
    location: str | None = None
    key: Any = None
    stamps: tuple[FileStamp, ...] = ()
    if isinstance(source, os.PathLike):
        path = Path(source).resolve()
        label = location = str(path)
        base_dir = base_dir if base_dir is not None else path.parent
    else:
        label = "<string>" if isinstance(source, str) else "<mapping>"
    base = Path(base_dir).resolve() if base_dir is not None else None
    if cache and fetch is None and not allow_remote_refs and not isinstance(source, Mapping):
        identity = location or hashlib.sha256(str(source).encode("utf-8", "surrogatepass")).digest()
        key = (identity, base, formats, persist, options, validate, limits)
        try:
            hash(key)
        except TypeError:  # a Format with unhashable callables: no caching
            key = None
    if key is not None:
        cached = _SPECS.get(key)
        if cached is not MISSING and all(stamp(Path(s[0])) == s for s in cached[0]):
            _warn(cached[2])
            spec: Spec = cached[1]
            return spec
    if location is not None:
        raw, first = load_file(Path(location), limits=limits, cache=cache)
        stamps = (first,)
    elif isinstance(source, str):
        raw = parse_text(source, source=label, limits=limits)
    else:
        raw = source
    if not isinstance(raw, Mapping):
        raise load_error("the spec must be a mapping (is the file name right?)", label)
    bundler = Bundler(
        base_dir=base,
        allow_remote=allow_remote_refs,
        fetch=fetch or urllib_fetcher(limits),
        source=label,
        limits=limits,
        cache=cache,
    )
    document = bundler.bundle(raw, location=location)
    warned = bundler.issues + check_local_refs(document)
    if warned and validate == "strict":
        raise RefResolutionError(warned, source=label)
    spec = _build(
        document,
        label,
        formats=formats,
        persist=persist,
        options=options,
        validate=validate,
        warned=warned,
    )
    _warn(warned)
    if key is not None and not bundler.fetched:
        _SPECS.put(key, ((*stamps, *bundler.stamps), spec, tuple(warned)))
    return spec


def _warn(issues: Iterable[SpecIssue]) -> None:
    for issue in issues:
        warnings.warn(SpecValidationWarning(str(issue)), stacklevel=3)


def clear_cache() -> None:
    """Forget every spec and parsed document kept for reuse (``load_spec(cache=True)``)."""
    _SPECS.clear()
    clear_documents()


def _version(document: Mapping[str, Any], label: str) -> str:
    swagger, openapi = document.get("swagger"), document.get("openapi")
    if swagger is not None:
        if str(swagger) == "2.0":
            return "2.0"
        issue = SpecIssue(("swagger",), f"unsupported version {swagger!r}; use '2.0'")
    elif isinstance(openapi, str) and re.match(r"^3\.[01](\.\d+)?$", openapi):
        return openapi[:3]
    elif openapi is not None:
        message = f"unsupported version {openapi!r}; use 3.0.x or 3.1.x (quote it)"
        issue = SpecIssue(("openapi",), message)
    else:
        raise load_error("missing 'swagger: \"2.0\"' or 'openapi: 3.x.y'", label)
    raise SpecLoadError([issue], source=label)


def _build(
    document: dict[str, Any],
    label: str,
    *,
    formats: Iterable[Format],
    persist: bool,
    options: Options,
    validate: Validate,
    warned: list[SpecIssue],
) -> Spec:
    """The spec of a bundled document; problems raise, or are added to ``warned``."""
    version = _version(document, label)
    structural = structure_issues(document, version) if validate != "off" else []
    normaliser = Normaliser(document, version)
    try:
        operations = normaliser.operations()
    except (TypeError, KeyError, AttributeError, ValueError):
        # a shape the normaliser cannot walk: the meta-schema says where (even with "off")
        found = structural or structure_issues(document, version)
        if not found:  # pragma: no cover - the meta-schemas describe every shape we walk
            raise
        raise SpecLoadError(found, source=label) from None
    if normaliser.synthetic:
        document[SYNTH_KEY] = normaliser.synthetic
    definitions_key = ("definitions",) if version == "2.0" else ("components", "schemas")
    definitions = document.get(definitions_key[0])
    if len(definitions_key) == 2 and isinstance(definitions, Mapping):
        definitions = definitions.get("schemas")
    if definitions is None:
        definitions = {}
    issues = list(normaliser.issues)
    # Our own messages say more; the meta-schema's fill in the places they do not cover.
    issues.extend(i for i in structural if not any(_overlap(i.path, j.path) for j in issues))
    if not isinstance(definitions, Mapping):
        issues.append(SpecIssue(definitions_key, "must be a mapping of names to schemas"))
        definitions = {}
    all_formats = {f.name: f for f in (*BUILTIN_FORMATS, *formats)}
    factory = ValidatorFactory(
        document if version == "3.1" else to_draft4(document),
        cls=jsonschema.Draft202012Validator if version == "3.1" else jsonschema.Draft4Validator,
        format_checker=make_format_checker(all_formats.values()),
    )
    if validate != "off":
        named = [(pointer(path), path) for path in ((*definitions_key, n) for n in definitions)]
        for ptr, path in [*normaliser.schema_pointers, *named]:
            issues.extend(
                SpecIssue(path, f"invalid schema: {m}") for m in factory.check_schema(ptr)
            )
    if issues and validate == "strict":
        raise SpecLoadError(issues, source=label)
    warned.extend(issues)
    context = Context(document, validators=factory, formats=all_formats, options=options)
    models, issues = _models(document, definitions, definitions_key, context, persist=persist)
    if issues and validate == "strict":
        raise SpecLoadError(issues, source=label)
    warned.extend(issues)
    return Spec(
        document,
        spec_version=version,
        operations=[_bind(op, context) for op in operations],
        models=models,
        context=context,
        source=label,
    )


def _overlap(one: tuple[str | int, ...], other: tuple[str | int, ...]) -> bool:
    shorter = min(len(one), len(other))
    return shorter > 0 and one[:shorter] == other[:shorter]


def _bind(op: Operation, context: Context) -> Operation:
    object.__setattr__(op, "_context", context)
    # Build every validator now, so the first request pays nothing extra.
    for param in op.parameters:
        context.validators.get(param.schema_pointer)
    for media in op.request_body.content if op.request_body else ():
        if media.schema_pointer:
            context.validators.get(media.schema_pointer)
    return op


def _models(
    document: Mapping[str, Any],
    definitions: Mapping[str, Any],
    key: tuple[str, ...],
    context: Context,
    *,
    persist: bool,
) -> tuple[dict[str, type[Model]], list[SpecIssue]]:
    """The model classes, and the problems found making them."""
    classes: dict[str, type[Model]] = {}
    issues: list[SpecIssue] = []
    for name, raw in definitions.items():
        path = (*key, str(name))
        ptr = pointer(path)
        try:
            node, target = deref(document, raw, ptr)
        except KeyError:
            issues.append(SpecIssue(path, "$ref loop"))
            continue
        if not isinstance(node, Mapping) or not _object_like(node):
            continue
        bases: list[type] = []
        persistence = None
        for extension in ("x-parent", "x-persist") if persist else ("x-parent",):
            dotted = node.get(extension)
            if isinstance(dotted, str):
                try:
                    found = import_object(dotted)
                except ImportError as exc:
                    issues.append(SpecIssue((*path, extension), str(exc)))
                    continue
                if isinstance(found, type):
                    bases.append(found)
                if extension == "x-persist":
                    persistence = dotted
        props = context.properties_of(node)
        cls = classes[str(name)] = make_model_class(
            str(name),
            schema=node,
            properties=props,
            required=frozenset(context.required_of(node)),
            nullable=frozenset(
                p for p, s in props.items() if "null" in types_of(s, context.resolve)
            ),
            allow_extra=node.get("additionalProperties") is not False,
            codec=context,
            bases=tuple(bases),
            persistence=persistence,
        )
        context.model_by_pointer[ptr] = cls
        # An alias (``Pet: {$ref: models.yaml#/Pet}``): references to the target mean Pet too.
        context.model_by_pointer.setdefault(target, cls)
    return classes, issues


def _object_like(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind):
        return True
    return kind is None and any(key in node for key in _OBJECT_KEYS)


def import_object(dotted: str) -> Any:
    """Import ``pkg.mod.name`` and return ``name`` (used for x-bind-server, x-persist...).

    Raises:
        ImportError: the path has no dot, the module cannot be imported, or has no such name.
    """
    module_name, _, attr = dotted.rpartition(".")
    if not module_name:
        raise ImportError(f"{dotted!r} is too short: use 'package.module.name'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"cannot import {module_name!r} for {dotted!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ImportError(
            f"module {module_name!r} has no attribute {attr!r} (from {dotted!r})"
        ) from None
