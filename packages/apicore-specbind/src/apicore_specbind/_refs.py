"""``$ref`` handling: bundling external documents into one, pointers, cycle-safe dereferencing.

A loaded spec is *bundled*: every document reached through a relative-file (or, when enabled,
remote) ``$ref`` is copied under ``x-apicore-bundled`` in the root document and the reference is
rewritten to a local one. Downstream code only ever sees local ``#/...`` references, and never
inlines them, so recursive schemas stay finite.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apicore_specbind._errors import SpecIssue
from apicore_specbind._source import Fetcher, parse_text, read_file

BUNDLE_KEY = "x-apicore-bundled"
_MAX_REF_CHAIN = 64
_DATA_KEYS = frozenset({"example", "default", "enum", "const"})


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
    """Follow a chain of local ``$ref`` from ``node`` (found at ``ptr``); cycle-safe.

    Returns:
        The first node that is not a reference, and its pointer.

    Raises:
        KeyError: a reference points nowhere, or the chain loops.
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


class Bundler:
    """Rewrite every ``$ref`` of a document into a local one, loading what it points to."""

    def __init__(
        self,
        *,
        base_dir: Path | None,
        allow_remote: bool,
        fetch: Fetcher,
        source: str,
    ) -> None:
        self.base_dir = base_dir.resolve() if base_dir is not None else None
        self.allow_remote = allow_remote
        self.fetch = fetch
        self.source = source
        self.issues: list[SpecIssue] = []
        # document location -> (bundle key, rewritten document); filled before recursing,
        # so documents that reference each other terminate.
        self._loaded: dict[str, str] = {}
        self._bundled: dict[str, Any] = {}
        self._root: str | None = None

    def bundle(self, root: Mapping[str, Any], *, location: str | None) -> dict[str, Any]:
        """Return a copy of ``root`` with only local references."""
        self._root = location
        result = self._rewrite(root, location, None, ())
        if not isinstance(result, dict):  # pragma: no cover - root is a mapping
            raise TypeError("root must be a mapping")
        if self._bundled:
            result[BUNDLE_KEY] = self._bundled
        return result

    def _rewrite(
        self, node: Any, location: str | None, key: str | None, path: tuple[str | int, ...]
    ) -> Any:
        if isinstance(node, Mapping):
            out: dict[str, Any] = {}
            for name, value in node.items():
                if name == "$ref" and isinstance(value, str):
                    out[name] = self._rewrite_ref(value, location, key, (*path, name))
                elif name in _DATA_KEYS:
                    out[name] = value  # literal data, never references
                else:
                    out[name] = self._rewrite(value, location, key, (*path, name))
            return out
        if isinstance(node, list):
            return [self._rewrite(v, location, key, (*path, i)) for i, v in enumerate(node)]
        return node

    def _rewrite_ref(
        self, ref: str, location: str | None, key: str | None, path: tuple[str | int, ...]
    ) -> str:
        target, _, fragment = ref.partition("#")
        if fragment and not fragment.startswith("/"):
            self.issues.append(SpecIssue(path, f"unsupported $ref fragment {ref!r}"))
            return ref
        if not target:
            return ref if key is None else f"#/{escape(BUNDLE_KEY)}/{escape(key)}{fragment}"
        resolved = self._locate(target, location, path)
        if resolved is None:
            return ref
        if resolved == self._root:
            return f"#{fragment}"
        if resolved not in self._loaded:
            self._load(resolved, path)
        new_key = self._loaded.get(resolved)
        if new_key is None:
            return ref
        return f"#/{escape(BUNDLE_KEY)}/{escape(new_key)}{fragment}"

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
        if resolved.startswith(("http://", "https://")):
            try:
                text = self.fetch(resolved)
            except Exception as exc:
                self.issues.append(SpecIssue(path, f"cannot fetch {resolved}: {exc}"))
                return
        else:
            try:
                text = read_file(Path(resolved))
            except Exception as exc:
                self.issues.append(SpecIssue(path, str(exc).splitlines()[-1].strip(" -")))
                return
        document = parse_text(text, source=resolved)
        key = self._key_for(resolved)
        self._loaded[resolved] = key
        self._bundled[key] = None  # reserve, so mutual references see the key
        self._bundled[key] = self._rewrite(document, resolved, key, (BUNDLE_KEY, key))

    def _key_for(self, resolved: str) -> str:
        if self.base_dir is not None and not resolved.startswith(("http://", "https://")):
            key = Path(resolved).relative_to(self.base_dir).as_posix()
        else:
            key = resolved
        return key


def check_local_refs(doc: Any) -> list[SpecIssue]:
    """Report every local ``$ref`` that points nowhere, with the path where it appears."""
    issues: list[SpecIssue] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, Mapping):
            for name, value in node.items():
                if name == "$ref" and isinstance(value, str):
                    if value.startswith("#"):
                        try:
                            lookup(doc, value[1:])
                        except KeyError:
                            issues.append(
                                SpecIssue((*path, name), f"$ref {value!r} points nowhere")
                            )
                elif isinstance(value, (Mapping, list)) and name not in _DATA_KEYS:
                    stack.append((value, (*path, name)))
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
    issues.sort(key=lambda issue: [str(p) for p in issue.path])
    return issues
