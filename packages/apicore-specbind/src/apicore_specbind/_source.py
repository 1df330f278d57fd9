"""The I/O edge: reading spec files, parsing YAML/JSON safely, fetching remote documents.

Everything else in the package works on the plain Python data returned from here.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from apicore_specbind._errors import SpecIssue, SpecLoadError, UnsafeYAMLError

#: Fetches a remote document (``http(s)://`` URL) and returns its text. Only ever called when
#: remote references were explicitly allowed.
Fetcher = Callable[[str], str]


class _SpecLoader(yaml.SafeLoader):
    """Safe YAML, plus JSON-compatible scalars: dates stay strings, keys become strings.

    OpenAPI is a JSON data model: a YAML ``2024-01-01`` example must stay a string and a
    ``200:`` response code must be the key ``"200"`` (legacy bravado crashed mixing the two).
    """


# Drop the timestamp resolver (a copy, so yaml.SafeLoader itself is untouched).
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _SpecLoader, node: yaml.MappingNode) -> dict[str, Any]:
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


def parse_text(text: str, *, source: str) -> Any:
    """Parse YAML (a superset of JSON) safely; refuse language-specific tags.

    Raises:
        UnsafeYAMLError: the text uses a tag such as ``!!python/object``.
        SpecLoadError: the text is not valid YAML/JSON.
    """
    try:
        return yaml.load(text, Loader=_SpecLoader)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = exc.problem or "unsupported construct"
        if "could not determine a constructor" in problem:
            raise UnsafeYAMLError(
                [
                    SpecIssue(
                        (),
                        f"{problem}{where}: YAML tags that build Python objects are refused; "
                        "remove the tag and use plain YAML/JSON data.",
                    )
                ],
                source=source,
            ) from None
        raise SpecLoadError([SpecIssue((), f"{problem}{where}")], source=source) from None
    except yaml.YAMLError as exc:
        raise SpecLoadError(
            [SpecIssue((), f"not valid YAML or JSON: {exc}")], source=source
        ) from None
    except RecursionError:
        raise SpecLoadError(
            [SpecIssue((), "the document is nested too deeply")], source=source
        ) from None


def read_file(path: Path) -> str:
    """Read a spec file as UTF-8 text.

    Raises:
        SpecLoadError: the file is missing, unreadable or not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issue = SpecIssue((), f"file not found: {path}")
    except UnicodeDecodeError:
        issue = SpecIssue((), f"{path} is not UTF-8 text")
    except OSError as exc:
        issue = SpecIssue((), f"cannot read {path}: {exc.strerror}")
    raise SpecLoadError([issue], source=str(path))


def urllib_fetch(url: str) -> str:
    """Default fetcher for remote ``$ref`` (used only when remote refs are enabled)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read(10 * 1024 * 1024)
    return data.decode("utf-8")
