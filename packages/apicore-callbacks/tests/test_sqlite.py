"""SQLiteJobStore beyond the store contract (tests/test_stores.py): durability settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from apicore_callbacks import (
    CallbackRequest,
    JobState,
    SQLiteJobStore,
)
from apicore_callbacks.stores import JobSpec

CB = CallbackRequest("https://receiver.example/hook")


def spec(
    endpoint: str = "add", key: str | None = None, owner: str | None = None, **arguments: object
) -> JobSpec:
    return JobSpec(
        endpoint=endpoint,
        arguments=arguments or {"a": 1},
        callback=CB,
        idempotency_key=key,
        owner=owner,
        request_id="req-1",
    )


@pytest.fixture
def test_durable_pragmas(store: SQLiteJobStore) -> None:
    db = store._conn()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_submit_persists_across_reopen(tmp_path: Path) -> None:
    first = SQLiteJobStore(tmp_path / "jobs.db")
    job, created = first.submit(spec(x=[1, 2]), now=10.0)
    first.close()
    again = SQLiteJobStore(tmp_path / "jobs.db")
    stored = again.get(job.id)
    again.close()
    assert created
    assert stored is not None
    assert stored.arguments == {"x": [1, 2]}
    assert stored.callback == CB
    assert stored.request_id == "req-1"
    assert stored.state is JobState.QUEUED


def test_synchronous_normal_is_a_choice(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db", synchronous="NORMAL")
    assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteJobStore(tmp_path / "jobs.db", synchronous="OFF")  # type: ignore[arg-type]
