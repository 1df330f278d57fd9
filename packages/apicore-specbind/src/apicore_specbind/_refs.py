"""``$ref`` handling: bundling external documents into one, pointers, cycle-safe dereferencing.

A loaded spec is *bundled*: every document reached through a relative-file (or, when enabled,
remote) ``$ref`` is copied under ``x-apicore-bundled`` in the root document and the reference is
rewritten to a local one. Downstream code only ever sees local ``#/...`` references, and never
inlines them, so recursive schemas stay finite.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apicore_specbind._errors import SpecIssue, SpecLimitError, SpecLoadError
from apicore_specbind._parse import SpecLimits, parse_text
from apicore_specbind._source import Fetcher, FileStamp, load_file

BUNDLE_KEY = "x-apicore-bundled"
_MAX_REF_CHAIN = 64
_DATA_KEYS = frozenset({"example", "default", "enum", "const"})
# Keys whose value maps names to schemas or objects: there, "default" or "enum" is a name (a
# property, a schema, the `default` response), not a keyword with a literal value.
NAME_MAPS = frozenset(
    {
        "properties", "patternProperties", "dependencies", "definitions", "$defs",
        "schemas", "responses", "parameters", "requestBodies", "headers", "paths",
        "content", "encoding", "callbacks", "links", "securityDefinitions", "securitySchemes",
    }
)  # fmt: skip


def is_literal(key: object, literal: frozenset[str], names: bool) -> bool:
    """Whether ``key``'s value is literal data: a ``literal`` key, outside a map of names."""
    return not names and key in literal


def holds_names(key: object, names: bool) -> bool:
    """Whether ``key``'s value (in a mapping that is, or is not, a map of ``names``) maps names."""
    return not names and key in NAME_MAPS


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(path: tuple[str | int, ...]) -> str:
    """Build a JSON pointer (``/a/b~1c``) from a path of keys."""
    return "".join("/" + escape(str(part)) for part in path)


def split_pointer(ptr: str) -> tuple[str, ...]:
    """Split a JSON pointer into unescaped tokens (percent-encoding decoded)."""
    ptr = urllib.parse.unquote(ptr)
    if not ptr:
        return ()
    if not ptr.startswith("/"):
        raise KeyError(ptr)
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in ptr[1:].split("/"))


def lookup(doc: Any, ptr: str) -> Any:
    """Return the node at a JSON pointer, or raise ``KeyError``."""
    node = doc
    for token in split_pointer(ptr):
        if isinstance(node, Mapping):
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node


def deref(doc: Any, node: Any, ptr: str) -> tuple[Any, str]:
    """Follow local ``$ref`` from ``node`` (at ``ptr``) to a node that is not one.

    Returns that node and its pointer; raises ``KeyError`` when a reference points nowhere or
    the chain loops.
    """
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if not ref.startswith("#") or ref in seen or len(seen) > _MAX_REF_CHAIN:
            raise KeyError(ref)
        seen.add(ref)
        ptr = ref[1:]
        node = lookup(doc, ptr)
    return node, ptr


_ANCHOR_KEYS = ("$anchor", "$dynamicAnchor")
_DYNAMIC_KEYS = ("$dynamicRef", "$recursiveRef")
_ROOT_BASE = "file:///apicore-spec-root"


@functools.lru_cache(maxsize=256)
def _base_of(location: str | None) -> str:
    if location is None:
        return _ROOT_BASE
    if location.startswith(("http://", "https://")):
        return location
    return Path(location).as_uri()


def walk(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[Mapping[str, Any], tuple[str | int, ...], bool]]:
    """Every mapping of a JSON tree, parents first: the mapping, its path, whether it maps names.

    Literal data (examples, defaults, enums) is not entered.
    """
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(node, path, False)]
    while stack:
        node, path, names = stack.pop()
        if isinstance(node, Mapping):
            yield node, path, names
            stack.extend(
                (value, (*path, key), holds_names(key, names))
                for key, value in node.items()
                if isinstance(value, (Mapping, list)) and not is_literal(key, _DATA_KEYS, names)
            )
        elif isinstance(node, list):
            stack.extend((value, (*path, i), False) for i, value in enumerate(node))


class _Index:
    """Where the embedded schema resources (``$id``) and anchors of one document are."""

    def __init__(self, document: Any, base: str, prefix: tuple[str | int, ...]) -> None:
        self.ids: dict[str, str] = {}
        self.anchors: dict[tuple[str, str], str] = {}
        bases = {prefix: base}  # where an $id sets the base, for what is below it
        for node, path, names in walk(document, prefix):
            if names:
                continue
            current = next(bases[path[:i]] for i in range(len(path), -1, -1) if path[:i] in bases)
            own = node.get("$id")
            if isinstance(own, str):
                current = bases[path] = urllib.parse.urldefrag(urllib.parse.urljoin(current, own))[
                    0
                ]
                self.ids.setdefault(current, pointer(path))
            for key in _ANCHOR_KEYS:
                name = node.get(key)
                if isinstance(name, str):
                    self.anchors.setdefault((current, name), pointer(path))


@dataclass(kw_only=True, eq=False)
class Bundler:
    """Rewrite every ``$ref`` of a document into a local one, loading what it points to.

    JSON Schema 2020-12 identifiers are understood: a ``$ref`` to an embedded ``$id`` or to
    an ``$anchor`` becomes a JSON pointer, and ``$dynamicRef``/``$recursiveRef`` are resolved
    statically (to the ``$dynamicAnchor`` of that name in the same schema resource, or the
    nearest enclosing ``$recursiveAnchor: true``). ``$id`` and ``$recursiveAnchor`` are dropped
    from the bundled copy, since every reference in it is then a pointer from the document's
    root.
    """

    base_dir: Path | None
    allow_remote: bool
    fetch: Fetcher
    source: str
    limits: SpecLimits
    cache: bool
    issues: list[SpecIssue] = field(default_factory=list, init=False)
    stamps: list[FileStamp] = field(default_factory=list, init=False)  # every file read
    fetched: bool = field(default=False, init=False)
    # document location -> bundle key; filled before recursing, so documents that reference
    # each other terminate.
    _loaded: dict[str, str] = field(default_factory=dict, init=False)
    _bundled: dict[str, Any] = field(default_factory=dict, init=False)
    _root: str | None = field(default=None, init=False)
    _documents: dict[str | None, Any] = field(default_factory=dict, init=False)
    _indexes: dict[str | None, _Index] = field(default_factory=dict, init=False)

    def bundle(self, root: Mapping[str, Any], *, location: str | None) -> dict[str, Any]:
        """Return a copy of ``root`` with only local references."""
        self._root = location
        self._documents[location] = root
        result = self._rewrite(root, location, None, (), _base_of(location), None)
        if not isinstance(result, dict):  # pragma: no cover - root is a mapping
            raise TypeError("root must be a mapping")
        if self._bundled:
            result[BUNDLE_KEY] = self._bundled
        return result

    def _rewrite(
        self,
        node: Any,
        location: str | None,
        key: str | None,
        path: tuple[str | int, ...],
        base: str,
        recursive: str | None,
        names: bool = False,
    ) -> Any:
        if len(path) > self.limits.max_depth:
            raise self.limits.refuse(
                "max_depth",
                f"the document is nested more than {self.limits.max_depth} levels deep",
                source=location or self.source,
            )
        if isinstance(node, Mapping) and names:  # a map of names: its values are objects
            return {
                name: self._rewrite(value, location, key, (*path, name), base, recursive)
                for name, value in node.items()
            }
        if isinstance(node, Mapping):
            own = node.get("$id")
            if isinstance(own, str):
                base = urllib.parse.urldefrag(urllib.parse.urljoin(base, own))[0]
            if node.get("$recursiveAnchor") is True:
                recursive = pointer(path)
            out: dict[str, Any] = {}
            for name, value in node.items():
                if name in _DATA_KEYS:
                    out[name] = value  # literal data, never references
                elif (name == "$id" and isinstance(value, str)) or (
                    name == "$recursiveAnchor" and isinstance(value, bool)
                ):
                    continue  # resolved here (2019-09's $recursiveAnchor is no 2020-12 keyword)
                elif name == "$ref" and isinstance(value, str):
                    out[name] = self._rewrite_ref(value, location, key, (*path, name), base)
                elif name in _DYNAMIC_KEYS and isinstance(value, str) and "$ref" not in node:
                    if name == "$recursiveRef" and value == "#" and recursive is not None:
                        out["$ref"] = "#" + recursive
                    else:
                        out["$ref"] = self._rewrite_ref(value, location, key, (*path, name), base)
                else:
                    out[name] = self._rewrite(
                        value, location, key, (*path, name), base, recursive, name in NAME_MAPS
                    )
            return out
        if isinstance(node, list):
            return [
                self._rewrite(v, location, key, (*path, i), base, recursive)
                for i, v in enumerate(node)
            ]
        return node

    def _index(self, location: str | None, key: str | None) -> _Index:
        index = self._indexes.get(location)
        if index is None:
            prefix: tuple[str | int, ...] = () if key is None else (BUNDLE_KEY, key)
            index = _Index(self._documents.get(location), _base_of(location), prefix)
            self._indexes[location] = index
        return index

    def _rewrite_ref(
        self,
        ref: str,
        location: str | None,
        key: str | None,
        path: tuple[str | int, ...],
        base: str,
    ) -> str:
        prefix = "" if key is None else f"/{escape(BUNDLE_KEY)}/{escape(key)}"
        doc_base = _base_of(location)
        if ref.startswith("#/") or ref == "#":
            if base == doc_base:
                return ref if key is None else f"#{prefix}{ref[1:]}"
        index = self._index(location, key)
        absolute, _, fragment = urllib.parse.urljoin(base, ref).partition("#")
        embedded = index.ids.get(absolute)
        if embedded is None and absolute == doc_base:
            embedded = prefix
        if embedded is not None:  # the fragment stays encoded: it is decoded once, when resolved
            return self._in_document(ref, fragment, index, absolute, embedded, path)
        target, _, fragment = ref.partition("#")
        if not target:  # pragma: no cover - handled above (same document)
            return ref
        resolved = self._locate(target, location, path)
        if resolved is None:
            return ref
        if resolved == self._root:
            return self._in_document(ref, fragment, self._index(None, None), _ROOT_BASE, "", path)
        if resolved not in self._loaded:
            self._load(resolved, path)
        new_key = self._loaded.get(resolved)
        if new_key is None:
            return ref
        index, prefix = self._index(resolved, new_key), f"/{escape(BUNDLE_KEY)}/{escape(new_key)}"
        return self._in_document(ref, fragment, index, _base_of(resolved), prefix, path)

    def _in_document(
        self,
        ref: str,
        fragment: str,
        index: _Index,
        base: str,
        prefix: str,
        path: tuple[str | int, ...],
    ) -> str:
        """The pointer or ``$anchor`` ``fragment`` in a document bundled under ``prefix``."""
        if not fragment or fragment.startswith("/"):
            return f"#{prefix}{fragment}"
        anchored = index.anchors.get((base, fragment))
        if anchored is None:
            self.issues.append(SpecIssue(path, f"$ref {ref!r}: no $anchor {fragment!r}"))
            return ref
        return f"#{anchored}"

    def _locate(self, target: str, location: str | None, path: tuple[str | int, ...]) -> str | None:
        base = location or ""
        scheme = urllib.parse.urlsplit(target).scheme
        if not scheme and base.startswith(("http://", "https://")):
            target = urllib.parse.urljoin(base, target)
            scheme = urllib.parse.urlsplit(target).scheme
        if scheme in {"http", "https"}:
            if not self.allow_remote:
                self.issues.append(
                    SpecIssue(
                        path,
                        f"remote $ref {target!r} is not fetched; bundle it into the spec or "
                        "load with allow_remote_refs=True if you trust that server",
                    )
                )
                return None
            return target
        if scheme:
            self.issues.append(SpecIssue(path, f"unsupported $ref scheme {scheme!r} in {target!r}"))
            return None
        if self.base_dir is None:
            self.issues.append(
                SpecIssue(
                    path,
                    f"relative file $ref {target!r} needs a spec loaded from a file "
                    "(or base_dir=...)",
                )
            )
            return None
        current_dir = Path(location).parent if location else self.base_dir
        candidate = (current_dir / urllib.parse.unquote(target)).resolve()
        if not candidate.is_relative_to(self.base_dir):
            self.issues.append(
                SpecIssue(
                    path,
                    f"$ref {target!r} points outside the spec's folder {self.base_dir}; "
                    "only files inside it may be referenced",
                )
            )
            return None
        return str(candidate)

    def _load(self, resolved: str, path: tuple[str | int, ...]) -> None:
        if len(self._loaded) >= self.limits.max_documents:
            raise self.limits.refuse(
                "max_documents",
                f"the spec references more than {len(self._loaded)} documents",
                source=self.source,
            )
        document: Any
        if resolved.startswith(("http://", "https://")):
            self.fetched = True
            try:
                text = self.fetch(resolved)
            except SpecLimitError:
                raise
            except Exception as exc:
                self.issues.append(SpecIssue(path, f"cannot fetch {resolved}: {exc}"))
                return
            document = parse_text(text, source=resolved, limits=self.limits)
        else:
            try:
                document, read = load_file(Path(resolved), limits=self.limits, cache=self.cache)
            except SpecLimitError:
                raise
            except SpecLoadError as exc:
                if any("not valid YAML" in issue.message for issue in exc.issues):
                    raise
                self.issues.append(SpecIssue(path, str(exc).splitlines()[-1].strip(" -")))
                return
            self.stamps.append(read)
        key = resolved
        if self.base_dir is not None and not resolved.startswith(("http://", "https://")):
            key = Path(resolved).relative_to(self.base_dir).as_posix()
        self._loaded[resolved] = key
        self._documents[resolved] = document
        self._bundled[key] = None  # reserve, so mutual references see the key
        self._bundled[key] = self._rewrite(
            document, resolved, key, (BUNDLE_KEY, key), _base_of(resolved), None
        )


def check_local_refs(doc: Any) -> list[SpecIssue]:
    """Report every local ``$ref`` that points nowhere, with the path where it appears."""
    issues: list[SpecIssue] = []
    found: set[str] = set()  # references already resolved (most are repeated)
    for node, path, names in walk(doc):
        ref = node.get("$ref")
        if names or not isinstance(ref, str) or not ref.startswith("#") or ref in found:
            continue
        try:
            lookup(doc, ref[1:])
        except KeyError:
            issues.append(SpecIssue((*path, "$ref"), f"$ref {ref!r} points nowhere"))
        else:
            found.add(ref)
    issues.sort(key=lambda issue: [str(p) for p in issue.path])
    return issues
