"""Python names for operations and parameters (pure)."""

from __future__ import annotations

import keyword
import re

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z_]+")


def snake_case(name: str) -> str:
    """``listPets`` -> ``list_pets``, ``X-Request-ID`` -> ``x_request_id``; always an identifier."""
    name = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name))
    name = _NON_WORD.sub("_", name).strip("_").lower()
    name = re.sub(r"_+", "_", name) or "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def identifier(name: str) -> str:
    """Keep a name as it is when it is already a usable identifier, else snake-case it."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    return snake_case(name)


def derived_operation_name(method: str, path: str) -> str:
    """``GET /pets/{petId}`` -> ``get_pets_by_pet_id``."""
    parts: list[str] = [method.lower()]
    for segment in path.strip("/").split("/"):
        if not segment:
            continue
        if segment.startswith("{") and segment.endswith("}"):
            parts.append("by_" + snake_case(segment[1:-1]))
        else:
            parts.append(snake_case(segment))
    return snake_case("_".join(parts))


def unique(name: str, taken: set[str]) -> str:
    """Return ``name``, or ``name_2``, ``name_3``... whichever is not taken yet; record it."""
    candidate, index = name, 2
    while candidate in taken:
        candidate = f"{name}_{index}"
        index += 1
    taken.add(candidate)
    return candidate
