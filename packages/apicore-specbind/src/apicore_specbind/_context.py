"""The per-spec context shared by operations and models: schemas, validators, formats."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from apicore_specbind._models import Model
from apicore_specbind._refs import deref
from apicore_specbind._validate import Format, ValidatorFactory

_MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Options:
    """Request/response handling options chosen at load time."""

    validation_status: int = 400
    validate_responses: bool = True
    max_body_size: int | None = None
    max_depth: int = 64
    strict_content_type: bool = False


class Context:
    """Resolves schemas, finds model classes, (un)marshals values; one per loaded spec."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        validators: ValidatorFactory,
        formats: Mapping[str, Format],
        options: Options,
    ) -> None:
        self.document = document
        self.validators = validators
        self.formats = dict(formats)
        self.options = options
        self.model_by_pointer: dict[str, type[Model]] = {}
        self._needs: dict[int, bool] = {}

    def resolve(self, schema: Any) -> Any:
        """Follow ``$ref`` chains; an unresolvable reference resolves to ``{}`` (any)."""
        if isinstance(schema, Mapping) and "$ref" in schema:
            try:
                return deref(self.document, schema, "")[0]
            except KeyError:
                return {}
        return schema

    def model_for(self, schema: Any) -> type[Model] | None:
        """The model class a schema stands for: a ``$ref`` to a definition (possibly nullable)."""
        if not isinstance(schema, Mapping):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.model_by_pointer.get(ref[1:]) or self.model_for(self.resolve(schema))
        for key in ("allOf", "anyOf", "oneOf"):
            subs = schema.get(key)
            if isinstance(subs, list):
                classes = [self.model_for(s) for s in subs if not _is_null(s)]
                if len(classes) == 1 and classes[0] is not None and not schema.get("properties"):
                    return classes[0]
        return None

    def needs_unmarshal(self, schema: Any) -> bool:
        """Whether values of this schema contain models or converted formats (cached)."""
        key = id(schema)
        known = self._needs.get(key)
        if known is None:
            self._needs[key] = True  # provisional: a recursive schema is a model anyway
            known = self._compute_needs(schema, 0)
            self._needs[key] = known
        return known

    def _compute_needs(self, schema: Any, depth: int) -> bool:
        if depth > _MAX_DEPTH or self.model_for(schema) is not None:
            return True
        node = self.resolve(schema)
        if not isinstance(node, Mapping):
            return False
        fmt = self.formats.get(str(node.get("format")))
        if fmt is not None and fmt.to_python is not None:
            return True
        subs: list[Any] = [node.get("items"), node.get("additionalProperties")]
        props = node.get("properties")
        if isinstance(props, Mapping):
            subs.extend(props.values())
        for key in ("allOf", "anyOf", "oneOf"):
            subs.extend(node.get(key) or ())
        return any(self.needs_unmarshal(sub) for sub in subs if isinstance(sub, Mapping))

    def unmarshal(self, value: Any, schema: Any, _depth: int = 0) -> Any:
        """Turn a validated JSON value into models, dates and custom-format values."""
        if _depth > _MAX_DEPTH or not self.needs_unmarshal(schema):
            return value
        cls = self.model_for(schema)
        if cls is not None:
            return cls.from_dict(value) if isinstance(value, Mapping) else value
        node = self.resolve(schema)
        if not isinstance(node, Mapping):
            return value
        if isinstance(value, list):
            items = node.get("items")
            if isinstance(items, Mapping):
                return [self.unmarshal(v, items, _depth + 1) for v in value]
        elif isinstance(value, Mapping):
            props = self.properties_of(node)
            extra = node.get("additionalProperties")
            out: dict[str, Any] = {}
            for key, item in value.items():
                sub = props.get(key, extra if isinstance(extra, Mapping) else None)
                out[key] = item if sub is None else self.unmarshal(item, sub, _depth + 1)
            return out
        elif isinstance(value, str):
            fmt = self.formats.get(str(node.get("format")))
            if fmt is not None and fmt.to_python is not None:
                try:
                    return fmt.to_python(value)
                except (ValueError, TypeError):
                    return value
        return value

    def wire(self, value: Any, schema: Any) -> Any:
        """Apply a custom format's ``to_wire`` to a model property value."""
        node = self.resolve(schema)
        if isinstance(node, Mapping):
            fmt = self.formats.get(str(node.get("format")))
            if fmt is not None and fmt.to_wire is not None and not isinstance(value, str):
                return fmt.to_wire(value)
        return value

    def _all_of(self, node: Mapping[str, Any], depth: int = 0) -> Iterator[Mapping[str, Any]]:
        """The ``allOf`` members of ``node`` (resolved, theirs first), then ``node``."""
        for sub in node.get("allOf") or ():
            resolved = self.resolve(sub)
            if isinstance(resolved, Mapping) and depth < 16:
                yield from self._all_of(resolved, depth + 1)
        yield node

    def properties_of(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """Declared properties, merged through ``allOf`` members."""
        props: dict[str, Any] = {}
        for part in self._all_of(node):
            if isinstance(part.get("properties"), Mapping):
                props.update(part["properties"])
        return props

    def required_of(self, node: Mapping[str, Any]) -> set[str]:
        """Required property names, merged through ``allOf`` members."""
        names: set[str] = set()
        for part in self._all_of(node):
            if isinstance(part.get("required"), list):
                names.update(n for n in part["required"] if isinstance(n, str))
        return names


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"
