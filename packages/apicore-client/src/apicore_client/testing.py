"""Helpers for testing code that uses apicore-client.

- :func:`no_backoff` / :func:`set_no_backoff`: skip the waits between attempts.
- :class:`FaultTransport`: an httpx transport (sync and async) that plays a script of
  faults (:func:`refuse`, :func:`connect_timeout`, :func:`read_timeout`, :func:`reset`,
  :func:`reset_mid_body`) and replies (:func:`status`, :class:`Reply`), recording requests.
- :class:`FakeClock`: inject it as ``clock=`` to make schedules exact and instantaneous.

Example:
    ```python
    from apicore_client import Client
    from apicore_client.testing import FakeClock, FaultTransport, refuse, status

    clock = FakeClock()
    transport = FaultTransport([refuse(), status(503, retry_after=2), status(200)], clock=clock)
    with Client("http://api.test", transport=transport, clock=clock) as client:
        assert client.get("/items").status_code == 200
    assert len(transport.requests) == 3
    assert clock.sleeps[1] == 2.0
    ```
"""

from __future__ import annotations

from apicore_client._clock import no_backoff, set_no_backoff
from apicore_client._fakes import (
    FakeClock,
    Fault,
    FaultKind,
    FaultTransport,
    Reply,
    ScriptExhausted,
    Step,
    connect_timeout,
    read_timeout,
    refuse,
    reset,
    reset_mid_body,
    status,
)

__all__ = [
    "FakeClock",
    "Fault",
    "FaultKind",
    "FaultTransport",
    "Reply",
    "ScriptExhausted",
    "Step",
    "connect_timeout",
    "no_backoff",
    "read_timeout",
    "refuse",
    "reset",
    "reset_mid_body",
    "set_no_backoff",
    "status",
]
