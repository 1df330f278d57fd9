"""Docstrings -> summary, description and per-parameter descriptions.

Understands the three common styles: Google (``Args:``), NumPy (``Parameters`` with a dashed
underline) and reST/Sphinx (``:param name:``). Pure functions on strings.
"""

from __future__ import annotations

import inspect
import re

from apicore_introspect.frozen import field, frozen

# Section titles, lower case -> what they hold ("other": text the parser skips).
_GOOGLE_SECTIONS = {
    **dict.fromkeys(("args", "arguments", "parameters", "params", "kwargs"), "params"),
    **dict.fromkeys(("keyword args", "keyword arguments", "attributes"), "params"),
    "returns": "returns",
    "return": "returns",
    **dict.fromkeys(("yields", "raises", "exceptions", "examples", "example"), "other"),
    **dict.fromkeys(("note", "notes", "see also", "references", "warning"), "other"),
    **dict.fromkeys(("warnings", "todo"), "other"),
}
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_PARAM = re.compile(r"^\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_PARAM = re.compile(r"^\*{0,2}(\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")
_REST_FIELD = re.compile(
    r"^:(param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$"
)
_REST_RETURNS = re.compile(r"^:(returns?)\s*:\s*(.*)$")
_REST_ANY_FIELD = re.compile(r"^:\w[^:]*:")


@frozen
class Docstring:
    """What a docstring says about a function.

    Attributes:
        summary: The first paragraph, on one line (empty when there is no docstring).
        description: The rest of the free text, without the parameter sections.
        params: Parameter name -> its description.
        returns: The description of the return value.
    """

    summary: str = ""
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)
    returns: str = ""


def parse_docstring(doc: str | None) -> Docstring:
    """Parse a docstring in Google, NumPy or reST style."""
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    free: list[str] = []
    params: dict[str, str] = {}
    returns: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _REST_ANY_FIELD.match(stripped):  # also every :param: and :returns: field
            i = _rest_field(lines, i, params, returns)
            continue
        if i + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[i + 1]) and stripped:
            kind = _GOOGLE_SECTIONS.get(stripped.lower(), "other")
            i = _numpy_section(lines, i + 2, kind, params, returns)
            continue
        header = _GOOGLE_HEADER.match(line)
        if header and header.group(1).lower() in _GOOGLE_SECTIONS:
            kind = _GOOGLE_SECTIONS[header.group(1).lower()]
            i = _google_section(lines, i + 1, kind, params, returns)
            continue
        free.append(line)
        i += 1
    summary, description = _split_free_text(free)
    return Docstring(summary, description, params, _join(returns))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def _google_section(
    lines: list[str], i: int, kind: str, params: dict[str, str], returns: list[str]
) -> int:
    base: int | None = None  # the indent of the section's entries
    entries: list[tuple[list[str], list[str]]] = []  # names, description lines
    while i < len(lines) and not (lines[i].strip() and _indent(lines[i]) == 0):
        line, i = lines[i], i + 1
        if not line.strip():
            continue
        base = _indent(line) if base is None else base
        if kind == "returns":
            returns.append(line.strip())
        elif kind == "params" and _indent(line) == base:
            match = _GOOGLE_PARAM.match(line.strip())
            entries.append(([match.group(1)], [match.group(3)]) if match else ([], []))
        elif kind == "params":
            entries[-1][1].append(line.strip())
    _store(entries, params)
    return i


def _numpy_section(
    lines: list[str], i: int, kind: str, params: dict[str, str], returns: list[str]
) -> int:
    entries: list[tuple[list[str], list[str]]] = [([], [])]  # names, description lines
    while i < len(lines) and not (
        i + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[i + 1]) and lines[i].strip()
    ):
        line, i = lines[i], i + 1
        if not line.strip():
            continue
        if _indent(line) == 0 and kind == "params":
            match = _NUMPY_PARAM.match(line.strip())
            names = [n.strip().lstrip("*") for n in match.group(1).split(",")] if match else []
            entries.append((names, []))
        elif _indent(line) > 0 and kind == "params":
            entries[-1][1].append(line.strip())
        elif _indent(line) > 0 and kind == "returns":
            returns.append(line.strip())
    _store(entries, params)
    return i


def _store(entries: list[tuple[list[str], list[str]]], params: dict[str, str]) -> None:
    for names, text in entries:
        for name in names:
            params[name] = _join(text)


def _rest_field(lines: list[str], i: int, params: dict[str, str], returns: list[str]) -> int:
    stripped = lines[i].strip()
    param, ret = _REST_FIELD.match(stripped), _REST_RETURNS.match(stripped)
    parts = [param.group(3)] if param else [ret.group(2)] if ret else []
    i += 1
    while i < len(lines) and lines[i].strip() and _indent(lines[i]) > 0:
        parts.append(lines[i].strip())
        i += 1
    if param:
        params[param.group(2)] = _join(parts)
    elif ret:
        returns.extend(parts)
    return i


def _split_free_text(free: list[str]) -> tuple[str, str]:
    paragraphs: list[list[str]] = [[]]
    for line in free:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    texts = ["\n".join(p) for p in paragraphs if p]
    if not texts:
        return "", ""
    return " ".join(texts[0].split()), "\n\n".join(texts[1:])
