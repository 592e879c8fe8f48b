"""``manage.py worker`` end to end, on real Redis: jobs enqueued by mutations run in a
worker subprocess; rollbacks send nothing; failures are retried then dead-lettered;
SIGTERM lets running jobs finish; SIGKILL loses nothing; Redis down is waited out.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory
from tests.e2e.conftest import assert_one_error_line, manage
from tests.jobs_support import (
    JOBS_SETTINGS_MODULE,
    RedisNamespace,
    WorkerProcess,
    executions,
    jobs_app,
    notes,
    redis_namespace_fixture,  # noqa: F401
    rows,
    start_worker_fixture,  # noqa: F401
    wait_until,
)

pytestmark = pytest.mark.e2e

Clients = Callable[[Application], TestClient[Any]]
StartWorker = Callable[..., WorkerProcess]

ENQUEUE_NOTE = "mutation($text: String!) { enqueueNote(text: $text) }"
ENQUEUE_THEN_FAIL = "mutation($text: String!) { enqueueThenFail(text: $text) }"
ENQUEUE_FAILING = "mutation($text: String!) { enqueueFailing(text: $text) }"
ENQUEUE_SLOW = (
    "mutation($text: String!, $folder: String!) { enqueueSlowNote(text: $text, folder: $folder) }"
)
READY = "worker ready"


def project(make_app: AppFactory, redis: RedisNamespace) -> Application:
    """The API side: the demo project on the test's database, jobs pushed to Redis."""
    return jobs_app(make_app, job_broker="redis", **redis.settings())


def worker_env(app: Application, redis: RedisNamespace, **extra: str) -> dict[str, str]:
    return {
        "LYS_DATABASE_URL": app.settings.database_url,
        "LYS_JOB_MAX_RETRIES": "2",
        "LYS_JOB_MIN_BACKOFF": "10",
        "LYS_JOB_MAX_BACKOFF": "40",
        **redis.environ(),
        **extra,
    }


def call(client: TestClient[Any], query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()
    return body


def started_markers(folder: Path) -> list[Path]:
    return sorted(folder.glob("started-*"))


def test_a_worker_runs_what_mutations_enqueue(
    make_app: AppFactory,
    redis_namespace: RedisNamespace,
    client_for: Clients,
    start_worker: StartWorker,
    tmp_path: Path,
):
    app = project(make_app, redis_namespace)
    client = client_for(app)
    worker = start_worker(
        "--processes", "1", "--threads", "2", env=worker_env(app, redis_namespace)
    )
    worker.wait_for_log(READY)

    # A committed mutation: its job runs in the worker process.
    assert call(client, ENQUEUE_NOTE, text="from a mutation") == {"data": {"enqueueNote": True}}
    wait_until(lambda: notes(app) == ["from a mutation"], what="the job to run")
    (run,) = executions(app, "record_note")
    assert run.status_id == "SUCCEEDED"

    # A mutation that fails after enqueuing: rolled back, so nothing is sent. A later job
    # runs (the worker is alive and consuming) and nothing else ever shows up.
    failed = call(client, ENQUEUE_THEN_FAIL, text="never")
    assert failed["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert rows(app, "job_outbox") == []
    call(client, ENQUEUE_NOTE, text="afterwards")
    wait_until(lambda: "afterwards" in notes(app), what="the later job")
    assert "never" not in notes(app)
    assert len(executions(app, "record_note")) == 2

    # A job that keeps failing: retried, then dead-lettered, every attempt recorded.
    call(client, ENQUEUE_FAILING, text="doomed")
    runs = wait_until(
        lambda: (
            [r.status_id for r in executions(app, "always_fails")] == ["FAILED", "FAILED", "DEAD"]
            and executions(app, "always_fails")
        ),
        what="two retries and the dead letter",
    )
    assert runs[-1].error == "RuntimeError: boom on attempt 3"
    wait_until(lambda: redis_namespace.dead_letters("default") == 1, what="the dead letter")
    assert "doomed" not in notes(app)

    # SIGTERM while a job runs: the job finishes and commits, then the worker exits.
    folder = tmp_path / "slow"
    folder.mkdir()
    call(client, ENQUEUE_SLOW, text="finished on shutdown", folder=str(folder))
    wait_until(lambda: started_markers(folder), what="the slow job to start")
    worker.signal(signal.SIGTERM)
    threading.Timer(0.5, (folder / "release").touch).start()
    assert worker.wait() == 0, worker.output()
    assert "finished on shutdown" in notes(app)
    (slow,) = executions(app, "slow_note")
    assert slow.status_id == "SUCCEEDED"
    assert "worker stopped" in worker.output()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # one is enough: slow
def test_a_job_killed_with_its_worker_runs_again(
    make_app: AppFactory,
    redis_namespace: RedisNamespace,
    client_for: Clients,
    start_worker: StartWorker,
    tmp_path: Path,
):
    app = project(make_app, redis_namespace)
    env = worker_env(
        app,
        redis_namespace,
        # Declared dead after 1.5 s of silence, and checked on every broker call.
        LYS_JOB_HEARTBEAT_TIMEOUT="1500",
        LYS_JOB_MAINTENANCE_CHANCE="1000000",
    )
    folder = tmp_path / "slow"
    folder.mkdir()
    first = start_worker("--processes", "1", "--threads", "1", env=env)
    first.wait_for_log(READY)
    call(client_for(app), ENQUEUE_SLOW, text="survivor", folder=str(folder))
    wait_until(lambda: started_markers(folder), what="the job to start")
    first.kill()  # SIGKILL, mid-job: nothing gets to clean up

    (folder / "release").touch()
    second = start_worker("--processes", "1", "--threads", "1", env=env)
    wait_until(lambda: notes(app) == ["survivor"], timeout=20, what="the job to run again")
    assert len(started_markers(folder)) == 2
    runs = executions(app, "slow_note")
    assert [run.status_id for run in runs] == ["FAILED", "SUCCEEDED"]
    assert runs[0].error.startswith("WorkerLost:")
    assert runs[0].message_id == runs[1].message_id
    second.signal(signal.SIGTERM)
    assert second.wait() == 0


def test_a_worker_waits_out_redis_being_down(start_worker: StartWorker, tmp_path: Path):
    env = {
        "LYS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LYS_REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
    }
    worker = start_worker("--processes", "1", env=env)
    worker.wait_for_log("retrying in 2 s")
    output = worker.output()
    assert "Redis at 127.0.0.1:1/0 is unreachable (ConnectionError:" in output
    assert "retrying in 1 s" in output
    assert "Traceback" not in output
    assert worker.process.poll() is None  # still there, no crash loop
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_scheduler_fires_periodic_jobs(
    make_app: AppFactory,
    redis_namespace: RedisNamespace,
    start_worker: StartWorker,
):
    app = project(make_app, redis_namespace)
    worker = start_worker("--processes", "1", "--scheduler", env=worker_env(app, redis_namespace))
    wait_until(
        lambda: (
            len([r for r in executions(app, "heartbeat_note") if r.status_id == "SUCCEEDED"]) >= 2
        ),
        timeout=20,
        what="two ticks to run",
    )
    worker.signal(signal.SIGTERM)
    assert worker.wait() == 0
    assert "scheduler started: heartbeat_note (every 1 s)" in worker.output()


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ((), "workers need Redis"),
        (("--queues", "nope"), "unknown queue(s) nope; the jobs use: default, emails"),
    ],
)
def test_worker_refuses_what_cannot_work(arguments: tuple[str, ...], fragment: str):
    start = time.monotonic()
    result = manage(
        "worker", *arguments, env={"LYS_SETTINGS_MODULE": JOBS_SETTINGS_MODULE}, timeout=30
    )
    assert_one_error_line(result, fragment)
    assert time.monotonic() - start < 30
