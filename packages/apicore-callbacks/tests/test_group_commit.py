"""Group commit: concurrent writes share fsyncs, yet each is durable when it returns."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from apicore_callbacks import CallbackRequest, IdempotencyKeyReusedError, SQLiteJobStore
from apicore_callbacks.stores import JobSpec

CB = CallbackRequest("https://receiver.example/hook")


def spec(n: int, key: str | None = None) -> JobSpec:
    return JobSpec(endpoint="work", arguments={"n": n}, callback=CB, idempotency_key=key)


def test_concurrent_writes_are_all_committed_and_visible_to_a_new_reader(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db")
    ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(first: int) -> None:
        try:
            for n in range(first, first + 25):
                job, created = store.submit(spec(n), now=1.0)
                assert created
                # durable on return: another connection (another process) already sees it
                reader = sqlite3.connect(tmp_path / "jobs.db")
                try:
                    row = reader.execute("SELECT id FROM jobs WHERE id = ?", (job.id,)).fetchone()
                finally:
                    reader.close()
                assert row == (job.id,)
                with lock:
                    ids.append(job.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(i * 100,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    store.close()
    assert errors == []
    assert len(set(ids)) == 200
    reopened = SQLiteJobStore(tmp_path / "jobs.db")
    try:
        assert len(reopened.list_jobs(limit=1000)) == 200
    finally:
        reopened.close()


def test_a_failing_write_does_not_undo_the_others_of_its_transaction(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.db")
    store.submit(spec(1, key="k"), now=1.0)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def conflicting() -> None:
        barrier.wait()
        with pytest.raises(IdempotencyKeyReusedError):
            store.submit(spec(2, key="k"), now=1.0)  # same key, other arguments
        with lock:
            outcomes.append("refused")

    def fine(n: int) -> None:
        barrier.wait()
        store.submit(spec(n), now=1.0)
        with lock:
            outcomes.append("created")

    threads = [threading.Thread(target=conflicting)] + [
        threading.Thread(target=fine, args=(10 + i,)) for i in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["created"] * 5 + ["refused"]
    assert len(store.list_jobs(limit=100)) == 6
    store.close()
