"""Request parts -> call arguments.

Two paths give the same answer. The *fast path* is Python source generated once per
function: it reads each parameter from the decoded body and checks it with inline tests such
as ``type(v) is int``; on anything unusual (a conversion to make, a missing key, an unknown
key, a failed check) it gives up. The *full path* then decodes every parameter with the
nodes, collecting every failure with its location, and either returns the arguments or
raises one ``ValidationError`` listing them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from apicore_introspect._containers import Field, ListNode, UnionNode
from apicore_introspect._errors import ErrorDetail, ValidationError
from apicore_introspect._files import FileNode, UploadFile
from apicore_introspect._markers import Location
from apicore_introspect._nodes import INVALID, Errors, Namespace, Node
from apicore_introspect.frozen import field as frozen_field, frozen

Arguments = tuple[tuple[Any, ...], dict[str, Any]]
Query = Mapping[str, str | list[str]] | Iterable[tuple[str, str]]

_NO_ARGS: tuple[Any, ...] = ()


class _Slow(Exception):
    """The fast path met something it does not handle."""


_MISSING = object()
NO_BODY: Any = type("_NoBody", (), {"__repr__": lambda self: "<NO_BODY>"})()
"""The request had no body (as opposed to a JSON ``null`` body)."""


@frozen
class RequestParts:
    """The request parts that explicitly placed parameters and form bodies read.

    Attributes:
        headers: Header values by lower-case name.
        cookies: Cookie values by name.
        query: Query parameters, grouped by name (for ``Query()`` parameters).
        form: A parsed form body: values by field name, text or ``UploadFile``; ``None``
            when the body is not a form.
    """

    headers: Mapping[str, str] = frozen_field(default_factory=dict)
    cookies: Mapping[str, str] = frozen_field(default_factory=dict)
    query: Mapping[str, list[str]] = frozen_field(default_factory=dict)
    form: Mapping[str, list[Any]] | None = None


@frozen
class Placed:
    """A parameter read from one place under one name (``Header("X-Tenant")``)."""

    field: Field
    location: Location
    key: str


_NO_PARTS = RequestParts()


class Binder:
    """Binds decoded request parts to a function's parameters.

    Args:
        fields: The parameters that can be filled by name, in signature order.
        extra: ``"forbid"`` (unknown keys are errors) or ``"ignore"``.
        var_keyword: The node for ``**kwargs`` values, when the function takes them.
        placed: Parameters with an explicit location marker.
    """

    def __init__(
        self,
        fields: list[Field],
        *,
        extra: str,
        var_keyword: Node | None,
        placed: Iterable[Placed] = (),
    ) -> None:
        self.fields = fields
        self.extra = extra
        self.var_keyword = var_keyword
        self.placed = tuple(placed)
        self.known = frozenset(f.name for f in fields)
        # request names that placed parameters claim, by place: never "unknown" keys
        self.claimed: dict[str, frozenset[str]] = {
            where: frozenset(p.key for p in self.placed if p.location == where)
            for where in ("query", "path", "form")
        }
        self._fast: Callable[[Any], Arguments] = self._compile()

    def bind(
        self,
        body: Any,
        *,
        query: dict[str, list[str]] | None = None,
        path: Mapping[str, str] | None = None,
        parts: RequestParts | None = None,
    ) -> Arguments:
        """Bind a decoded body (``NO_BODY`` for none), query, path and placed parameters.

        Raises:
            ValidationError: Listing every failure.
        """
        if not query and not path and body is not NO_BODY and parts is None and not self.placed:
            try:
                return self._fast(body)
            except _Slow:
                pass
        return self._full(body, query or {}, path or {}, parts or _NO_PARTS)

    def _compile(self) -> Any:
        ns: Namespace = {
            "_Slow": _Slow,
            "_MISSING": _MISSING,
            "_NO_ARGS": _NO_ARGS,
            "_known": self.known,
        }
        lines = ["def _fast(d):", "    if type(d) is not dict: raise _Slow"]
        kwargs = []
        for i, field in enumerate(self.fields):
            var = f"v{i}"
            key = repr(field.name)
            lines.append(f"    {var} = d.get({key}, _MISSING)")
            if field.required:
                lines.append(f"    if {var} is _MISSING: raise _Slow")
            else:
                # a missing optional key yields the default itself, which is not checked;
                # a given value is, even one equal to the default (an explicit null)
                ns[f"_d{i}"] = field.default
                lines.append(f"    if {var} is _MISSING: {var} = _d{i}")
            # the check or conversion below runs only for a value that was given
            guard = "el" if not field.required else ""
            test = field.node.fast(var, ns)
            if test is None:
                ns[f"_n{i}"] = _converter(field.node)
                given = "    else: " if guard else "    "
                lines.append(f"{given}{var} = _n{i}({var})")
            elif test != "True":
                lines.append(f"    {guard}if not {test}: raise _Slow")
            kwargs.append(f"{key}: {var}")
        result = "{" + ", ".join(kwargs) + "}"
        if self.var_keyword is not None or self.extra == "forbid":
            # unknown keys are an error or go to **kwargs: both are the full path's job
            lines.append("    if not d.keys() <= _known: raise _Slow")
        lines.append(f"    return _NO_ARGS, {result}")
        exec(compile("\n".join(lines), "<apicore_introspect binder>", "exec"), ns)
        return ns["_fast"]

    def _full(
        self,
        body: Any,
        query: dict[str, list[str]],
        path: Mapping[str, str],
        parts: RequestParts,
    ) -> Arguments:
        errors: Errors = []
        form = parts.form
        if form is not None:
            # a form body: its fields are text (or files), read like query parameters
            body = {}
            query = {k: list(v) for k, v in form.items() if k not in self.claimed["form"]}
        elif body is NO_BODY:
            body = {}
        elif type(body) is not dict:
            msg = "The body should be a JSON object whose keys are the parameters"
            raise ValidationError((ErrorDetail(("body",), msg, "dict_type"),))
        where = "body" if form is not None else "query"
        values = [(f.name, self._one(f, body, query, path, errors, where)) for f in self.fields]
        values += [(p.field.name, _placed(p, path, parts, errors)) for p in self.placed]
        kwargs = {name: value for name, value in values if value is not _MISSING}
        for source, keys in (("body", body), (where, query)):
            for key in keys:
                if key in self.known or key in path:
                    continue
                if source == "query" and key in self.claimed["query"]:
                    continue
                loc = (source, key)
                if self.var_keyword is not None:
                    node = self.var_keyword
                    value = (
                        node.decode(body[key], loc, errors)
                        if key in body
                        else _from_query(node, query[key], loc, errors)
                    )
                    if value is not INVALID:
                        kwargs[key] = value
                elif self.extra == "forbid":
                    msg = "Unknown parameter; remove it or check its spelling"
                    errors.append(ErrorDetail(loc, msg, "extra_forbidden"))
        if errors:
            raise ValidationError(tuple(errors))
        return _NO_ARGS, kwargs

    def _one(
        self,
        field: Field,
        body: dict[str, Any],
        query: dict[str, list[str]],
        path: Mapping[str, str],
        errors: Errors,
        query_label: str,
    ) -> Any:
        name = field.name
        sources = [
            s
            for s, present in (
                ("path", name in path and name not in self.claimed["path"]),
                (query_label, name in query),
                ("body", name in body),
            )
            if present
        ]
        if len(sources) > 1:
            msg = f"Parameter given more than once (in {' and '.join(sources)})"
            errors.append(ErrorDetail((sources[-1], name), msg, "duplicate_parameter"))
            return _MISSING
        if not sources:
            if field.required:
                where = "query" if query and not body and query_label == "query" else "body"
                errors.append(ErrorDetail((where, name), "Field required", "missing"))
                return _MISSING
            return field.default
        source = sources[0]
        loc = (source, name)
        if source == "body" and name in body:  # a form's fields are under "body" too
            value = field.node.decode(body[name], loc, errors)
        elif source == "path":
            value = field.node.from_text(path[name], loc, errors)
        else:
            value = _from_query(field.node, query[name], loc, errors)
        return _MISSING if value is INVALID else value


def _placed(placed: Placed, path: Mapping[str, str], parts: RequestParts, errors: Errors) -> Any:
    field, where, key = placed.field, placed.location, placed.key
    node, loc = field.node, ("body" if where == "form" else where, key)
    value: Any = _MISSING
    if where == "header" and key.lower() in parts.headers:
        text = parts.headers[key.lower()]
        if _member(node, ListNode) is not None:
            values = [v.strip() for v in text.split(",") if v.strip()]
            value = _from_query(node, values, loc, errors)
        else:
            value = node.from_text(text, loc, errors)
    elif where == "cookie" and key in parts.cookies:
        value = node.from_text(parts.cookies[key], loc, errors)
    elif where == "path" and key in path:
        value = node.from_text(path[key], loc, errors)
    elif where == "query" and parts.query.get(key):
        value = _from_query(node, list(parts.query[key]), loc, errors)
    elif where == "form" and parts.form and parts.form.get(key):
        value = _from_query(node, list(parts.form[key]), loc, errors)
    elif field.required:
        errors.append(ErrorDetail(loc, "Field required", "missing"))
    else:
        return field.default
    return _MISSING if value is INVALID else value


_N = TypeVar("_N", bound=Node)


def _member(node: Node, kind: type[_N]) -> _N | None:
    """``node`` if it is a ``kind``, or the first union member that is one."""
    members = node.members if isinstance(node, UnionNode) else [node]
    return next((m for m in members if isinstance(m, kind)), None)


_NOT_A_FILE = "Input should be a form field, not a file"


def _from_query(node: Node, values: list[Any], loc: tuple[str, str], errors: Errors) -> Any:
    # Query parameters and form fields: text, or ``UploadFile`` for the parts of a
    # multipart body that are files. A list (or ``Optional[list[T]]``...) takes them all.
    listed = _member(node, ListNode)
    if listed is not None:
        for i, value in enumerate(values):
            if isinstance(value, UploadFile) and not isinstance(listed.item, FileNode):
                errors.append(ErrorDetail((*loc, i), _NOT_A_FILE, "string_type"))
                return INVALID
        return listed.from_texts(values, loc, errors)
    if len(values) > 1:
        msg = "Parameter given more than once; it takes a single value"
        errors.append(ErrorDetail(loc, msg, "duplicate_parameter"))
        return INVALID
    if not isinstance(values[0], UploadFile):
        return node.from_text(values[0], loc, errors)
    file = _member(node, FileNode)
    if file is None:
        errors.append(ErrorDetail(loc, _NOT_A_FILE, "string_type"))
        return INVALID
    return file.decode(values[0], loc, errors)


def _converter(node: Node) -> Any:
    def convert(value: Any) -> Any:
        errors: Errors = []
        result = node.decode(value, (), errors)
        if errors:
            raise _Slow
        return result

    return convert


def group_query(query: Query | None) -> dict[str, list[str]]:
    """Group query parameters by name: ``[("a", "1"), ("a", "2")]`` -> ``{"a": ["1", "2"]}``."""
    if isinstance(query, Mapping):
        return {key: list(v) if isinstance(v, list) else [v] for key, v in query.items()}
    grouped: dict[str, list[str]] = {}
    for key, item in query or ():
        grouped.setdefault(key, []).append(item)
    return grouped
