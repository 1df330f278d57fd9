"""``export``: a document as JSON, YAML or Markdown text, to a string or a file (for CLIs)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, Literal

from apicore_openapi._document import OpenApiVersion
from apicore_openapi._markdown import to_markdown

if TYPE_CHECKING:
    import yaml

ExportFormat = Literal["json", "yaml", "markdown"]

#: The spellings of a version the CLIs accept (``--openapi-version``), and what each means.
OPENAPI_VERSIONS: Mapping[str, OpenApiVersion] = {
    "3.1": "3.1.0",
    "3.1.0": "3.1.0",
    "3.0": "3.0.3",
    "3.0.3": "3.0.3",
}
_DEFAULT_FILES: Mapping[ExportFormat, str] = {
    "json": "openapi.json",
    "yaml": "openapi.yaml",
    "markdown": "documentation.md",
}


def openapi_version(spelling: str) -> OpenApiVersion:
    """The document version a spelling means: ``"3.1"`` -> ``"3.1.0"``, ``"3.0"`` -> ``"3.0.3"``.

    Raises:
        ValueError: Not one of ``OPENAPI_VERSIONS``.
    """
    try:
        return OPENAPI_VERSIONS[spelling.strip()]
    except KeyError:
        choices = ", ".join(OPENAPI_VERSIONS)
        raise ValueError(f"Unknown OpenAPI version {spelling!r}; use one of {choices}.") from None


def export_target(filename: str | None, format: ExportFormat | None) -> tuple[str, ExportFormat]:
    """The file and format an export writes, from what a user gave (either may be missing).

    The format is the one asked for, else the file's extension's (``.yaml``/``.yml``,
    ``.md``/``.markdown``), else JSON; the file defaults to ``openapi.json``,
    ``openapi.yaml`` or ``documentation.md`` after the format. ``"-"`` is standard output.
    """
    if format is None:
        lowered = (filename or "").lower()
        if lowered.endswith((".yaml", ".yml")):
            format = "yaml"
        elif lowered.endswith((".md", ".markdown")):
            format = "markdown"
        else:
            format = "json"
    return filename or _DEFAULT_FILES[format], format


def to_json(document: Mapping[str, Any]) -> str:
    """The document as indented JSON text (keys in the document's order, UTF-8 kept)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@functools.cache
def _dumper() -> type[yaml.SafeDumper]:
    """The YAML dumper class; yaml is imported on first use, not by a server that never needs it."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        """Never writes anchors/aliases (documents must read as plain trees)."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    return _Dumper


def to_yaml(document: Mapping[str, Any]) -> str:
    """The document as YAML (safe dumper, the document's key order, no aliases)."""
    import yaml  # already loaded by _dumper()

    text: str = yaml.dump(
        json.loads(json.dumps(document)),
        Dumper=_dumper(),
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
    render = {"json": to_json, "yaml": to_yaml, "markdown": to_markdown}.get(format)
    if render is None:
        raise ValueError(f"format must be 'json', 'yaml' or 'markdown', not {format!r}")
    text = render(document)
    if file is None:
        return text
    if isinstance(file, str | os.PathLike):
        with open(file, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    else:
        file.write(text)
    return text
