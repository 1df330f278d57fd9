"""A legacy-style symmetric module with one slow callback endpoint (for the restart test)."""

import time

from symmetric import symmetric


@symmetric.router("/work", callback=True)
def work(n: int) -> dict[str, int]:
    """Square a number, slowly."""
    time.sleep(1.0)
    return {"n": n, "square": n * n}
