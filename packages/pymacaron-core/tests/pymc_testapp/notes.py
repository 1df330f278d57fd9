"""Notes handlers (OpenAPI 3.1 spec): an in-memory, thread-safe store."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from pymacaron_core.swagger import ApiPool

_LOCK = threading.Lock()
_IDS = itertools.count(1)
NOTES: dict[int, Any] = {}
MAX_NOTES = 10_000

_PROBLEM = {"Content-Type": "application/problem+json"}


def list_notes(q: str | None = None, tags: list[str] | None = None) -> Any:
    with _LOCK:
        notes = list(NOTES.values())
    if q is not None:
        notes = [n for n in notes if q in n.title]
    if tags:
        notes = [n for n in notes if set(tags) <= set(n.tags or ())]
    return notes[:50]


def create_note(body: Any) -> Any:
    Note = ApiPool.notes.model.Note
    with _LOCK:
        note = Note.from_dict({**body.to_dict(keep_datetime=True), "id": next(_IDS)})
        if len(NOTES) >= MAX_NOTES:
            NOTES.pop(next(iter(NOTES)))
        NOTES[note.id] = note
    return note, 201


def get_note(noteId: int) -> Any:
    with _LOCK:
        note = NOTES.get(noteId)
    if note is None:
        problem = {
            "type": "urn:apicore:problem:not-found",
            "title": "Not found",
            "status": 404,
            "detail": f"no note {noteId}",
        }
        return problem, 404, _PROBLEM
    return note
