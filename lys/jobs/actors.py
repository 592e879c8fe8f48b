"""Declaring jobs: ``@job`` and ``@periodic`` in an app's ``tasks.py``.

A decorator returns a :class:`JobSpec`, a plain description the registry picks up when
it loads the app's ``tasks.py``. Nothing is registered with a process-wide broker at
import time, so two applications in one process each build their own actors.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, overload

from lys.errors import ImproperlyConfigured

#: Queue and job names Dramatiq and Redis keys accept.
NAME_PATTERN = re.compile(r"^[a-zA-Z_][a-zA-Z0-9._-]*$")
#: Keyword names ``enqueue`` keeps for itself.
RESERVED_PARAMETERS = frozenset({"caller", "delay"})
DEFAULT_QUEUE = "default"
#: The ``job`` table keys rows by name (a reference code).
MAX_NAME_LENGTH = 64

JobFunction = Callable[..., Any]
#: ``on_error(ctx, error, final, *args, **kwargs)``: runs in a fresh session after the
#: job's own session was rolled back; ``final`` is true when no retry follows.
ErrorHook = Callable[..., None]


@dataclass(frozen=True)
class Schedule:
    """When a periodic job fires: a five-field cron expression or a fixed interval."""

    cron: str | None = None
    #: Seconds between runs, counted from the Unix epoch so every scheduler agrees.
    every: float | None = None

    def describe(self) -> str:
        return f"cron {self.cron!r}" if self.cron else f"every {self.every:g} s"


@dataclass(frozen=True, eq=False)
class JobSpec:
    """What ``tasks.py`` declares; options left ``None`` come from the ``JOB_*`` settings."""

    name: str
    fn: JobFunction
    module: str
    queue: str = DEFAULT_QUEUE
    max_retries: int | None = None
    min_backoff: int | None = None
    max_backoff: int | None = None
    time_limit: int | None = None
    #: Exceptions that fail the job at once, without retries.
    throws: tuple[type[BaseException], ...] = ()
    on_error: ErrorHook | None = None
    schedule: Schedule | None = None
    description: str = ""

    def __call__(self, ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the function directly (tests, or a job calling another synchronously)."""
        return self.fn(ctx, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<job {self.name} ({self.module})>"


@overload
def job(fn: JobFunction) -> JobSpec: ...


@overload
def job(
    fn: None = None,
    *,
    name: str | None = None,
    queue: str = DEFAULT_QUEUE,
    max_retries: int | None = None,
    min_backoff: int | None = None,
    max_backoff: int | None = None,
    time_limit: int | None = None,
    throws: tuple[type[BaseException], ...] = (),
    on_error: ErrorHook | None = None,
) -> Callable[[JobFunction], JobSpec]: ...


def job(
    fn: JobFunction | None = None,
    *,
    name: str | None = None,
    queue: str = DEFAULT_QUEUE,
    max_retries: int | None = None,
    min_backoff: int | None = None,
    max_backoff: int | None = None,
    time_limit: int | None = None,
    throws: tuple[type[BaseException], ...] = (),
    on_error: ErrorHook | None = None,
) -> JobSpec | Callable[[JobFunction], JobSpec]:
    """Declare a job: ``fn(ctx, *args, **kwargs)`` run by a worker after the commit.

    Backoffs and the time limit are in milliseconds, like Dramatiq's.
    """

    def declare(function: JobFunction) -> JobSpec:
        return _spec(
            function,
            name=name,
            queue=queue,
            max_retries=max_retries,
            min_backoff=min_backoff,
            max_backoff=max_backoff,
            time_limit=time_limit,
            throws=throws,
            on_error=on_error,
            schedule=None,
        )

    return declare(fn) if fn is not None else declare


def periodic(
    *,
    cron: str | None = None,
    every: float | timedelta | None = None,
    name: str | None = None,
    queue: str = DEFAULT_QUEUE,
    max_retries: int | None = None,
    time_limit: int | None = None,
    on_error: ErrorHook | None = None,
) -> Callable[[JobFunction], JobSpec]:
    """Declare a job the scheduler fires on a cron expression or every N seconds.

    The function takes only the job context. One scheduler process fires each tick
    once (see ``manage.py worker --scheduler``).
    """
    if (cron is None) == (every is None):
        raise ImproperlyConfigured("@periodic needs exactly one of cron= or every=")
    seconds: float | None = None
    if every is not None:
        seconds = every.total_seconds() if isinstance(every, timedelta) else float(every)
        if seconds < 1:
            raise ImproperlyConfigured(f"@periodic(every={every!r}): at least one second")
    if cron is not None:
        from lys.jobs.schedules import check_cron

        check_cron(cron)
    schedule = Schedule(cron=cron, every=seconds)

    def declare(function: JobFunction) -> JobSpec:
        return _spec(
            function,
            name=name,
            queue=queue,
            max_retries=max_retries,
            min_backoff=None,
            max_backoff=None,
            time_limit=time_limit,
            throws=(),
            on_error=on_error,
            schedule=schedule,
        )

    return declare


def _spec(
    function: JobFunction, *, name: str | None, schedule: Schedule | None, **options: Any
) -> JobSpec:
    if isinstance(function, JobSpec):
        raise ImproperlyConfigured(f"{function.name}: a function is declared a job only once")
    if not callable(function):
        raise ImproperlyConfigured(f"@job expects a function, got {function!r}")
    job_name = name or function.__name__
    where = f"{function.__module__}.{function.__qualname__}"
    for label, value in (("name", job_name), ("queue", options["queue"])):
        if not NAME_PATTERN.match(value):
            raise ImproperlyConfigured(
                f"{where}: job {label} {value!r} must match {NAME_PATTERN.pattern}"
            )
    if len(job_name) > MAX_NAME_LENGTH:
        raise ImproperlyConfigured(
            f"{where}: job name {job_name!r} is over {MAX_NAME_LENGTH} characters"
        )
    parameters = inspect.signature(function).parameters
    if not parameters:
        raise ImproperlyConfigured(f"{where}: a job receives the job context first (ctx)")
    taken = RESERVED_PARAMETERS & set(list(parameters)[1:])
    if taken:
        raise ImproperlyConfigured(
            f"{where}: parameter names {sorted(taken)} are reserved by enqueue(); rename them"
        )
    throws = options.pop("throws")
    if isinstance(throws, type):
        throws = (throws,)
    return JobSpec(
        name=job_name,
        fn=function,
        module=function.__module__,
        throws=tuple(throws),
        schedule=schedule,
        description=(inspect.getdoc(function) or "").split("\n", 1)[0],
        **options,
    )
