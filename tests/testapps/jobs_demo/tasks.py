"""Jobs of the demo app: each leaves a note when it commits."""

from __future__ import annotations

import time
from pathlib import Path

from lys.jobs import JobContext, PermanentJobError, job, periodic


@job
def record_note(ctx: JobContext, text: str) -> None:
    """Write a note, acting for the caller."""
    ctx.service("jobs_demo_note").add(ctx.session, text, user_id=ctx.user_id)


@job(max_retries=2, min_backoff=10, max_backoff=20)
def always_fails(ctx: JobContext, text: str) -> None:
    """Write a note, then fail: the note must never be committed."""
    ctx.service("jobs_demo_note").add(ctx.session, text)
    raise RuntimeError(f"boom on attempt {ctx.attempt}")


@job
def refuses(ctx: JobContext, text: str) -> None:
    """Fail for good on the first attempt."""
    raise PermanentJobError(f"cannot handle {text!r}")


@job
def slow_note(ctx: JobContext, text: str, folder: str, timeout: float = 30.0) -> None:
    """Mark that it started, wait for a release file (or the timeout), then write a note."""
    markers = Path(folder)
    (markers / f"started-{ctx.attempt}-{time.monotonic_ns()}").touch()
    deadline = time.monotonic() + timeout
    while not (markers / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    ctx.service("jobs_demo_note").add(ctx.session, text, user_id=ctx.user_id)


@job
def count_visible(ctx: JobContext, label: str) -> None:
    """Record how many notes the caller sees through the access policy."""
    service = ctx.service("jobs_demo_note")
    seen = service.count_visible(ctx.session, ctx)
    service.add(ctx.session, f"{label}:{seen}", user_id=ctx.user_id)


@job
def chain(ctx: JobContext, text: str) -> None:
    """Enqueue another job from a job: it acts for the same caller."""
    ctx.enqueue("record_note", text)


@periodic(every=1)
def heartbeat_note(ctx: JobContext) -> None:
    """Every second: a note per tick."""
    ctx.service("jobs_demo_note").add(ctx.session, "tick")
