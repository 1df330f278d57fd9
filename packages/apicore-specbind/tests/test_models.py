from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apicore_specbind import Format, ModelError, Spec, SpecLoadError, jsonable, load_spec

SPECS = Path(__file__).parent / "specs"


def test_legacy_attribute_semantics(petstore: Spec) -> None:
    Pet = petstore.models.Pet
    pet = Pet(name="Rex", id=1)
    assert pet.name == "Rex"
    assert pet.tag is None
    assert pet["id"] == 1
    assert hasattr(pet, "tag")
    assert not hasattr(pet, "local")
    with pytest.raises(AttributeError, match="Model 'Pet' has no attribute local"):
        pet.local  # noqa: B018
    pet.local = 5  # a plain attribute: not serialised, ignored by ==
    assert pet.local == 5
    assert "local" not in pet.to_dict()
    assert pet == Pet(name="Rex", id=1)
    pet.tag = "t"
    assert pet.to_dict() == {"name": "Rex", "id": 1, "tag": "t"}
    del pet.tag
    assert pet.tag is None
    assert hasattr(pet, "tag")
    pet["tag"] = "u"
    del pet["tag"]
    with pytest.raises(AttributeError, match="has no attribute nope"):
        pet["nope"] = 1
    pet.name = None  # None removes, so None == absent (the legacy TODO)
    assert pet == Pet(id=1)
    assert pet != "Rex"
    assert repr(Pet(id=1)) == "Pet(id=1)"
    assert Pet.get_model_name() == "Pet"


def test_nested_models_round_trip(petstore: Spec) -> None:
    data = {
        "name": "Rex",
        "born": "2020-02-29",
        "owner": {"name": "Al", "friend": {"name": "Bo"}},
        "toys": [{"price": 1.5, "label": "ball"}, {"price": 0}],
        "extra": {"kept": True},
    }
    pet = petstore.models.Pet.from_json(data)
    assert pet.born == dt.date(2020, 2, 29)
    assert type(pet.owner.friend) is petstore.models.Owner
    assert type(pet.toys[1]) is petstore.models.Toy
    assert pet.extra == {"kept": True}  # additionalProperties not false: kept
    assert pet.to_json() == data
    assert pet.to_json(keep_datetime=True)["born"] == dt.date(2020, 2, 29)
    assert petstore.models.Pet.from_json(pet.dumps()) == pet
    assert pet.clone() == pet
    assert pet.clone() is not pet
    pet.update_from_dict({"name": None, "tag": "x"})
    assert pet.name is None
    assert pet.tag == "x"
    pet.update_from_dict({"tag": None}, ignore_none=True)
    assert pet.tag == "x"


def test_forbidden_extras_and_bad_input(petstore: Spec) -> None:
    Toy = petstore.models.Toy
    with pytest.raises(ModelError, match="forbids extra properties"):
        Toy(price=1, colour="red")
    with pytest.raises(ModelError, match="forbids"):
        Toy.from_dict({"price": 1, "colour": "red"})
    with pytest.raises(ModelError, match="needs a JSON object"):
        Toy.from_json("[1]")
    with pytest.raises(ModelError, match="Invalid JSON"):
        Toy.from_json("{NaN")


def test_required_nullable_is_sent_as_null(spec_of: Callable[..., Spec]) -> None:
    a = {
        "type": "object",
        "required": ["x"],
        "properties": {"x": {"type": ["string", "null"]}, "y": {"type": "string"}},
    }
    spec = spec_of("3.1.0", components={"schemas": {"A": a}})
    assert spec.models.A().to_dict() == {"x": None}
    assert spec.model_errors("A", spec.models.A()) == []


def _persist_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "persist_fixtures.py").write_text(
        "class PersistentFoo:\n"
        "    @staticmethod\n"
        "    def load_from_db(*args, **kwargs):\n        return 'bob'\n"
        "    def save_to_db(self, *args, **kwargs):\n        return 'foo:' + self.name\n"
        "class Parent:\n    def lol(self):\n        return 'lol'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "persist_fixtures", raising=False)


def _swagger(definitions: dict[str, Any]) -> dict[str, Any]:
    """A Swagger 2.0 document without paths that declares these definitions (models)."""
    info = {"title": "t", "version": "1"}
    return {"swagger": "2.0", "info": info, "paths": {}, "definitions": definitions}


PERSIST_SPEC = _swagger(
    {
        "Foo": {
            "type": "object",
            "x-persist": "persist_fixtures.PersistentFoo",
            "x-parent": "persist_fixtures.Parent",
            "properties": {"name": {"type": "string"}},
        }
    }
)


def test_x_persist_and_x_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _persist_module(tmp_path, monkeypatch)
    Foo = load_spec(PERSIST_SPEC).models.Foo
    assert Foo.load_from_db() == "bob"  # type: ignore[attr-defined]
    foo = Foo(name="a")
    assert foo.save_to_db() == "foo:a"
    assert foo.lol() == "lol"
    assert Foo.__persistence_class__ == "persist_fixtures.PersistentFoo"
    plain = load_spec(PERSIST_SPEC, persist=False).models.Foo
    assert not hasattr(plain, "load_from_db")
    assert plain(name="a").lol() == "lol"


def test_x_persist_import_failure_names_the_path() -> None:
    spec = _swagger({"Foo": {"type": "object", "x-persist": "nowhere_at_all.Cls"}})
    with pytest.raises(
        SpecLoadError, match=r"definitions\.Foo\.x-persist: cannot import 'nowhere_at_all'"
    ):
        load_spec(spec)


def test_custom_format(petstore: Spec) -> None:
    foo = Format("foo", lambda v: v == "foo", to_python=lambda v: ("py", v), to_wire=lambda v: v[1])
    foo_schema = {"type": "object", "properties": {"foo": {"type": "string", "format": "foo"}}}
    spec = load_spec(_swagger({"Foo": foo_schema}), formats=[foo])
    model = spec.models.Foo.from_dict({"foo": "foo"})
    assert model.foo == ("py", "foo")
    assert model.to_dict() == {"foo": "foo"}
    assert spec.model_errors("Foo", {"foo": "123"})[0].type == "format"


def test_jsonable_types() -> None:
    import decimal
    import enum
    import uuid

    class Colour(enum.Enum):
        RED = "red"

    value = {
        "d": decimal.Decimal("2"),
        "f": decimal.Decimal("2.5"),
        "e": Colour.RED,
        "u": uuid.UUID(int=1),
        "b": b"hi",
        "t": (dt.time(1, 2),),
    }
    assert jsonable(value) == {
        "d": 2,
        "f": 2.5,
        "e": "red",
        "u": "00000000-0000-0000-0000-000000000001",
        "b": "aGk=",
        "t": ["01:02:00"],
    }
    with pytest.raises(TypeError, match="cannot turn a object into JSON"):
        jsonable(object())


_names = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
_toys = st.lists(
    st.fixed_dictionaries(
        {"price": st.floats(min_value=0, max_value=1e6, allow_nan=False)},
        optional={"label": st.text(max_size=10)},
    ),
    max_size=3,
)


_leaf: st.SearchStrategy[Any] = st.one_of(st.just({}), st.fixed_dictionaries({"name": _names}))
_owners: st.SearchStrategy[Any] = st.recursive(
    _leaf, lambda inner: st.fixed_dictionaries({"friend": inner, "name": _names}), max_leaves=4
)
_optional: dict[str, st.SearchStrategy[Any]] = {
    "tag": st.text(max_size=5),
    "id": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "born": st.dates().map(dt.date.isoformat),
    "toys": _toys,
    "owner": _owners,
}
_pets: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"name": _names}, optional=_optional
)


@settings(max_examples=40, deadline=None)
@given(data=_pets)
def test_round_trip_property(petstore: Spec, data: dict[str, Any]) -> None:
    assert petstore.model_errors("NewPet", data) == []
    pet = petstore.models.NewPet.from_dict(data)
    assert pet.to_dict() == data
    assert petstore.models.NewPet.from_dict(pet.to_dict()) == pet


@pytest.mark.parametrize("name", ["default", "enum", "example", "const"])
def test_nullable_property_named_like_a_keyword(spec_of: Callable[..., Spec], name: str) -> None:
    # A property (or a schema) named "default" or "enum" is a name, not a literal keyword value:
    # its x-nullable / $ref still take effect.
    schema = {
        "type": "object",
        "properties": {
            name: {"type": "string", "x-nullable": True},
            "ref": {"$ref": f"#/definitions/{name}"},
        },
    }
    definitions = {"A": schema, name: {"type": "integer", "x-nullable": True}}
    spec = spec_of("2.0", paths={}, definitions=definitions)
    assert spec.model_errors("A", {name: None, "ref": None}) == []
    assert spec.model_errors("A", {name: "x", "ref": 3}) == []
    assert spec.model_errors("A", {name: 3}) != []
    assert spec.model_errors("A", {"ref": "x"}) != []


def test_nullable_default_response(spec_of: Callable[..., Spec]) -> None:
    # "default" under responses is the default response, converted like any other.
    responses = {"default": {"description": "d", "schema": {"type": "string", "x-nullable": True}}}
    paths = {"/x": {"get": {"operationId": "x", "responses": responses}}}
    op = spec_of("2.0", paths=paths).operations[0]
    assert op.marshal_response(500, None, validate=True) is None
    with pytest.raises(ValueError, match="does not fit the spec"):
        op.marshal_response(500, 3, validate=True)
