"""``export``: a document as JSON, YAML or Markdown text, to a string or a file (for CLIs)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import IO, Any, Literal

import yaml

from apicore_openapi._markdown import to_markdown

ExportFormat = Literal["json", "yaml", "markdown"]


class _Dumper(yaml.SafeDumper):
    """Safe dumper that never writes anchors/aliases (documents must read as plain trees)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_json(document: Mapping[str, Any]) -> str:
    """The document as indented JSON text (keys in the document's order, UTF-8 kept)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_yaml(document: Mapping[str, Any]) -> str:
    """The document as YAML (safe dumper, the document's key order, no aliases)."""
    text: str = yaml.dump(
        json.loads(json.dumps(document)),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text


def export(
    document: Mapping[str, Any],
    format: ExportFormat = "json",
    file: str | os.PathLike[str] | IO[str] | None = None,
) -> str:
    """Render a document as JSON, YAML or Markdown, and optionally write it.

    Args:
        document: The OpenAPI document.
        format: ``"json"``, ``"yaml"`` or ``"markdown"``.
        file: A path (written as UTF-8, replaced) or an open text stream such as
            ``sys.stdout``; ``None`` only returns the text.

    Returns:
        The text.

    Raises:
        ValueError: Unknown format.
    """
    if format == "json":
        text = to_json(document)
    elif format == "yaml":
        text = to_yaml(document)
    elif format == "markdown":
        text = to_markdown(document)
    else:
        raise ValueError(f"format must be 'json', 'yaml' or 'markdown', not {format!r}")
    if file is None:
        return text
    if isinstance(file, str | os.PathLike):
        with open(file, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    else:
        file.write(text)
    return text
