"""Handlers bound by `x-bind-server` in `petstore.yaml`: an in-memory, bounded pet store."""

from __future__ import annotations

import functools
import hmac
import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import flask

# The store keeps at most this many pets (oldest dropped), so a fuzzer cannot grow it forever.
MAX_PETS = 500

_lock = threading.Lock()
_ids = itertools.count(1)
_pets: OrderedDict[int, dict[str, Any]] = OrderedDict()


def reset() -> None:
    """Empty the store and restart ids at 1 (for tests that replay call sequences)."""
    global _ids
    with _lock:
        _pets.clear()
        _ids = itertools.count(1)


def _field(obj: Any, name: str) -> Any:
    # The body arrives as a model object; read it the way legacy handlers did.
    return getattr(obj, name, None)


def list_pets(limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
    """GET /pets."""
    with _lock:
        pets = [p for p in reversed(_pets.values()) if status is None or p["status"] == status]
    return pets[: limit or 20]


def create_pet(new_pet: Any) -> tuple[dict[str, Any], int]:
    """POST /pets: 201 and the stored pet."""
    pet: dict[str, Any] = {"name": _field(new_pet, "name"), "status": "available"}
    if _field(new_pet, "tag") is not None:
        pet["tag"] = _field(new_pet, "tag")
    if _field(new_pet, "status") is not None:
        pet["status"] = _field(new_pet, "status")
    with _lock:
        pet["id"] = next(_ids)
        _pets[pet["id"]] = pet
        while len(_pets) > MAX_PETS:
            _pets.popitem(last=False)
    return pet, 201


def get_pet(pet_id: int) -> dict[str, Any] | tuple[dict[str, str], int]:
    """GET /pets/{pet_id}."""
    with _lock:
        pet = _pets.get(pet_id)
    if pet is None:
        return {"error": f"no pet {pet_id}"}, 404
    return pet


def delete_pet(pet_id: int) -> None | tuple[dict[str, str], int]:
    """DELETE /pets/{pet_id}: 204, or 404."""
    with _lock:
        pet = _pets.pop(pet_id, None)
    if pet is None:
        return {"error": f"no pet {pet_id}"}, 404
    return None


def require_api_key(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`x-decorate-server`: 401 unless `X-API-Key` is the `PETSTORE_API_KEY` token."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        expected = os.environ.get("PETSTORE_API_KEY", "")
        given = flask.request.headers.get("X-API-Key", "")
        # Fail closed when no key is configured; compare in constant time.
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            response = flask.jsonify({"error": "UNAUTHORIZED"})
            response.status_code = 401
            return response
        return handler(*args, **kwargs)

    return wrapper
