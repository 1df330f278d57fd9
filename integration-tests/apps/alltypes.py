"""An asymmetric app whose document exercises every type apicore documents.

Tuples, Optional references, None, Literal, unions, dataclasses, TypedDicts, NamedTuples,
pydantic models, enums, Decimal, bytes, dates and times, UUIDs, sets, mappings, query and
path parameters. Each function echoes what it received, so a client generated from the
document by a third-party tool can check the round trip against a live server.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple, TypedDict

import pydantic

from apicore_introspect import Length, Range
from asymmetric import asymmetric


class Color(enum.Enum):
    """A colour."""

    RED = "red"
    GREEN = "green"


class Size(enum.IntEnum):
    """A size, as a number."""

    SMALL = 1
    LARGE = 2


@dataclass
class Item:
    """Something to sell.

    Attributes:
        name: What it is.
        price: What it costs.
        color: Its colour, when it has one.
    """

    name: Annotated[str, Length(min=1, max=40)]
    price: Annotated[float, Range(ge=0, le=1e6)]
    color: Color | None = None


class Address(TypedDict):
    """Where to ship."""

    street: str
    zip: str


class Point(NamedTuple):
    """A point."""

    x: int
    y: int


class Pet(pydantic.BaseModel):
    """A pydantic model."""

    name: str = pydantic.Field(min_length=1, max_length=40)
    age: int = pydantic.Field(default=0, ge=0, le=100)


@asymmetric.router("/scalars")
def scalars(
    count: int,
    ratio: float,
    name: str,
    flag: bool,
    blob: bytes,
    amount: Decimal,
    ident: uuid.UUID,
    when: dt.datetime,
    day: dt.date,
) -> dict[str, object]:
    """Scalars: int, float, str, bool, bytes (base64), Decimal, UUID, datetime, date."""
    return {
        "count": count,
        "ratio": ratio,
        "name": name,
        "flag": flag,
        "blob_length": len(blob),
        "amount": str(amount),
        "ident": str(ident),
        "when": when.isoformat(),
        "day": day.isoformat(),
    }


@asymmetric.router("/shapes")
def shapes(
    pair: tuple[int, str],
    point: Point,
    mode: Literal["fast", "slow"],
    either: int | str,
    nothing: None = None,
    maybe: str | None = None,
    tags: set[str] | None = None,
    scores: dict[str, float] | None = None,
) -> dict[str, object]:
    """Shapes: a tuple, a NamedTuple, a Literal, a union, None, Optional, a set, a mapping."""
    return {
        "pair": [pair[0], pair[1]],
        "point": [point.x, point.y],
        "mode": mode,
        "either": either,
        "nothing": nothing,
        "maybe": maybe,
        "tags": sorted(tags or ()),
        "scores": scores or {},
    }


@asymmetric.router("/models", response_code=201)
def models(
    item: Item,
    address: Address,
    pet: Pet,
    color: Color = Color.RED,
    size: Size = Size.SMALL,
    favourite: Item | None = None,
) -> Item:
    """Models: a dataclass, a TypedDict, a pydantic model, enums, an Optional reference."""
    return Item(
        name=f"{item.name} for {pet.name} at {address['street']}",
        price=item.price * size.value,
        color=favourite.color if favourite is not None else color,
    )


@asymmetric.router("/items/{item_id}", methods=["get"])
def get_item(
    item_id: Annotated[int, Range(ge=1, le=1000)],
    color: Color | None = None,
    limit: Annotated[int, Range(ge=1, le=10)] = 3,
) -> list[Item]:
    """Query and path parameters: an integer path parameter, an optional enum, a bound int."""
    return [Item(name=f"item {item_id}.{i}", price=float(i), color=color) for i in range(limit)]


@asymmetric.router("/pair", methods=["get"])
def pair() -> tuple[int, str]:
    """A tuple as the answer."""
    return (1, "one")


@asymmetric.router("/maybe-pet", methods=["get"])
def maybe_pet(name: str = "") -> Pet | None:
    """An Optional pydantic model as the answer (null for an empty name)."""
    return Pet(name=name) if name else None


@asymmetric.router("/remove/{item_id}", methods=["delete"], response_code=204)
def remove(item_id: int) -> None:
    """No content."""
