"""Parsing spec text (pure): JSON with ``json``, YAML with libyaml when available, bounded.

YAML is composed into its node graph first; the graph is measured (nesting depth, nodes added
by aliases, recursive aliases) before any Python object is built, so a "billion laughs"
document is refused in milliseconds instead of exhausting memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from apicore_introspect import DuplicateKeyError, strict_object_hook
from apicore_specbind._errors import SpecLimitError, UnsafeYAMLError, load_error


@dataclass(frozen=True, slots=True)
class SpecLimits:
    """Bounds on every document a spec is loaded from (the root and each ``$ref``'d one).

    Attributes:
        max_bytes: Size of one document (file, text or fetched), in bytes.
        max_depth: Nesting depth of mappings and lists in one document.
        max_alias_nodes: Nodes that YAML aliases (``*name``) may add to one document once
            expanded; a document over it is refused before it is built.
        max_documents: Documents a spec may bundle through ``$ref``.
        fetch_timeout: Seconds to fetch one remote document (remote refs only).
    """

    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 100_000
    max_documents: int = 1000
    fetch_timeout: float = 10.0

    def refuse(self, limit: str, what: str, *, source: str) -> SpecLimitError:
        """The error for a document over ``limit`` (a field name), saying how to raise it."""
        value = getattr(self, limit)
        return SpecLimitError(
            limit,
            f"{what}: over the limit SpecLimits.{limit}={value}; if you trust this document, "
            f"raise it with load_spec(..., limits=SpecLimits({limit}=...))",
            source=source,
        )


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when compiled in


class _SpecLoader(_Base):  # type: ignore[misc]
    """Safe YAML, plus JSON-compatible scalars: dates stay strings, keys become strings.

    OpenAPI is a JSON data model: a YAML ``2024-01-01`` example must stay a string and a
    ``200:`` response code must be the key ``"200"`` (legacy bravado crashed mixing the two).
    """


# Drop the timestamp resolver (a copy, so yaml.SafeLoader itself is untouched).
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool):
            key = "true" if key else "false"
        elif key is None:
            key = "null"
        name = str(key)
        if name in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {name!r}", key_node.start_mark
            )
        result[name] = loader.construct_object(value_node, deep=True)
    return result


_SpecLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_size(size: int, limits: SpecLimits, *, source: str) -> None:
    """Refuse a document of ``size`` bytes over ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise limits.refuse("max_bytes", f"the document has {size} bytes", source=source)


def parse_text(text: str, *, source: str, limits: SpecLimits | None = None) -> Any:
    """Parse JSON or YAML safely within ``limits``; refuse language-specific tags.

    JSON text (starting with ``{`` or ``[``) is parsed with :mod:`json` (fast, duplicate keys
    refused); anything else, and JSON-looking text ``json`` rejects, as YAML.

    Raises:
        UnsafeYAMLError: the text uses a tag such as ``!!python/object``.
        SpecLimitError: the text passes one of ``limits``.
        SpecLoadError: the text is not valid YAML/JSON.
    """
    limits = limits or SpecLimits()
    if len(text) > limits.max_bytes // 4:
        check_size(len(text.encode("utf-8", "surrogatepass")), limits, source=source)
    try:
        return _parse(text, source=source, limits=limits)
    except RecursionError:
        raise limits.refuse(
            "max_depth", "the document is nested too deeply", source=source
        ) from None


def _parse(text: str, *, source: str, limits: SpecLimits) -> Any:
    if text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        try:
            return json.loads(
                text.lstrip("\ufeff"),
                object_pairs_hook=strict_object_hook,
                parse_constant=_refuse_constant,
            )
        except DuplicateKeyError as exc:
            raise load_error(f"duplicate key {exc.key!r}", source) from None
        except ValueError:
            pass  # YAML flow style ({a: 1}) or a syntax error: YAML says which
    loader = _SpecLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, limits, source)
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        problem = f"{exc.problem or 'unsupported construct'}{_where(exc.problem_mark)}"
        if "could not determine a constructor" in problem:
            raise load_error(
                f"{problem}: YAML tags that build Python objects are refused; "
                "remove the tag and use plain YAML/JSON data.",
                source,
                UnsafeYAMLError,
            ) from None
        raise load_error(problem, source) from None
    except yaml.MarkedYAMLError as exc:
        # Our own wording: PyYAML's names the stream "<unicode string>", not the file.
        context = f"{exc.context}{_where(exc.context_mark)}, " if exc.context else ""
        problem = f"{exc.problem or 'syntax error'}{_where(exc.problem_mark)}"
        raise load_error(f"not valid YAML or JSON: {context}{problem}", source) from None
    except yaml.YAMLError as exc:
        raise load_error(f"not valid YAML or JSON: {exc}", source) from None
    finally:
        loader.dispose()


def _where(mark: Any) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _measure(root: yaml.Node, limits: SpecLimits, source: str) -> None:
    """Walk the composed graph once (memoised); refuse it before it is built if too big.

    A node reached a second time is an alias: its whole (memoised) size counts against
    ``max_alias_nodes``, and its height against ``max_depth`` at the new place.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(collection node) -> (size, height)
    active: set[int] = set()
    added = 0

    def walk(node: yaml.Node, depth: int) -> tuple[int, int]:
        nonlocal added
        if isinstance(node, yaml.ScalarNode):
            return 1, 0
        key = id(node)
        known = measured.get(key)
        if known is not None:
            added += known[0]
            if added > limits.max_alias_nodes:
                raise limits.refuse(
                    "max_alias_nodes",
                    f"YAML aliases expand to more than {added} nodes "
                    f"(line {node.start_mark.line + 1})",
                    source=source,
                )
            if depth + known[1] > limits.max_depth:
                raise limits.refuse("max_depth", "the document is nested too deeply", source=source)
            return known
        if depth >= limits.max_depth:
            raise limits.refuse(
                "max_depth",
                f"the document is nested more than {limits.max_depth} levels deep "
                f"(line {node.start_mark.line + 1})",
                source=source,
            )
        if key in active:
            raise load_error(
                f"a YAML alias refers to itself (line {node.start_mark.line + 1})", source
            )
        active.add(key)
        children: list[yaml.Node] = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        size, height = 1, 0
        for child in children:
            child_size, child_height = walk(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
        active.discard(key)
        measured[key] = (size, height)
        return size, height

    walk(root, 0)
