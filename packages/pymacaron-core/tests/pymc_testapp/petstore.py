"""Petstore handlers (Swagger 2.0 spec): an in-memory, thread-safe store."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from pymacaron_core.swagger import ApiPool

_LOCK = threading.Lock()
_IDS = itertools.count(1)
PETS: dict[int, dict[str, Any]] = {}
MAX_PETS = 10_000  # the store stays bounded however long a load test runs


def _not_found(pet_id: int) -> tuple[dict[str, Any], int]:
    return {
        "type": "urn:apicore:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": f"no pet {pet_id}",
    }, 404


def list_pets(limit: int = 20, tag: str | None = None) -> Any:
    Pet = ApiPool.petstore.model.Pet
    with _LOCK:
        found = [p for p in PETS.values() if tag is None or p.get("tag") == tag]
    return [Pet.from_dict(p) for p in found[:limit]]


def create_pet(new_pet: Any) -> Any:
    Pet = ApiPool.petstore.model.Pet
    with _LOCK:
        pet_id = next(_IDS)
        pet = Pet.from_dict({**new_pet.to_dict(), "id": pet_id})
        if len(PETS) >= MAX_PETS:
            PETS.pop(next(iter(PETS)))
        PETS[pet_id] = pet.to_dict()
    return pet, 201


def get_pet(petId: int) -> Any:
    with _LOCK:
        data = PETS.get(petId)
    if data is None:
        return _not_found(petId)
    return ApiPool.petstore.model.Pet.from_dict(data)


def delete_pet(petId: int) -> Any:
    with _LOCK:
        found = PETS.pop(petId, None)
    if found is None:
        return _not_found(petId)
    return None
