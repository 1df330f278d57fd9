from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apicore_callbacks import CallbackRequest, JobState, SQLiteJobStore
from apicore_callbacks._cli import main
from apicore_callbacks.stores import JobSpec


def dead_job(db: Path) -> str:
    store = SQLiteJobStore(db)
    job, _ = store.submit(JobSpec("add", {"a": 1}, CallbackRequest("https://r.example/")), now=0.0)
    [claim] = store.claim("w", now=0.0, lease=5.0)
    store.finish_run(claim, now=0.0, outcome="result", payload=b"1", deliver=False)
    store.close()
    return job.id


def test_list_show_requeue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "jobs.db"
    job_id = dead_job(db)
    assert main(["--db", str(db), "list"]) == 0
    assert job_id in capsys.readouterr().out
    assert main(["show", job_id, "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "failed"
    assert main(["requeue", job_id, "--db", str(db)]) == 0
    assert "delivering" in capsys.readouterr().out
    store = SQLiteJobStore(db)
    job = store.get(job_id)
    store.close()
    assert job is not None
    assert job.state is JobState.DELIVERING


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no job store" in capsys.readouterr().err
    db = tmp_path / "jobs.db"
    dead_job(db)
    assert main(["requeue", "job_nope", "--db", str(db)]) == 1
    assert main(["show", "job_nope", "--db", str(db)]) == 1


def test_module_entry_point(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    job_id = dead_job(db)
    out = subprocess.run(
        [sys.executable, "-m", "apicore_callbacks", "requeue", job_id, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.startswith(job_id)


def test_worker_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--help"]) == 0
    assert "MODULE[:ATTRIBUTE]" in capsys.readouterr().out
    assert main(["worker"]) == 2
    assert "APICORE_CALLBACKS_BROKER" in capsys.readouterr().err


def test_worker_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "no_such_module_for_apicore_tests"]) == 2
    assert "cannot import 'no_such_module_for_apicore_tests'" in capsys.readouterr().err
    assert main(["worker", "apicore_callbacks:__version__"]) == 2
    assert "not a Dispatcher" in capsys.readouterr().err


def test_list_and_requeue_in_redis(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from apicore_callbacks import RedisJobStore

    monkeypatch.setenv("APICORE_CALLBACKS_BROKER", redis_url)
    store = RedisJobStore(redis_url)
    job, _ = store.submit(JobSpec("add", {"a": 1}, CallbackRequest("https://r.example/")), now=0.0)
    store.close()
    assert main(["list", "--limit", "1000"]) == 0
    assert job.id in capsys.readouterr().out
    assert main(["requeue", job.id]) == 0
    assert capsys.readouterr().out.split() == [job.id, "queued"]


def test_cancel_and_list_by_state_with_last_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "jobs.db"
    store = SQLiteJobStore(db)
    job, _ = store.submit(JobSpec("add", {}, CallbackRequest("https://typo.example/")), now=0.0)
    other, _ = store.submit(JobSpec("add", {}, CallbackRequest("https://r.example/")), now=1.0)
    store.close()
    assert main(["cancel", job.id, "--db", str(db)]) == 0
    assert capsys.readouterr().out == f"{job.id}\tcancelled\n"
    assert main(["cancel", job.id, "--db", str(db)]) == 1
    assert "already ended (cancelled)" in capsys.readouterr().err
    assert main(["cancel", "job_nope", "--db", str(db)]) == 1
    capsys.readouterr()
    assert main(["--db", str(db), "list", "--state", "cancelled"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split("\t") == [
        job.id,
        "cancelled",
        '"add"',
        "runs=0",
        "deliveries=0",
        'last_error="cancelled by an operator"',
    ]
    assert main(["--db", str(db), "list", "--state", "queued"]) == 0
    assert capsys.readouterr().out.split("\t")[0] == other.id
