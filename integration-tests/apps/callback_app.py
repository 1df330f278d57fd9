"""A legacy-style asymmetric module with one callback endpoint (for the crash test)."""

from asymmetric import asymmetric


@asymmetric.router("/work", callback=True)
def work(n: int) -> dict[str, int]:
    """Square a number, later."""
    return {"n": n, "square": n * n}
