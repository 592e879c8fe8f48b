"""Enqueue after commit: the outbox, rollbacks, Redis outages, eager and held modes."""

from __future__ import annotations

import logging
import uuid

import pytest

from lys import Application, ImproperlyConfigured
from lys.jobs import JobArgumentsError, enqueue
from tests.conftest import AppFactory
from tests.jobs_support import (
    RedisNamespace,
    executions,
    jobs_app,
    notes,
    redis_namespace_fixture,  # noqa: F401
    rows,
    wait_until,
)


def queued(app: Application, queue: str = "default") -> int:
    """Messages waiting in the stub broker's queue."""
    return int(app.jobs.broker.queues[queue].qsize())


def test_a_committed_job_is_pushed_then_run_by_a_worker(make_app: AppFactory):
    app = jobs_app(make_app)
    with app.session() as session:
        message_id = enqueue(session, app.registry, "record_note", "hello")
        # Nothing leaves before the commit.
        assert queued(app) == 0
    assert queued(app) == 1
    assert rows(app, "job_outbox") == []  # pushed, so no longer waiting
    with app.jobs.worker(threads=1):
        app.jobs.join()
    assert notes(app) == ["hello"]
    (run,) = executions(app, "record_note")
    assert run.message_id == str(message_id)
    assert run.status_id == "SUCCEEDED" and run.attempt == 1
    assert run.started_at <= run.ended_at


def test_a_rolled_back_transaction_sends_nothing(make_app: AppFactory):
    app = jobs_app(make_app)
    with pytest.raises(RuntimeError), app.session() as session:
        enqueue(session, app.registry, "record_note", "never")
        raise RuntimeError("the operation failed")
    assert queued(app) == 0
    assert rows(app, "job_outbox") == []


def test_a_rolled_back_savepoint_takes_its_jobs_with_it(make_app: AppFactory):
    app = jobs_app(make_app)
    with app.session() as session:
        savepoint = session.begin_nested()
        enqueue(session, app.registry, "record_note", "undone")
        savepoint.rollback()
        kept = session.begin_nested()
        enqueue(session, app.registry, "record_note", "kept")
        kept.commit()
    with app.jobs.worker(threads=1):
        app.jobs.join()
    assert notes(app) == ["kept"]


def test_job_arguments_must_be_json(make_app: AppFactory):
    app = jobs_app(make_app)
    with pytest.raises(JobArgumentsError) as raised, app.session() as session:
        enqueue(session, app.registry, "record_note", uuid.uuid4())
    assert raised.value.code == "JOB_ARGUMENTS_NOT_JSON"
    assert rows(app, "job_outbox") == []


def test_an_unknown_job_is_refused_with_a_suggestion(make_app: AppFactory):
    app = jobs_app(make_app)
    suggestion = "did you mean 'record_note'"
    with pytest.raises(ImproperlyConfigured, match=suggestion), app.session() as session:
        enqueue(session, app.registry, "record_notes", "x")


def test_two_applications_in_one_process_keep_their_jobs_apart(make_app: AppFactory):
    first = jobs_app(make_app)
    second = jobs_app(make_app, create_tables=False)
    assert first.jobs.broker is not second.jobs.broker
    with first.session() as session:
        enqueue(session, first.registry, "record_note", "first")
    assert queued(first) == 1 and queued(second) == 0


def test_jobs_survive_a_redis_outage_in_the_outbox(
    make_app: AppFactory, redis_namespace: RedisNamespace, caplog: pytest.LogCaptureFixture
):
    # The API process commits while Redis is unreachable: the request still succeeds.
    down = jobs_app(
        make_app,
        job_broker="redis",
        redis_url="redis://127.0.0.1:1/0",
        redis_key_prefix=redis_namespace.prefix,
    )
    with caplog.at_level(logging.WARNING, logger="lys.jobs"), down.session() as session:
        message_id = enqueue(session, down.registry, "record_note", "kept safe")
    assert "stays in the outbox" in caplog.text
    (waiting,) = rows(down, "job_outbox")
    assert waiting.id == message_id and waiting.job_name == "record_note"

    # Redis is back: a worker's flush pushes the row, and the job runs once.
    up = jobs_app(make_app, create_tables=False, job_broker="redis", **redis_namespace.settings())
    assert up.jobs.flush_outbox() == 1
    assert rows(up, "job_outbox") == []
    assert redis_namespace.queue_length("default") == 1
    with up.jobs.worker(threads=1):
        wait_until(lambda: notes(up) == ["kept safe"], what="the job to run")
    (run,) = executions(up, "record_note")
    assert run.message_id == str(message_id) and run.status_id == "SUCCEEDED"


def test_a_flush_leaves_rows_the_committing_process_is_still_pushing(make_app: AppFactory):
    app = jobs_app(
        make_app, job_broker="redis", redis_url="redis://127.0.0.1:1/0", job_outbox_retry_delay=60
    )
    with app.session() as session:
        enqueue(session, app.registry, "record_note", "later")
    # Not yet due: the row is left alone (no push attempted, nothing claimed).
    assert app.jobs.flush_outbox() == 0
    (row,) = rows(app, "job_outbox")
    assert row.attempts == 0


def test_eager_mode_runs_jobs_right_after_the_commit(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
):
    app = jobs_app(make_app, job_broker="auto")  # dev, no REDIS_URL
    assert app.jobs.mode == "eager"
    with caplog.at_level(logging.WARNING, logger="lys.jobs"):
        app.jobs.announce()
    assert "jobs run in this process right after each commit" in caplog.text
    with app.session() as session:
        enqueue(session, app.registry, "record_note", "now")
        session.flush()
        assert notes(app) == []  # not before the commit
    assert notes(app) == ["now"]
    with pytest.raises(RuntimeError), app.session() as session:
        enqueue(session, app.registry, "record_note", "never")
        raise RuntimeError("rolled back")
    assert notes(app) == ["now"]
    assert rows(app, "job_outbox") == []
    # A failing eager job is recorded; the commit that sent it stands.
    with app.session() as session:
        enqueue(session, app.registry, "always_fails", "x")
    (failed,) = executions(app, "always_fails")
    assert failed.status_id == "DEAD" and "boom" in failed.error


def test_without_redis_outside_dev_jobs_wait_in_the_outbox(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
):
    app = jobs_app(make_app, job_broker="auto", env="preprod")
    assert app.jobs.mode == "outbox"
    with caplog.at_level(logging.ERROR, logger="lys.jobs"), app.session() as session:
        enqueue(session, app.registry, "record_note", "held")
    assert "jobs wait in the job_outbox table" in caplog.text
    assert [row.job_name for row in rows(app, "job_outbox")] == ["record_note"]
    assert notes(app) == []
