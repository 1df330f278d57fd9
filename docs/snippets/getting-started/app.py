"""My first API: plain Python functions, served by asymmetric."""

from asymmetric import asymmetric


@asymmetric.router("/add")
def add(a: int, b: int = 0) -> int:
    """Add two numbers."""
    return a + b


@asymmetric.router("/secret", methods=["get"], auth=True)
def secret() -> str:
    """Answer only callers that send the API token."""
    return "for token holders only"


@asymmetric.router("/mean", callback=True)
def mean(values: list[float]) -> dict[str, float]:
    """A long job: the API answers 202 at once and sends the result to a callback URL."""
    return {"mean": sum(values) / len(values) if values else 0.0}
