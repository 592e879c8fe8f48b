"""Job declarations, the supervisor's restart backoff, settings checks (no I/O)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from lys import ImproperlyConfigured
from lys.jobs import JobSpec, job, periodic
from lys.jobs.broker import resolve_mode
from lys.jobs.processes import MAX_RESTART_DELAY, Child, Supervisor
from lys.testing import build_settings


def test_job_declares_a_spec_with_its_options():
    @job(queue="reports", max_retries=3, throws=KeyError)
    def build(ctx: Any, report_id: str) -> None:
        """Build one report.

        More text."""

    assert isinstance(build, JobSpec)
    assert (build.name, build.queue, build.max_retries) == ("build", "reports", 3)
    assert build.throws == (KeyError,)
    assert build.description == "Build one report."
    assert build(object(), "r1") is None  # still callable directly

    @periodic(every=timedelta(minutes=5))
    def tidy(ctx: Any) -> None: ...

    assert tidy.schedule is not None and tidy.schedule.every == 300


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        (lambda: job(name="no_context")(lambda: None), "receives the job context first"),
        (lambda: job(name="reserved")(lambda ctx, caller: None), "reserved by enqueue"),
        (lambda: job(name="bad name")(lambda ctx: None), "must match"),
        (lambda: job(queue="a/b")(lambda ctx: None), "must match"),
        (lambda: job(name="x" * 65)(lambda ctx: None), "over 64 characters"),
    ],
)
def test_bad_declarations_fail_at_import(declare: Any, message: str):
    with pytest.raises(ImproperlyConfigured, match=message):
        declare()


def test_the_broker_follows_the_settings():
    assert resolve_mode(build_settings()) == "eager"  # dev, no Redis
    assert resolve_mode(build_settings(env="preprod")) == "outbox"
    assert resolve_mode(build_settings(redis_url="redis://127.0.0.1:6379/0")) == "redis"
    assert resolve_mode(build_settings(job_broker="stub", redis_url="redis://x/0")) == "stub"
    with pytest.raises(ImproperlyConfigured, match="JOB_BROKER 'redis' needs REDIS_URL"):
        build_settings(job_broker="redis")
    with pytest.raises(ImproperlyConfigured, match="exclude each other"):
        build_settings(smtp_ssl=True, smtp_starttls=True)
    assert build_settings(smtp_ssl=True).smtp_starttls is False
    assert build_settings().smtp_starttls is True


class DeadProcess:
    pid = 4242
    exitcode = 1

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


def test_a_crashing_child_is_restarted_ever_more_slowly(monkeypatch: pytest.MonkeyPatch):
    supervisor = Supervisor([], shutdown_timeout=1)
    child = Child("worker-1", print, ())
    started: list[float] = []
    clock = [1000.0]
    monkeypatch.setattr("lys.jobs.processes.time.monotonic", lambda: clock[0])

    def start(item: Child) -> None:
        started.append(clock[0])
        item.process = DeadProcess()
        item.started = clock[0]
        item.restart_at = None

    monkeypatch.setattr(supervisor, "_start", start)
    start(child)
    for _ in range(40):
        clock[0] += 0.5
        supervisor._watch(child)
    gaps = [round(later - earlier, 1) for earlier, later in itertools.pairwise(started)]
    # Noticed within half a second, restarted 1 s, 2 s, 4 s... later, up to a cap.
    assert gaps[:4] == [1.5, 2.5, 4.5, 8.5]
    assert child.restart_delay <= MAX_RESTART_DELAY
    assert child.history == [1] * len(child.history)
