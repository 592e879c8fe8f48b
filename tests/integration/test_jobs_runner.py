"""Running jobs: own session, retries then dead letter, records, caller and row scopes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from lys import Application
from lys.auth.principal import Principal
from lys.db.types import utcnow
from lys.jobs import enqueue
from lys.jobs.broker import OutboxMessage
from tests.conftest import AppFactory
from tests.jobs_support import JOBS_APPS, executions, jobs_app, notes, rows, update_rows

SCOPED_APPS = [*JOBS_APPS, "tests.testapps.jobs_scoped"]


def run_all(app: Application) -> None:
    with app.jobs.worker(threads=2):
        app.jobs.join()


def test_a_failing_job_is_rolled_back_retried_then_dead_lettered(make_app: AppFactory):
    app = jobs_app(make_app)  # JOB_MAX_RETRIES is 2 in the tests, the job says 2 too
    with app.session() as session:
        message_id = enqueue(session, app.registry, "always_fails", "half-done")
    run_all(app)
    # Each attempt wrote a note and failed: every one was rolled back.
    assert notes(app) == []
    runs = executions(app, "always_fails")
    assert [(run.attempt, run.status_id) for run in runs] == [
        (1, "FAILED"),
        (2, "FAILED"),
        (3, "DEAD"),
    ]
    assert {run.message_id for run in runs} == {str(message_id)}
    assert runs[-1].error == "RuntimeError: boom on attempt 3"
    assert "raise RuntimeError" in runs[-1].traceback
    assert all(run.ended_at is not None for run in runs)
    (dead,) = app.jobs.broker.dead_letters
    assert dead.message_id == str(message_id)


def test_a_permanent_error_is_not_retried(make_app: AppFactory):
    app = jobs_app(make_app)
    with app.session() as session:
        enqueue(session, app.registry, "refuses", "this")
    run_all(app)
    (run,) = executions(app, "refuses")
    assert run.status_id == "DEAD"
    assert run.error == "PermanentJobError: cannot handle 'this'"


def test_a_message_delivered_twice_runs_once(make_app: AppFactory):
    app = jobs_app(make_app)
    message = OutboxMessage(
        id=str(uuid.uuid4()),
        job_name="record_note",
        queue="default",
        args=["once"],
        kwargs={},
        caller=None,
        delay_ms=None,
        created_at=utcnow(),
    )
    # At-least-once delivery: the same message (same id) arrives twice.
    assert app.jobs.deliver([message, message]) == [message.id, message.id]
    run_all(app)
    assert notes(app) == ["once"]
    (run,) = executions(app, "record_note")
    assert run.status_id == "SUCCEEDED"


def test_the_job_acts_for_the_caller_of_the_request(make_app: AppFactory):
    app = jobs_app(make_app)
    alice = uuid.uuid4()
    caller = Principal(
        user_id=alice, session_id=uuid.uuid4(), claims={"client_id": "acme", "roles": ["x"]}
    )
    with app.session() as session:
        enqueue(session, app.registry, "record_note", "for alice", caller=caller)
        # A job enqueuing another: the second acts for the same user.
        enqueue(session, app.registry, "chain", "chained", caller=caller)
    run_all(app)
    notes_by_text = {row.text: row for row in rows(app, "jobs_demo_note")}
    assert notes_by_text["for alice"].user_id == alice
    assert notes_by_text["chained"].user_id == alice
    assert {run.user_id for run in executions(app, "record_note")} == {alice}
    (outbox_caller,) = {run.user_id for run in executions(app, "chain")}
    assert outbox_caller == alice


def test_a_job_sees_the_rows_its_caller_may_see(make_app: AppFactory):
    app = jobs_app(make_app, SCOPED_APPS)
    alice, bob = uuid.uuid4(), uuid.uuid4()
    with app.session() as session:
        service = app.service("jobs_demo_note")
        service.add(session, "alice's", owner_id=alice)
        service.add(session, "bob's 1", owner_id=bob)
        service.add(session, "bob's 2", owner_id=bob)
    admin = Principal(user_id=uuid.uuid4(), session_id=None, is_super_user=True)
    with app.session() as session:
        enqueue(session, app.registry, "count_visible", "admin", caller=admin)
    run_all(app)  # first: the notes the others write are unowned, only admin sees them
    with app.session() as session:
        enqueue(session, app.registry, "count_visible", "alice", caller=Principal(alice, None))
        enqueue(session, app.registry, "count_visible", "bob", caller=Principal(bob, None))
        enqueue(session, app.registry, "count_visible", "nobody", caller=None)
    run_all(app)
    counted = sorted(text for text in notes(app) if ":" in text)
    assert counted == ["admin:3", "alice:1", "bob:2", "nobody:0"]


def test_declared_jobs_are_mirrored_in_the_job_table(make_app: AppFactory):
    app = jobs_app(make_app)  # loadfixtures mirrors them
    jobs = {row.id: row for row in rows(app, "job")}
    assert {"send_email", "record_note", "heartbeat_note"} <= set(jobs)
    assert jobs["send_email"].queue == "emails"
    assert jobs["heartbeat_note"].every == 1 and jobs["heartbeat_note"].cron is None
    assert jobs["record_note"].description == "Write a note, acting for the caller."
    # Switching a job off is the operators' call: mirroring again keeps it.
    update_rows(app, "job", {"enabled": False, "queue": "old"}, id="heartbeat_note")
    app.jobs.sync_jobs()
    (heartbeat,) = rows(app, "job", id="heartbeat_note")
    assert heartbeat.enabled is False and heartbeat.queue == "default"


def test_a_delayed_job_waits(make_app: AppFactory):
    app = jobs_app(make_app)
    start = utcnow()
    with app.session() as session:
        enqueue(session, app.registry, "record_note", "later", delay=0.3)
    run_all(app)
    (run,) = executions(app, "record_note")
    assert run.started_at - start >= timedelta(seconds=0.3)
