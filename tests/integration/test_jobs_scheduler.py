"""Periodic jobs: ticks, one firing per tick across schedulers (Redis lock), records."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from lys import ImproperlyConfigured
from lys.jobs import periodic
from lys.jobs.actors import Schedule
from lys.jobs.scheduler import LocalTickLock, Scheduler
from lys.jobs.schedules import due_tick, latest_tick, next_tick
from tests.conftest import AppFactory
from tests.jobs_support import (
    RedisNamespace,
    executions,
    jobs_app,
    notes,
    redis_namespace_fixture,  # noqa: F401
    rows,
    update_rows,
    wait_until,
)

T0 = datetime(2026, 3, 1, 10, 4, 59, tzinfo=UTC)


def test_cron_and_interval_ticks():
    every_five = Schedule(cron="*/5 * * * *")
    assert latest_tick(every_five, T0) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert latest_tick(every_five, T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=1)
    assert next_tick(every_five, T0 + timedelta(seconds=1)) == datetime(
        2026, 3, 1, 10, 10, tzinfo=UTC
    )
    # Due only once the tick is passed, and only the latest one after a long gap.
    assert due_tick(every_five, T0 - timedelta(minutes=1), T0) is None
    assert due_tick(every_five, T0 - timedelta(hours=5), T0) == datetime(
        2026, 3, 1, 10, 0, tzinfo=UTC
    )
    # Intervals count from the epoch: every process agrees on the ticks.
    ninety = Schedule(every=90)
    assert latest_tick(ninety, T0).timestamp() % 90 == 0
    assert next_tick(ninety, latest_tick(ninety, T0)) - latest_tick(ninety, T0) == timedelta(
        seconds=90
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cron": "*/5 * * *"}, "five fields"),
        ({"cron": "61 * * * *"}, "not valid"),
        ({}, "exactly one of cron= or every="),
        ({"cron": "* * * * *", "every": 5}, "exactly one of cron= or every="),
        ({"every": 0.5}, "at least one second"),
    ],
)
def test_bad_schedules_are_refused_at_declaration(options, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        periodic(**options)(lambda ctx: None)


def test_a_tick_fires_once_and_each_run_is_recorded(make_app: AppFactory):
    app = jobs_app(make_app)
    now = datetime(2026, 3, 1, 10, 0, 0, 500_000, tzinfo=UTC)
    scheduler = Scheduler(app.jobs, LocalTickLock(), clock=lambda: now)
    tick = now.replace(microsecond=0)
    assert scheduler.tick(now) == [("heartbeat_note", tick)]
    assert scheduler.tick(now) == []  # the same instant again: nothing new
    later = now + timedelta(seconds=2)
    assert scheduler.tick(later) == [("heartbeat_note", tick + timedelta(seconds=2))]
    with app.jobs.worker(threads=1):
        app.jobs.join()
    assert notes(app) == ["tick", "tick"]
    runs = executions(app, "heartbeat_note")
    assert [run.status_id for run in runs] == ["SUCCEEDED", "SUCCEEDED"]
    assert all(run.started_at and run.ended_at for run in runs)


def test_a_disabled_periodic_job_does_not_fire(make_app: AppFactory):
    app = jobs_app(make_app)
    app.jobs.sync_jobs()
    update_rows(app, "job", {"enabled": False}, id="heartbeat_note")
    scheduler = Scheduler(app.jobs, LocalTickLock())
    assert scheduler.tick() == []
    assert rows(app, "job_outbox") == []


def test_two_schedulers_fire_each_tick_once(make_app: AppFactory, redis_namespace: RedisNamespace):
    settings = {"job_broker": "redis", **redis_namespace.settings()}
    first = jobs_app(make_app, **settings)
    second = jobs_app(make_app, create_tables=False, **settings)
    now = datetime.now(UTC)
    # The same instant seen by two schedulers (two processes, two machines).
    fired = Scheduler(first.jobs).tick(now) + Scheduler(second.jobs).tick(now)
    assert len(fired) == 1

    # Both running side by side for a few ticks: no tick fires twice.
    stop = threading.Event()
    schedulers = [Scheduler(first.jobs), Scheduler(second.jobs)]
    threads = [threading.Thread(target=s.run, args=(stop, 0.1)) for s in schedulers]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: redis_namespace.queue_length("default") >= 4, what="four fired ticks")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    client = redis_namespace.client()
    locks = list(client.scan_iter(match=f"{redis_namespace.prefix}:jobs:tick:heartbeat_note:*"))
    assert redis_namespace.queue_length("default") == len(locks)
    # And the worker runs each fired tick once, recording every run.
    with first.jobs.worker(threads=2):
        wait_until(lambda: len(executions(first, "heartbeat_note")) == len(locks), what="every run")
    assert notes(first).count("tick") == len(locks)
