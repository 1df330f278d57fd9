"""Model classes generated from a spec's schema definitions, and JSON marshalling.

One class per object-like definition (``definitions`` in Swagger 2.0, ``components.schemas``
in OpenAPI 3). Legacy (pymacaron-core) semantics are kept: declared properties read ``None``
when unset and setting ``None`` removes them; unknown attribute *reads* raise
``AttributeError``; unknown attribute *writes* make a plain Python attribute that is not
serialised; ``to_json()`` returns a JSON-able dict.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Protocol

from apicore_specbind._errors import ModelError, UnknownModelError
from apicore_specbind._jsonbody import JSONBodyError, decode_json


class Codec(Protocol):
    """What a model class needs from its spec to (un)marshal nested values."""

    def unmarshal(self, value: Any, schema: Any) -> Any:
        """Turn a validated JSON value into Python values (models, dates) by its schema."""

    def wire(self, value: Any, schema: Any) -> Any:
        """Apply a property's custom format ``to_wire`` conversion, if any."""


class Model:
    """Base class of every generated model class.

    Subclasses are made by the spec loader; build instances with keyword arguments
    (``Pet(name="Rex")``) or from JSON data (``Pet.from_dict({...})``).
    """

    __model_name__: ClassVar[str] = "Model"
    __model_properties__: ClassVar[Mapping[str, Any]] = {}
    __model_required__: ClassVar[frozenset[str]] = frozenset()
    __model_nullable__: ClassVar[frozenset[str]] = frozenset()
    __model_allow_extra__: ClassVar[bool] = True
    __model_schema__: ClassVar[Mapping[str, Any]] = {}
    __model_codec__: ClassVar[Codec | None] = None
    __persistence_class__: ClassVar[str | None] = None

    def __init__(self, **values: Any) -> None:
        object.__setattr__(self, "_values", {})
        for name, value in values.items():
            self._set(name, value, strict=True)

    # -- attribute protocol -------------------------------------------------------------
    def _set(self, name: str, value: Any, *, strict: bool) -> None:
        cls = type(self)
        if name not in cls.__model_properties__ and not cls.__model_allow_extra__ and strict:
            raise ModelError(
                f"{cls.__model_name__} has no property {name!r} and its schema forbids extra "
                f"properties; declared: {', '.join(cls.__model_properties__) or 'none'}"
            )
        if value is None:
            self._values.pop(name, None)
        else:
            self._values[name] = value

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: declared properties and extras live here.
        if name.startswith("__") or name == "_values":
            raise AttributeError(name)
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        if name in type(self).__model_properties__:
            return None
        raise AttributeError(f"Model '{type(self).__model_name__}' has no attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).__model_properties__ or name in self._values:
            self._set(name, value, strict=False)
        else:
            object.__setattr__(self, name, value)  # a local, unserialised attribute

    def __delattr__(self, name: str) -> None:
        if name in type(self).__model_properties__ or name in self._values:
            self._values.pop(name, None)
        else:
            object.__delattr__(self, name)

    def _check_item(self, key: str) -> None:
        if key not in type(self).__model_properties__ and key not in self._values:
            raise AttributeError(f"Model '{type(self).__model_name__}' has no attribute {key}")

    def __getitem__(self, key: str) -> Any:
        self._check_item(key)
        return self._values.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_item(key)
        self._set(key, value, strict=False)

    def __delitem__(self, key: str) -> None:
        self._check_item(key)
        self._values.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        return bool(self._values == other._values)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{type(self).__model_name__}({inner})"

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self, *, keep_datetime: bool = False) -> dict[str, Any]:
        """Return the JSON-able dict of this instance (nested models included).

        ``None`` properties are left out, except required nullable ones, sent as ``null``.

        Args:
            keep_datetime: Leave ``datetime``/``date`` values as Python objects.
        """
        cls = type(self)
        codec = cls.__model_codec__
        out: dict[str, Any] = {}
        for name in cls.__model_required__ & cls.__model_nullable__:
            if name not in self._values:
                out[name] = None
        for name, value in self._values.items():
            schema = cls.__model_properties__.get(name)
            if schema is not None and codec is not None and not keep_datetime:
                value = codec.wire(value, schema)
            out[name] = jsonable(value, keep_datetime=keep_datetime)
        return out

    def to_json(self, *, keep_datetime: bool = False) -> dict[str, Any]:
        """Legacy name of :meth:`to_dict`: returns a JSON-able **dict**, not a string."""
        return self.to_dict(keep_datetime=keep_datetime)

    def dumps(self) -> str:
        """Return this instance as a compact JSON string."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Build an instance from JSON data, converting nested models, arrays and dates.

        No validation happens here (use ``Spec.validate_model``); values that do not fit
        their schema are kept as they are.

        Raises:
            ModelError: ``data`` is not a mapping, or has a property the schema forbids.
        """
        if not isinstance(data, Mapping):
            raise ModelError(f"{cls.__model_name__} needs a JSON object, got {type(data).__name__}")
        codec = cls.__model_codec__
        instance = cls()
        for name, value in data.items():
            schema = cls.__model_properties__.get(name)
            if schema is not None and codec is not None:
                value = codec.unmarshal(value, schema)
            instance._set(str(name), value, strict=True)
        return instance

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str | bytes) -> Any:
        """Like :meth:`from_dict`, also accepting a JSON text (decoded strictly)."""
        if not isinstance(data, (str, bytes)):
            return cls.from_dict(data)
        try:
            decoded = decode_json(data.encode() if isinstance(data, str) else data)
        except JSONBodyError as exc:
            raise ModelError(f"{cls.__model_name__}.from_json: {exc}") from None
        return cls.from_dict(decoded)

    # -- legacy helpers ---------------------------------------------------------------------
    @classmethod
    def get_model_name(cls) -> str:
        """The definition name this class was generated from."""
        return cls.__model_name__

    def update_from_dict(self, data: Mapping[str, Any], *, ignore_none: bool = False) -> None:
        """Set several properties; a ``None`` value removes one unless ``ignore_none``."""
        for name, value in data.items():
            if value is None and ignore_none:
                continue
            self._set(name, value, strict=True)

    def clone(self) -> Any:
        """A deep copy, made through JSON."""
        return type(self).from_dict(self.to_dict())


def jsonable(value: Any, *, keep_datetime: bool = False) -> Any:
    """Turn models, mappings, sequences, dates, UUIDs, decimals, enums into JSON values.

    Raises:
        TypeError: a value has no JSON representation.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Model):
        return value.to_dict(keep_datetime=keep_datetime)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, keep_datetime=keep_datetime) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, keep_datetime=keep_datetime) for v in value]
    if isinstance(value, (dt.date, dt.time)):
        return value if keep_datetime else value.isoformat()
    if isinstance(value, enum.Enum):
        return jsonable(value.value, keep_datetime=keep_datetime)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot turn a {type(value).__name__} into JSON")


class ModelNamespace:
    """The models of one spec: ``spec.models.Pet``, ``spec.models["Pet"]``, ``"Pet" in ...``."""

    def __init__(self, classes: Mapping[str, type[Model]]) -> None:
        self._classes = dict(classes)

    def __getattr__(self, name: str) -> type[Model]:
        try:
            return self._classes[name]
        except KeyError:
            raise AttributeError(
                f"no model {name!r}; defined: {', '.join(self._classes)}"
            ) from None

    def __getitem__(self, name: str) -> type[Model]:
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownModelError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __dir__(self) -> list[str]:
        return sorted(self._classes)

    def __repr__(self) -> str:
        return f"ModelNamespace({', '.join(self._classes)})"


def make_model_class(
    name: str,
    *,
    schema: Mapping[str, Any],
    properties: Mapping[str, Any],
    required: frozenset[str],
    nullable: frozenset[str],
    allow_extra: bool,
    codec: Codec,
    bases: tuple[type, ...] = (),
    persistence: str | None = None,
) -> type[Model]:
    """Create one model class (``type(name, (Model, *bases), ...)``, as legacy did)."""
    namespace: dict[str, Any] = {
        "__model_name__": name,
        "__model_properties__": dict(properties),
        "__model_required__": required,
        "__model_nullable__": nullable,
        "__model_allow_extra__": allow_extra,
        "__model_schema__": schema,
        "__model_codec__": codec,
        "__persistence_class__": persistence,
        "__module__": "apicore_specbind.models",
        "__qualname__": name,
    }
    return type(name, (Model, *bases), namespace)
