"""The Celery backend against a real redis-server and real Celery worker processes.

Submitter subprocesses stand in for API server processes: they import the same user module
as the workers (``callback_worker_app``) and submit through its dispatcher. Job counts are
parameters: ``APICORE_CELERY_JOBS`` (default 200; the issue's full run is 500) and
``APICORE_CELERY_KILL_JOBS`` / ``APICORE_CELERY_KILLS`` (default 300 jobs, 10 kills).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from apicore_callbacks import (
    BrokerUnavailableError,
    CallbackRequest,
    Dispatcher,
    Job,
    JobState,
    MissingExtraError,
    RedisJobStore,
    Settings,
    SettingsError,
    SQLiteJobStore,
    generate_secret,
)
from apicore_callbacks.celery import (
    QUEUE,
    TASK_NAME,
    CeleryPublisher,
    bind,
    create_app,
    execute,
    load_dispatcher,
    sweep,
    worker_main,
)
from apicore_callbacks.testing import CallbackReceiver, CallbackSink

TESTS = Path(__file__).parent
SECRET = generate_secret()

SUBMITTER = """
import json, sys
from apicore_callbacks import CallbackRequest
from callback_worker_app import dispatcher
url, first, count, sleep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for i in range(first, first + count):
    sub = dispatcher.submit(
        "add", {"a": i, "b": 1, "sleep": sleep}, CallbackRequest(url), request_id=f"req-{i}"
    )
    print(sub.job.id, i, sub.acceptance.status, flush=True)
"""

STATUS_READER = """
import json, sys, time
from callback_worker_app import dispatcher
ids, want = json.loads(sys.stdin.read()), sys.argv[1]
deadline = time.monotonic() + 15
while True:
    docs = {i: dispatcher.status(i) for i in ids}
    states = {i: (d or {}).get("state") for i, d in docs.items()}
    if all(s == want for s in states.values()) or time.monotonic() > deadline:
        break
    time.sleep(0.1)
print(json.dumps(docs))
"""


@dataclass
class Cluster:
    """A redis-server's URL, a receiver and the worker processes of one test."""

    url: str
    receiver: CallbackReceiver
    runs: Path
    env: dict[str, str]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: Path = Path()

    def start_worker(self, name: str, *options: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "apicore_callbacks", "worker", "callback_worker_app"]
        argv += ["--hostname", f"{name}@%h", "--loglevel", "WARNING"]
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        argv += list(options or ["--pool", "solo"])
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv, env={**self.env, "CALLBACK_TEST_WORKER": name}, stdout=log, stderr=log
        )
        log.close()
        self.workers[name] = proc
        return proc

    def submit(
        self, first: int, count: int, *, sleep: float = 0.0, url: str | None = None
    ) -> subprocess.Popen[str]:
        target = url or self.receiver.url("/cb")
        return subprocess.Popen(
            [sys.executable, "-c", SUBMITTER, target, str(first), str(count), str(sleep)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def statuses(self, ids: list[str], want: str) -> dict[str, dict[str, object] | None]:
        proc = subprocess.run(
            [sys.executable, "-c", STATUS_READER, want],
            env=self.env,
            input=json.dumps(ids),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        docs: dict[str, dict[str, object] | None] = json.loads(proc.stdout)
        return docs

    def run_counts(self) -> Counter[str]:
        if not self.runs.exists():
            return Counter()
        return Counter(line.split()[0] for line in self.runs.read_text().splitlines())

    def workers_that_ran(self) -> set[str]:
        if not self.runs.exists():
            return set()
        return {line.split()[1] for line in self.runs.read_text().splitlines()}

    def stop_workers(self) -> None:
        for proc in self.workers.values():
            if proc.poll() is None:
                proc.kill()
        for proc in self.workers.values():
            proc.wait(10)


def collect(proc: subprocess.Popen[str]) -> dict[str, int]:
    """Wait for a submitter; return ``{job id: i}`` of every job it reported accepted."""
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return parse(out)


def parse(out: str) -> dict[str, int]:
    """Read a submitter's ``<job id> <i> 202`` lines."""
    accepted = {}
    for line in out.splitlines():
        if line.count(" ") == 2:  # a killed process may leave half a line
            job_id, i, status = line.split()
            assert status == "202"
            accepted[job_id] = int(i)
    return accepted


@pytest.fixture
def cluster(redis_url: str, tmp_path: Path) -> Iterator[Cluster]:
    db = 1 + int(uuid.uuid4().int % 15)  # the Celery queue of one test stays out of another's
    url = redis_url.rsplit("/", 1)[0] + f"/{db}"
    store = RedisJobStore(url)
    store.client.flushdb()
    store.close()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "APICORE_CALLBACKS_BROKER": url,
        "APICORE_CALLBACKS_ALLOW": "127.0.0.1/32",
        "APICORE_CALLBACKS_SECRET": SECRET,
        "CALLBACK_TEST_RUNS": str(tmp_path / "runs.txt"),
    }
    with CallbackReceiver(secrets=[SECRET]) as receiver:
        c = Cluster(url, receiver, tmp_path / "runs.txt", env, logs=tmp_path)
        try:
            yield c
        finally:
            c.stop_workers()


def assert_delivered(
    c: Cluster, accepted: dict[str, int], *, timeout: float, unreported: int = 0
) -> None:
    """Every accepted job is delivered, verified, with its own result.

    ``unreported``: jobs an API process may have stored but not reported before it was killed
    (they are delivered too, but the test does not know their ids).
    """
    deadline = time.monotonic() + timeout
    while not set(c.receiver.by_id()) >= set(accepted) and time.monotonic() < deadline:
        time.sleep(0.05)
    by_id = c.receiver.by_id()
    assert set(accepted) - set(by_id) == set(), "jobs lost"
    assert len(set(by_id) - set(accepted)) <= unreported
    for job_id, deliveries in by_id.items():
        for d in deliveries:
            assert d.verified
            if job_id not in accepted:
                continue
            assert d.json() == accepted[job_id] + 1
            assert d.headers["x-request-id"] == f"req-{accepted[job_id]}"


def test_jobs_from_two_api_processes_run_on_two_workers(cluster: Cluster) -> None:
    """N jobs from two API processes, one of them killed and restarted mid-run."""
    n = int(os.environ.get("APICORE_CELERY_JOBS", "200"))
    cluster.start_worker("w1", "--pool", "prefork", "--concurrency", "2")
    cluster.start_worker("w2", "--pool", "prefork", "--concurrency", "2")
    half = n // 2
    api_a = cluster.submit(0, half)
    api_b = cluster.submit(half, 10 * n)  # SIGKILLed after it accepted a quarter of the jobs
    accepted: dict[str, int] = {}
    assert api_b.stdout is not None
    for line in api_b.stdout:
        job_id, i, status = line.split()
        assert status == "202"
        accepted[job_id] = int(i)
        if len(accepted) == n // 4:
            api_b.kill()
            break
    # Every 202 it sent before dying (read through the same buffer as the loop above).
    accepted |= parse(api_b.stdout.read())
    api_b.stdout.close()
    assert api_b.stderr is not None
    api_b.stderr.close()
    assert api_b.wait(10) == -signal.SIGKILL
    restarted = cluster.submit(10 * n, n - len(accepted) - half)
    accepted |= collect(api_a) | collect(restarted)
    assert len(accepted) == n
    assert_delivered(cluster, accepted, timeout=60, unreported=1)
    assert cluster.workers_that_ran() == {"w1", "w2"}
    # GET /jobs/{id} from yet another API process sees every job finished, with its result.
    docs = cluster.statuses(list(accepted), "succeeded")
    for job_id, doc in docs.items():
        assert doc is not None
        assert (doc["state"], doc["result"]) == ("succeeded", accepted[job_id] + 1)


def _last_run_of(c: Cluster, worker: str) -> tuple[str, int] | None:
    """The job id and process id of the last run a worker started."""
    if not c.runs.exists():
        return None
    for line in reversed(c.runs.read_text().splitlines()):
        job_id, name, pid = line.split()
        if name == worker:
            return job_id, int(pid)
    return None


def test_workers_sigkilled_mid_job_lose_nothing(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    n = int(os.environ.get("APICORE_CELERY_KILL_JOBS", "300"))
    kills = int(os.environ.get("APICORE_CELERY_KILLS", "10"))
    # This process is the API server here: submitting in-process keeps a steady supply of
    # jobs between kills without paying an interpreter start per batch.
    api = Dispatcher(settings=Settings(broker=cluster.url))
    store = api.store
    url = cluster.receiver.url("/cb")
    accepted: dict[str, int] = {}

    def submit_one() -> None:
        i = len(accepted)
        sub = api.submit(
            "add", {"a": i, "b": 1, "sleep": 0.05}, CallbackRequest(url), request_id=f"req-{i}"
        )
        accepted[sub.job.id] = i

    # Most kills hit the pool process of prefork worker k2 that runs a job (Celery replaces
    # it and, with reject_on_worker_lost, requeues the message); every third kill takes the
    # whole solo worker k1 down (its message stays unacknowledged in Redis) and restarts it.
    cluster.start_worker("k1")
    cluster.start_worker("k2", "--pool", "prefork", "--concurrency", "2")
    killed = 0
    started = time.monotonic()
    for k in range(kills):
        victim = "k1" if k % 3 == 1 else "k2"
        before = _last_run_of(cluster, victim)
        target = None
        # A restarted Celery worker can take well over 20 s to boot on a loaded machine
        # (seen: 8 of 10 kills at a load average of 11); the wait stays bounded.
        deadline = time.monotonic() + 60
        while target is None and time.monotonic() < deadline:
            # Keep about ten jobs waiting, so the queue never runs dry while a restarted
            # victim boots; past n only if kills remain (reported in the summary).
            if len(accepted) - sum(cluster.run_counts().values()) < 10:
                submit_one()
            last = _last_run_of(cluster, victim)
            job = store.get(last[0]) if last is not None and last != before else None
            if last is not None and job is not None and job.state is JobState.RUNNING:
                target = last[1]
            else:
                time.sleep(0.02)
        if target is None:
            continue
        os.kill(target, signal.SIGKILL)  # mid-job: its run had started and not finished
        killed += 1
        if victim == "k1":
            cluster.workers["k1"].wait(10)
            cluster.start_worker("k1")
    while len(accepted) < n:
        submit_one()
    assert_delivered(cluster, accepted, timeout=60)
    elapsed = time.monotonic() - started
    by_id = cluster.receiver.by_id()
    duplicates = sum(len(d) - 1 for d in by_id.values())
    reruns = sum(cluster.run_counts().values()) - len(accepted)
    docs = cluster.statuses(list(accepted), "succeeded")
    assert {d["state"] for d in docs.values() if d is not None} == {"succeeded"}
    with capsys.disabled():
        print(
            f"\n[celery kill test] {len(accepted)} jobs, {killed} workers SIGKILLed mid-job, "
            f"0 lost, {duplicates} duplicate deliveries (same webhook-id), {reruns} re-runs, "
            f"{elapsed:.1f} s"
        )
    assert len(accepted) >= n
    assert killed == kills
    store.close()


def test_delivery_failure_does_not_run_the_function_again(cluster: Cluster) -> None:
    with CallbackReceiver(secrets=[SECRET], responder=[503]) as receiver:
        accepted = collect(cluster.submit(7, 1, url=receiver.url("/cb")))
        [job_id] = accepted
        # No worker yet: another process reads the job as queued.
        queued = cluster.statuses([job_id], "queued")[job_id]
        assert queued is not None
        assert (queued["state"], queued["runs"]) == ("queued", 0)
        cluster.start_worker("d1")
        assert receiver.wait_for(2, timeout=30)
        first, second = receiver.deliveries
        assert first.webhook_id == second.webhook_id == job_id
        assert first.verified
        assert second.verified
        doc = cluster.statuses([job_id], "succeeded")[job_id]
        assert doc is not None
        assert doc["state"] == "succeeded"
        log = cast("list[dict[str, object]]", doc["attempts"])
        assert [(a["stage"], a["status_code"]) for a in log] == [
            ("run", None),
            ("deliver", 503),
            ("deliver", 200),
        ]
        assert doc["delivery_attempts"] == 2
        assert cluster.run_counts() == {job_id: 1}


# -- in-process: configuration, publish failures, sweeper -------------------------------


def test_app_is_configured_for_at_least_once(redis_url: str) -> None:
    app = create_app(Settings(broker=redis_url, visibility_timeout=7200.0))
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert list(conf.accept_content) == ["json"]
    assert conf.task_serializer == "json"
    assert conf.broker_transport_options["visibility_timeout"] == 7200.0
    assert conf.task_default_queue == QUEUE


def test_app_needs_a_broker() -> None:
    with pytest.raises(SettingsError, match="APICORE_CALLBACKS_BROKER"):
        create_app(Settings())


def test_missing_celery_names_the_extra(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "celery", None)
    with pytest.raises(MissingExtraError, match=r"apicore-callbacks\[celery\]"):
        Dispatcher(settings=Settings(broker=redis_url))


def test_failed_publish_answers_503_and_leaves_no_job(redis_url: str) -> None:
    store = RedisJobStore(redis_url, prefix=f"test:{uuid.uuid4().hex}:")
    published: list[str] = []

    def broken(job: Job) -> None:
        published.append(job.id)
        raise ConnectionError("broker down")

    dispatcher = Dispatcher(store, settings=Settings(broker=redis_url), publisher=broken)
    with pytest.raises(BrokerUnavailableError) as raised:
        dispatcher.submit("add", {"a": 1}, CallbackRequest("https://receiver.example/cb"))
    assert raised.value.problem_fields()["status"] == 503
    assert store.get(published[0]) is None
    assert store.list_jobs() == []
    dispatcher.start()  # a no-op with a publisher: the Celery workers run the jobs
    assert dispatcher.status(published[0]) is None
    store.close()


def test_unreachable_broker_answers_503() -> None:
    dispatcher = Dispatcher(settings=Settings(broker="redis://127.0.0.1:1/0"))
    with pytest.raises(BrokerUnavailableError):
        dispatcher.submit("add", {"a": 1}, CallbackRequest("https://receiver.example/cb"))


def test_sweep_publishes_due_jobs_once(redis_url: str) -> None:
    settings = Settings(broker=redis_url, republish_after=60.0)
    store = RedisJobStore(redis_url, prefix=f"test:{uuid.uuid4().hex}:")
    published: list[str] = []
    dispatcher = Dispatcher(
        store, settings=settings, publisher=lambda job: published.append(job.id)
    )
    job = dispatcher.submit("add", {"a": 1}, CallbackRequest("https://r.example/cb")).job
    assert published == [job.id]
    publisher = CeleryPublisher(settings, store=store)
    assert sweep(store, publisher, now=time.time()) == 0  # published at submit
    assert sweep(store, publisher, now=time.time() + 61) == 1  # that message was lost?
    requeued = dispatcher.requeue(job.id)
    assert requeued.state is JobState.QUEUED
    assert published == [job.id, job.id]
    store.close()


def test_load_dispatcher(monkeypatch: pytest.MonkeyPatch, redis_url: str, tmp_path: Path) -> None:
    monkeypatch.syspath_prepend(str(TESTS))
    monkeypatch.setenv("APICORE_CALLBACKS_BROKER", redis_url)
    monkeypatch.delitem(sys.modules, "callback_worker_app", raising=False)
    assert isinstance(load_dispatcher("callback_worker_app"), Dispatcher)
    with pytest.raises(SettingsError, match="not a Dispatcher"):
        load_dispatcher("callback_worker_app:RUNS")
    with pytest.raises(SettingsError, match="has no broker"):
        worker_main(Dispatcher(SQLiteJobStore(tmp_path / "jobs.db"), settings=Settings()), [])


def test_accepted_jobs_and_messages_survive_a_redis_crash_with_aof(
    redis_factory: Callable[..., tuple[subprocess.Popen[bytes], int]],
) -> None:
    redis, port = redis_factory(appendonly=True)
    url = f"redis://127.0.0.1:{port}/0"
    api = Dispatcher(settings=Settings(broker=url))
    cb = CallbackRequest("https://receiver.example/cb")
    ids = [api.submit("add", {"a": i, "b": 1}, cb).job.id for i in range(30)]
    redis.send_signal(signal.SIGKILL)  # every 202 above was answered before this crash
    redis.wait(10)
    redis_factory(appendonly=True, port=port)  # restart from the same append-only file
    store = RedisJobStore(url)
    assert [j.state for j in map(store.get, ids) if j is not None] == [JobState.QUEUED] * 30
    assert store.client.llen(QUEUE) == 30  # and so is every task message
    store.close()


def test_task_runs_each_stage_once_and_skips_duplicates(redis_url: str) -> None:
    db = redis_url.rsplit("/", 1)[0] + "/15"
    RedisJobStore(db).client.flushdb()
    sink = CallbackSink(secrets=[SECRET])
    runs: list[str] = []

    def runner(job: Job) -> int:
        runs.append(job.id)
        return int(job.arguments["a"]) * 2

    dispatcher = Dispatcher(
        settings=Settings(broker=db, secrets=(SECRET,)),
        runners={"double": runner},
        transport=sink.transport,
        resolver=sink.resolver,
    )
    app = bind(dispatcher)
    task = app.tasks[TASK_NAME]
    job = dispatcher.submit("double", {"a": 21}, CallbackRequest("https://r.example/cb")).job
    store = dispatcher.store
    assert isinstance(store, RedisJobStore)
    assert store.client.llen(QUEUE) == 1  # the 202 came after the message was in Redis
    assert task(job.id) == "run"  # the task body, called in-process
    assert store.client.llen(QUEUE) == 2  # the delivery is its own message
    assert task(job.id) == "deliver"
    assert task(job.id) == "skipped"  # a duplicate message finds the job finished
    assert task("job_unknown") == "skipped"
    assert runs == [job.id]
    [delivery] = sink.deliveries
    assert (delivery.webhook_id, delivery.json(), delivery.verified) == (job.id, 42, True)
    assert execute(dispatcher, job.id) == "skipped"
    publisher = dispatcher.publisher
    assert isinstance(publisher, CeleryPublisher)
    assert sweep(store, publisher, now=time.time()) == 0  # nothing due, nothing lost
    dispatcher.requeue(job.id)
    assert store.client.llen(QUEUE) == 3  # published once by requeue(), not by the sweeper
    assert sweep(store, publisher, now=time.time()) == 0
    assert task(job.id) == "deliver"
    assert len(sink.deliveries) == 2
    assert runs == [job.id]
    store.close()
