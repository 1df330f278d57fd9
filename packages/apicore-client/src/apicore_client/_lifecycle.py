"""Closing a client: ``close()`` and ``with`` for the sync ones, ``aclose()`` and ``async with``."""

from __future__ import annotations

from typing import Any, Self


class Closing:
    """``close()`` and ``with``: what ``_pool()`` returns is closed if this client owns it."""

    _owns: bool

    def _pool(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection pool (unless it was injected, or this is a view)."""
        if self._owns:
            self._pool().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    """``aclose()`` and ``async with``, as :class:`Closing`."""

    _owns: bool

    def _pool(self) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected, or this is a view)."""
        if self._owns:
            await self._pool().aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
