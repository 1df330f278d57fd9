"""Plain functions served by both apps/sym_calc.py (Flask) and apps/asym_calc.py (Starlette)."""

from __future__ import annotations

from dataclasses import dataclass

_FAILURES: dict[str, int] = {}


@dataclass
class Item:
    """An item.

    Attributes:
        name: What it is.
        price: What it costs.
    """

    name: str
    price: float


def add(a: int, b: int = 372) -> int:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def get_item(item_id: int, verbose: bool = False) -> Item:
    """Fetch an item."""
    return Item(f"item {item_id}", 2.5 if verbose else 1.0)


def flaky(key: str, failures: int = 2) -> str:
    """Fail the first `failures` calls for a key (a server error), then succeed."""
    seen = _FAILURES.setdefault(key, 0)
    if seen < failures:
        _FAILURES[key] = seen + 1
        raise RuntimeError("transient failure")
    return f"ok after {seen} failures"


def secret() -> str:
    """Needs a token."""
    return "hidden"
