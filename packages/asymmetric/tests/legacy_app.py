"""A legacy-style asymmetric module, served by the real-server tests (``--app-dir tests``)."""

from __future__ import annotations

import asyncio
import os
import time

from asymmetric import asymmetric


@asymmetric.router("/add")
def add(a, b=372):  # type: ignore[no-untyped-def]
    """Adds :a and :b and returns the result of that operation (no annotations: legacy)."""
    return a + b


@asymmetric.router("/another-add")
async def another_async_function(a: int, b: int = 372) -> int:
    """Adds :a and :b asynchronously."""
    await asyncio.sleep(0)
    return a + b


@asymmetric.router("/sample", methods=["get"])
def some_function() -> str:
    """Greets the world."""
    return "Hello World!"


@asymmetric.router("/items/{item_id}", methods=["get"])
def get_item(item_id: int, q: str = "none") -> dict[str, object]:
    """Path and query parameters."""
    return {"item_id": item_id, "q": q}


@asymmetric.router("/slow", methods=["get"])
def slow(seconds: float = 1.0) -> str:
    """A plain function that blocks its thread."""
    time.sleep(min(seconds, 5.0))
    return "done"


@asymmetric.router("/secret", methods=["get"], auth=True)
def secret() -> str:
    """Needs a token."""
    return "classified"


@asymmetric.router("/predict", callback=True)
def predict(data: list[float]) -> dict[str, float]:
    """A callback endpoint."""
    return {"sum": sum(data)}


@asymmetric.router(
    "/predict-custom",
    callback={
        "callback_url_header": "Send-Me-Here",
        "callback_method_header": "Use-Me",
        "custom_callback_key_header": "Put-Me-In-Here",
    },
)
async def predict_custom(data: list[float]) -> float:
    """A callback endpoint with legacy custom header names."""
    await asyncio.sleep(0.01)
    return sum(data)


def _mark(event: str) -> None:
    path = os.environ.get("LIFESPAN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(event + "\n")


@asymmetric.on_startup
def started() -> None:
    _mark("startup")


@asymmetric.on_shutdown
async def stopped() -> None:
    _mark("shutdown")
