"""A legacy-style asymmetric module with a slow and a fast sync endpoint (slow-call test).

``/slow`` holds its worker thread until the file named by ``SLOW_RELEASE`` exists (at most
20 s), like a function waiting on a slow backend.
"""

import os
import time
from pathlib import Path

from asymmetric import asymmetric


@asymmetric.router("/slow")
def slow() -> str:
    """Wait for the release file."""
    release = Path(os.environ["SLOW_RELEASE"])
    deadline = time.monotonic() + 20
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return "slow"


@asymmetric.router("/fast")
def fast() -> str:
    """Answer at once."""
    return "fast"
