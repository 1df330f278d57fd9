"""The same kind of API on Flask (WSGI), with symmetric."""

from symmetric import symmetric


@symmetric.router("/add")
def add(a: int, b: int = 0) -> int:
    """Add two numbers."""
    return a + b
