"""The attempt history of one logical call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

HISTORY_EXTENSION = "apicore.attempts"
"""The key of ``httpx.Response.extensions`` that holds a successful call's attempt history."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """What happened on one attempt of a call.

    Attributes:
        number: 1 for the first attempt, 2 for the first retry, ...
        started_at: Wall-clock time (seconds since the epoch, from the client's clock) at which
            the attempt started.
        duration: Seconds the attempt took (monotonic clock).
        outcome: ``"response"`` when a response arrived, ``"error"`` when a transport error
            was raised instead.
        status_code: The response status, for ``"response"`` outcomes.
        error: The name of the httpx exception type, for ``"error"`` outcomes
            (``"ConnectError"``, ``"ReadTimeout"``, ...).
        sleep: Seconds slept before the next attempt; ``None`` when no attempt followed.
    """

    number: int
    started_at: float
    duration: float
    outcome: Literal["response", "error"]
    status_code: int | None = None
    error: str | None = None
    sleep: float | None = None


def attempts_of(response: httpx.Response) -> tuple[Attempt, ...]:
    """Return the attempt history a client attached to a response.

    Args:
        response: A response returned by :class:`apicore_client.Client` or
            :class:`apicore_client.AsyncClient`.

    Returns:
        One :class:`Attempt` per attempt, oldest first; empty for responses that did not come
        through an apicore client.
    """
    history = response.extensions.get(HISTORY_EXTENSION, ())
    return history if isinstance(history, tuple) else ()
