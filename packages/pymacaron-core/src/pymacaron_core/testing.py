"""Helpers for testing services built on pymacaron-core.

``isolated_pool()`` gives each test a fresh ``ApiPool`` (the legacy singleton leaked state
between tests); ``server_call_context()`` runs code as if inside a request with a call id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from apicore_introspect import CallContext, call_context
from pymacaron_core._pool import ApiPool, Pool

__all__ = ["isolated_pool", "server_call_context"]


@contextmanager
def isolated_pool() -> Iterator[Pool]:
    """Swap ``ApiPool``'s pool for an empty one inside the ``with`` block.

    Example:
        >>> with isolated_pool():
        ...     ApiPool.add("demo", yaml_str=spec_text)  # doctest: +SKIP
    """
    saved = ApiPool._pool
    fresh = Pool()
    ApiPool._pool = fresh
    try:
        yield fresh
    finally:
        ApiPool._pool = saved


@contextmanager
def server_call_context(
    call_id: str = "test-call-id", call_path: str = "test"
) -> Iterator[CallContext]:
    """Make a call id and path current, as a served request would (for client tests)."""
    with call_context(CallContext(call_id=call_id, call_path=call_path)) as context:
        assert context is not None
        yield context
