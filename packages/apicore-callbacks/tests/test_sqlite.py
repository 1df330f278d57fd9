"""SQLiteJobStore beyond the store contract (tests/test_stores.py): durability settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from apicore_callbacks import SQLiteJobStore


def test_durable_pragmas(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db")
    db = store._conn()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_synchronous_normal_is_a_choice(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db", synchronous="NORMAL")
    assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteJobStore(tmp_path / "jobs.db", synchronous="OFF")  # type: ignore[arg-type]
