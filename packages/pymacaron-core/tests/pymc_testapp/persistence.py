"""An x-persist class: an in-memory store (the legacy README's PersistentFoo)."""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
STORE: dict[str, dict[str, Any]] = {}


class PersistentUser:
    @staticmethod
    def load_from_db(id: str) -> Any:
        from pymacaron_core.swagger import ApiPool

        with _LOCK:
            data = STORE.get(id)
        return None if data is None else ApiPool.user.model.User.from_dict(data)

    def save_to_db(self) -> None:
        data: dict[str, Any] = self.to_dict()  # type: ignore[attr-defined]
        with _LOCK:
            STORE[data["id"]] = data
