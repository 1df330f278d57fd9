"""``describe(func)``: a function as a frozen, documented, bindable operation."""

from __future__ import annotations

import functools
import inspect
import json
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from apicore_introspect._binder import (
    NO_BODY,
    Arguments,
    Binder,
    Placed,
    Query,
    RequestParts,
    group_query,
)
from apicore_introspect._containers import Field
from apicore_introspect._docstrings import parse_docstring
from apicore_introspect._errors import (
    MalformedRequestError,
    ResultError,
    SignatureError,
    UnsupportedAnnotationError,
)
from apicore_introspect._files import FileNode
from apicore_introspect._json import JsonDecoder, Limits, dump_json
from apicore_introspect._markers import Location, find_source
from apicore_introspect._nodes import INVALID, DecimalNode, Node
from apicore_introspect._types import Definitions, TypeBuilder
from apicore_introspect.frozen import field, frozen

ParameterKind = Literal["positional_or_keyword", "keyword_only", "var_keyword"]
ParameterSource = Literal["auto", "header", "cookie", "query", "path", "form", "injected"]
ExtraKeys = Literal["forbid", "ignore"]

_KINDS: dict[Any, ParameterKind] = {
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}

REQUIRED: Any = inspect.Parameter.empty
"""The ``default`` of a parameter that has none."""


@frozen
class Parameter:
    """One parameter of a described function.

    Attributes:
        name: The parameter's name, which is also its JSON key / query name.
        kind: How Python passes it: ``"positional_or_keyword"``, ``"keyword_only"`` or
            ``"var_keyword"`` (``**kwargs``: the schema is for each extra value).
        annotation: The resolved annotation (``REQUIRED`` when there is none).
        required: Whether a request must give it.
        default: The default value, or ``REQUIRED``.
        schema: Its JSON Schema (draft 2020-12), with ``$ref`` into the definitions.
        description: From the docstring or an ``Annotated[..., Doc(...)]`` marker.
        source: Where a request gives it: ``"auto"`` (body, query string or path by
            name), a marker's location (``"header"``, ``"cookie"``, ``"query"``, ``"path"``,
            ``"form"``), or ``"injected"`` (the server passes it, e.g. the request).
        alias: Its name in the request (the header name for ``"header"``).
    """

    name: str
    kind: ParameterKind
    annotation: Any
    required: bool
    default: Any
    schema: dict[str, Any]
    description: str
    source: ParameterSource = "auto"
    alias: str = ""

    @property
    def key(self) -> str:
        """The parameter's name in the request (its alias, or its name)."""
        return self.alias or self.name


@frozen(eq=False, slots=False)
class FunctionOperation:
    """A function described for HTTP: documentation, schemas, and request binding.

    Build it with ``describe``. It is immutable and safe to share between threads.
    """

    func: Callable[..., Any]
    name: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    return_schema: dict[str, Any]
    returns_description: str
    is_async: bool
    extra: ExtraKeys
    definitions: Definitions
    limits: Limits
    _binder: Binder = field(repr=False)
    _decoder: JsonDecoder = field(repr=False)
    form: bool = False
    returns_response: bool = False

    @property
    def plain(self) -> bool:
        """Whether every argument comes from the JSON body, query string or path by name.

        Servers bind such functions with ``bind`` alone; others also need ``RequestParts``
        (headers, cookies, a form) or inject values (the request).
        """
        return not self.form and all(p.source == "auto" for p in self.parameters)

    @property
    def injected(self) -> tuple[Parameter, ...]:
        """The parameters the server passes itself (annotated with an injected type)."""
        return tuple(p for p in self.parameters if p.source == "injected")

    def bind(
        self,
        body: bytes | bytearray | memoryview | str | None = None,
        *,
        query: Query | None = None,
        path: Mapping[str, str] | None = None,
        parts: RequestParts | None = None,
    ) -> Arguments:
        """Turn request parts into ``(args, kwargs)`` for the function.

        Args:
            body: The raw request body. ``None``, empty or blank means no JSON keys.
                Ignored when ``parts`` holds a form.
            query: Query parameters for unplaced parameters, as ``(name, value)`` pairs or
                a mapping; values are text, converted to each parameter's type (repeat a
                name for a list).
            path: Path parameters, by name, as text.
            parts: Headers, cookies, the query string and a parsed form body, for
                parameters placed with markers (``Header``, ``Cookie``, ``Query``,
                ``Form``) and for form operations.

        Raises:
            MalformedRequestError: The body is not strict, bounded JSON (HTTP 400).
            ValidationError: The values do not fit the signature (HTTP 422), with every
                failure listed. Injected parameters are not bound: the caller adds them.
        """
        value = NO_BODY
        if body and (parts is None or parts.form is None):
            try:
                value = self._decoder.decode(body)
            except MalformedRequestError:
                if (body if isinstance(body, str) else bytes(body)).strip():
                    raise
        return self._binder.bind(value, query=group_query(query), path=path, parts=parts)

    def bind_json(
        self,
        value: Any,
        *,
        query: Query | None = None,
        path: Mapping[str, str] | None = None,
    ) -> Arguments:
        """Like ``bind``, for a body that is already decoded from JSON."""
        return self._binder.bind(value, query=group_query(query), path=path)

    def dump(self, result: Any) -> bytes:
        """Serialize the function's return value to JSON bytes.

        Raises:
            ResultError: The value has no JSON form (a bug in the function: answer 500).
        """
        try:
            return dump_json(result)
        except ResultError as exc:
            raise ResultError(f"{self.name}() returned a value that {exc}") from exc.__cause__

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``.

        Raises:
            KeyError: There is no such parameter.
        """
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def check_path_parameters(self, names: Iterable[str]) -> None:
        """Check that every path parameter of a route names a parameter of the function.

        Raises:
            SignatureError: A path parameter has no matching function parameter.
        """
        known = {
            p.key if p.source == "path" else p.name
            for p in self.parameters
            if p.kind != "var_keyword" and p.source in ("auto", "path")
        }
        accepts_any = any(p.kind == "var_keyword" for p in self.parameters)
        for name in names:
            if name not in known and not accepts_any:
                raise SignatureError(
                    f"{self.name}(): the route has a path parameter {{{name}}} but the "
                    f"function has no parameter '{name}'; add one or rename the path parameter"
                )

    def body_schema(self, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
        """The JSON Schema of the request body: an object of the parameters.

        Args:
            exclude: Parameters that come from elsewhere (path parameters).
        """
        skip = set(exclude)
        properties: dict[str, Any] = {}
        required: list[str] = []
        additional: Any = False if self.extra == "forbid" else None
        for p in self.parameters:
            if p.kind == "var_keyword":
                additional = p.schema or True
                continue
            if p.name in skip or p.source not in ("auto", "form"):
                continue
            properties[p.key] = _documented(p)
            if p.required:
                required.append(p.key)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if additional is not None:
            schema["additionalProperties"] = additional
        return schema

    def referenced_definitions(self) -> dict[str, dict[str, Any]]:
        """The definitions this operation's schemas refer to, transitively."""
        every = self.definitions.schemas()
        found: set[str] = set()
        pending = [self.body_schema(), self.return_schema]
        while pending:
            for name in _refs(pending.pop()):
                if name not in found and name in every:
                    found.add(name)
                    pending.append(every[name])
        return {name: every[name] for name in sorted(found)}

    def json_schema(self) -> dict[str, Any]:
        """A standalone JSON Schema of the body, with its ``$defs`` (for tools and tests)."""
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **self.body_schema()}
        defs = self.referenced_definitions()
        if defs:
            schema["$defs"] = defs
        return schema


def _documented(p: Parameter) -> dict[str, Any]:
    schema = dict(p.schema)
    if p.description and "description" not in schema:
        schema["description"] = p.description
    if not p.required:
        try:
            schema["default"] = json.loads(dump_json(p.default))
        except (ResultError, ValueError):
            pass
    return schema


def _refs(schema: Any) -> Iterable[str]:
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                yield ref.removeprefix("#/$defs/")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def describe(
    func: Callable[..., Any],
    *,
    name: str | None = None,
    definitions: Definitions | None = None,
    extra: ExtraKeys = "forbid",
    limits: Limits | None = None,
    injected: tuple[type, ...] = (),
    response_types: tuple[type, ...] = (),
) -> FunctionOperation:
    """Describe a function as an HTTP operation.

    Reads the signature, the type hints and the docstring once, and compiles the request
    binding for the function.

    Args:
        func: A plain or ``async`` function (or a callable object).
        name: The operation's name; defaults to the function's ``__name__``.
        definitions: The registry for named types, shared by every function of an app.
        extra: Unknown body/query keys are an error (``"forbid"``, the default) or are
            dropped (``"ignore"``, what the legacy packages did). Functions that take
            ``**kwargs`` receive them either way.
        limits: Bounds on body nesting depth and integer length (``Limits()`` by default).
        injected: Types the server passes itself (its request view): a parameter annotated
            with one is not read from the request and not documented.
        response_types: Types of ready responses a function may return: a return
            annotation of one of them (or a union member) has no JSON Schema.

    Raises:
        UnsupportedAnnotationError: An annotation has no JSON form (names the parameter).
        SignatureError: The signature cannot be bound by name (positional-only parameters).
    """
    if extra not in ("forbid", "ignore"):
        raise ValueError(f"extra must be 'forbid' or 'ignore', not {extra!r}")
    limits = limits or Limits()
    target = func if inspect.isroutine(func) else type(func).__call__
    op_name: str = name or getattr(func, "__name__", None) or type(func).__name__
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise SignatureError(f"{op_name}: cannot read the signature: {exc}") from exc
    hints = _type_hints(target, op_name)
    doc = parse_docstring(inspect.getdoc(func))
    definitions = definitions if definitions is not None else Definitions()
    builder = TypeBuilder(definitions, extra=extra)

    fields: list[Field] = []
    placed: list[Placed] = []
    parameters: list[Parameter] = []
    var_keyword: Node | None = None
    form = False
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise SignatureError(
                f"{op_name}(): parameter '{param.name}' is positional-only, so a request "
                "cannot pass it by name; remove the '/' from the signature"
            )
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue  # *args cannot be named in a JSON object; it stays empty
        annotation = hints.get(param.name, REQUIRED)
        kind, text = _KINDS[param.kind], doc.params.get(param.name, "")
        if _bare(annotation) in injected:
            parameters.append(
                Parameter(param.name, kind, annotation, False, param.default, {}, text, "injected")
            )
            continue
        where = f"{op_name}(): parameter '{param.name}'"
        required = param.default is REQUIRED and kind != "var_keyword"
        node = builder.build(annotation, where=where)
        marker = find_source(getattr(annotation, "__metadata__", ()))
        location: Location | None = None if marker is None else marker.location
        key = "" if marker is None else marker.key(param.name)
        if location is not None and kind == "var_keyword":
            raise SignatureError(f"{where}: **kwargs cannot have a location marker")
        form = form or location == "form" or _has_file(node)
        parameters.append(
            Parameter(
                name=param.name,
                kind=kind,
                annotation=annotation,
                required=required,
                default=param.default,
                schema=node.schema(),
                description=text,
                source=location or "auto",
                alias=key if key != param.name else "",
            )
        )
        if kind == "var_keyword":
            var_keyword = node
            continue
        one = Field(param.name, node, required, text, INVALID if required else param.default)
        if location is None or (location == "form" and key == param.name):
            fields.append(one)
        else:
            placed.append(Placed(one, location, key))

    returns = hints.get("return", REQUIRED)
    returns, returns_response = _without_responses(returns, response_types)
    return_node = builder.build(returns, where=f"{op_name}(): return annotation")
    return_schema = {} if returns_response and returns is REQUIRED else return_node.schema()
    return FunctionOperation(
        func=func,
        name=op_name,
        summary=doc.summary,
        description=doc.description,
        parameters=tuple(parameters),
        return_schema=return_schema,
        returns_description=doc.returns,
        is_async=inspect.iscoroutinefunction(target),
        extra=extra,
        definitions=definitions,
        limits=limits,
        _binder=Binder(fields, extra=extra, var_keyword=var_keyword, placed=placed),
        _decoder=JsonDecoder(limits, decimals=_uses_decimal([f.node for f in fields])),
        form=form,
        returns_response=returns_response,
    )


def _bare(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return annotation.__origin__
    return annotation


def _has_file(node: Node) -> bool:
    # a file, a list of files, or a union with one of them
    inner = [getattr(node, "item", None), *(getattr(node, "members", None) or ())]
    return isinstance(node, FileNode) or any(isinstance(n, Node) and _has_file(n) for n in inner)


def _without_responses(returns: Any, response_types: tuple[type, ...]) -> tuple[Any, bool]:
    """The return annotation without ready-response types, and whether it had any.

    ``-> Response`` leaves nothing to describe (``REQUIRED``); ``-> Item | Response`` leaves
    ``Item``.
    """
    if not response_types:
        return returns, False

    def is_response(member: Any) -> bool:
        bare = _bare(member)
        return isinstance(bare, type) and issubclass(bare, response_types)

    union = typing.get_origin(returns) in (typing.Union, types.UnionType)
    members = typing.get_args(returns) if union else (returns,)
    kept = [m for m in members if not is_response(m)]
    if len(kept) == len(members):
        return returns, False
    return (functools.reduce(operator.or_, kept) if kept else REQUIRED), True


def _type_hints(target: Any, op_name: str) -> dict[str, Any]:
    globalns = getattr(target, "__globals__", None)
    try:
        return typing.get_type_hints(target, globalns=globalns, include_extras=True)
    except (NameError, TypeError, AttributeError):
        pass
    # Find the culprit, to name it in the error.
    raw: dict[str, Any] = getattr(target, "__annotations__", {})
    hints = {}
    for key, annotation in raw.items():
        try:
            one = types.SimpleNamespace(__annotations__={key: annotation})
            hints.update(typing.get_type_hints(one, globalns=globalns, include_extras=True))
        except (NameError, TypeError, AttributeError) as exc:
            where = "return annotation" if key == "return" else f"parameter '{key}'"
            raise UnsupportedAnnotationError(
                annotation, where=f"{op_name}(): {where}", reason=f"cannot be resolved ({exc})"
            ) from exc
    return hints


def _uses_decimal(nodes: list[Node]) -> bool:
    seen: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, DecimalNode):
            return True
        for attr in ("item", "value", "inner", "target"):
            child = getattr(node, attr, None)
            if isinstance(child, Node):
                stack.append(child)
        for attr in ("items", "members"):
            stack.extend(getattr(node, attr, None) or ())
        stack.extend(f.node for f in getattr(node, "fields", None) or ())
    return False
