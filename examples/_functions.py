"""Plain functions shared by the example apps: every argument type the apps support.

Nothing here imports a web framework: `calculator.py` (asymmetric) and
`flask_calculator.py` (symmetric) register these same functions as endpoints. Each
function is total over its documented inputs (bounded numbers, no division by an
unchecked value), so a fuzzer that sends valid data only ever gets a 2xx.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal, TypedDict
from uuid import UUID

from apicore_introspect import Doc, Length, Range

# Bounds keep every result a finite JSON number (no overflow to inf).
Small = Annotated[float, Range(ge=-1e6, le=1e6)]


class Color(enum.Enum):
    """A paint colour."""

    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@dataclass(frozen=True)
class Point:
    """A point in the plane.

    Attributes:
        x: Abscissa.
        y: Ordinate.
    """

    x: Small
    y: Small


class Order(TypedDict):
    """An order line."""

    item: Annotated[str, Length(min=1, max=40)]
    quantity: Annotated[int, Range(ge=1, le=1000)]


@dataclass(frozen=True)
class Receipt:
    """What `checkout` answers."""

    order_id: UUID
    lines: list[Order]
    total: Decimal
    placed_at: dt.datetime
    delivery: dt.date
    color: Color
    express: bool
    note: str | None


def add(a: int, b: int = 372) -> int:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def distance(a: Point, b: Point) -> float:
    """Euclidean distance between two points."""
    return float(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5)


def squares(n: Annotated[int, Range(ge=0, le=50)], offset: int = 0) -> list[int]:
    """The first `n` squares shifted by `offset` (a path parameter and a query parameter)."""
    return [i * i + offset for i in range(n)]


def stats(
    values: Annotated[list[Small], Length(min=1, max=100)],
    method: Literal["mean", "median"] = "mean",
) -> float:
    """Mean or median of a non-empty list (query parameters: `?values=1&values=2`)."""
    return float(statistics.median(values) if method == "median" else statistics.fmean(values))


def checkout(
    order_id: UUID,
    lines: Annotated[list[Order], Length(min=1, max=10)],
    unit_price: Annotated[Decimal, Range(ge=0, le=10_000)],
    placed_at: dt.datetime,
    delivery: dt.date,
    color: Color = Color.RED,
    express: bool = False,
    note: Annotated[str, Length(max=280), Doc("Free text for the courier")] | None = None,
) -> Receipt:
    """Place an order: UUID, TypedDict list, Decimal, datetime, date, Enum, bool, Optional."""
    quantity = sum(line["quantity"] for line in lines)
    return Receipt(
        order_id=order_id,
        lines=lines,
        total=unit_price * quantity,
        placed_at=placed_at,
        delivery=delivery,
        color=color,
        express=express,
        note=note,
    )


def inspect(
    text: str,
    blob: bytes,
    tags: set[Annotated[str, Length(max=20)]],
    pair: tuple[int, str],
    scores: dict[str, Small],
    nothing: None = None,
    maybe: int | None = None,
) -> dict[str, object]:
    """Echo what arrived, typed: str, bytes (base64), set, tuple, dict, None, Optional."""
    return {
        "text": text,
        "blob_length": len(blob),
        "tags": sorted(tags),
        "pair": list(pair),
        "best": max(scores, key=scores.__getitem__) if scores else None,
        "nothing": nothing,
        "maybe": maybe,
    }


def whoami() -> str:
    """A protected endpoint: answers only with a valid token."""
    return "a token holder"


def predict(data: Annotated[list[Small], Length(min=1, max=1000)]) -> dict[str, float]:
    """A long job: the mean and spread of the data, delivered to a callback URL."""
    return {"mean": statistics.fmean(data), "spread": max(data) - min(data)}
