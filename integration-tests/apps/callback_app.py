"""A legacy-style asymmetric module with one callback endpoint (for the crash test).

The crash test SIGKILLs the server about every second: a job may then be interrupted more
than the default three times (``max_runs``), after which it would, by design, be delivered
as a "worker crash" failure. Its settings allow more runs, so that every job's result is
delivered.
"""

from apicore_callbacks import Settings
from asymmetric import Asymmetric

asymmetric = Asymmetric(callback_settings=Settings.from_env(max_runs=100))


@asymmetric.router("/work", callback=True)
def work(n: int) -> dict[str, int]:
    """Square a number, later."""
    return {"n": n, "square": n * n}
