"""pytest configuration for apicore-openapi's own tests: a representative app."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, NamedTuple, TypedDict

import pytest

from apicore_introspect import Definitions, Examples, Range, describe
from apicore_openapi import ApiInfo, Callback, RouteDoc
from apicore_test_support import AUTH_SECURITY_SCHEMES

# Two of the schemes apicore_auth.openapi_security_schemes() returns by default.
SCHEMES = {name: AUTH_SECURITY_SCHEMES[name] for name in ("BearerAuth", "XApiKeyAuth")}


class Color(enum.Enum):
    """A colour."""

    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Item:
    """Something to sell."""

    name: str
    price: Annotated[float, Range(gt=0)]
    tags: set[str] = dataclasses.field(default_factory=set)


class Address(TypedDict):
    """Where to ship."""

    street: str
    zip: str


class Point(NamedTuple):
    """A point."""

    x: int
    y: int


@dataclasses.dataclass
class Prediction:
    """A model's answer."""

    label: str
    score: float | None


def add(a: int, b: int = 372) -> int:
    """Add two numbers.

    Adds ``a`` and ``b``, as the legacy examples did.

    Args:
        a: The first number.
        b: The second number.

    Returns:
        The sum.
    """
    return a + b


def everything(
    count: Annotated[int, Examples(3)],
    ratio: float,
    name: str,
    flag: bool,
    nothing: None,
    blob: bytes,
    items: list[Item],
    unique: set[int],
    pair: tuple[int, str],
    mapping: dict[str, float],
    maybe: str | None,
    either: int | str,
    mode: Literal["fast", "slow"],
    color: Color,
    address: Address,
    point: Point,
    when: datetime.datetime,
    day: datetime.date,
    at: datetime.time,
    span: datetime.timedelta,
    ident: uuid.UUID,
    amount: decimal.Decimal,
    extra: dict[str, Any] | None = None,
) -> Item:
    """Take every supported type.

    Args:
        count: How many.
        ratio: A ratio.
    """
    raise NotImplementedError


def get_item(item_id: int, verbose: bool = False, color: Color = Color.RED) -> Item:
    """Fetch an item.

    Args:
        item_id: The item's id.
        verbose: Include details.
        color: Filter by colour.
    """
    raise NotImplementedError


def delete_item(item_id: int) -> None:
    """Delete an item."""


def secret() -> dict[str, str]:
    """Return a secret."""
    return {}


def predict(features: list[float]) -> Prediction:
    """Run the model (slow: answered by callback).

    Args:
        features: The model's input.
    """
    raise NotImplementedError


async def ping() -> str:
    """Health check."""
    return "pong"


def make_endpoints() -> list[RouteDoc]:
    """The representative app's endpoints (every type, auth, callbacks, path params)."""
    defs = Definitions()
    bearer: tuple[dict[str, list[str]], ...] = ({"BearerAuth": []}, {"XApiKeyAuth": []})
    scoped = ({"BearerAuth": ["admin"]}, {"XApiKeyAuth": ["admin"]})
    return [
        RouteDoc("/add", describe(add, definitions=defs), methods=("post",), tags=("math",)),
        RouteDoc("/everything", describe(everything, definitions=defs), methods=("POST",)),
        RouteDoc(
            "/items/{item_id}",
            describe(get_item, definitions=defs),
            methods=("GET",),
            tags=("items",),
        ),
        RouteDoc(
            "/items/{item_id}",
            describe(delete_item, definitions=defs),
            methods=("DELETE",),
            response_code=204,
            security=scoped,
            security_schemes=SCHEMES,
            deprecated=True,
            tags=("items",),
        ),
        RouteDoc(
            "/secret",
            describe(secret, definitions=defs),
            methods=("GET",),
            security=bearer,
            security_schemes=SCHEMES,
        ),
        RouteDoc(
            "/predict",
            describe(predict, definitions=defs),
            methods=("POST",),
            callback=Callback(),
            security=bearer,
            security_schemes=SCHEMES,
        ),
        RouteDoc("/ping", describe(ping, definitions=defs), methods=("GET", "HEAD")),
    ]


INFO = ApiInfo(
    title="Example API",
    version="1.2.3",
    description="A representative app.",
    servers=("http://127.0.0.1:8000",),
)


@pytest.fixture
def endpoints() -> list[RouteDoc]:
    """The representative app's endpoints."""
    return make_endpoints()


@pytest.fixture
def info() -> ApiInfo:
    """The representative app's info."""
    return INFO


@pytest.fixture
def schemes() -> dict[str, dict[str, Any]]:
    """The security schemes of the representative app."""
    return SCHEMES


@pytest.fixture
def app_factory() -> Callable[[], list[RouteDoc]]:
    """Builds a fresh list of the representative app's endpoints."""
    return make_endpoints
