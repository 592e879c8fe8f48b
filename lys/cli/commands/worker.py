"""``worker``: Dramatiq workers for the apps' jobs, and the periodic-job scheduler.

Each process loads the installed apps' models, services, fixtures and tasks (never the
GraphQL schema) and opens its own database and Redis connections.
"""

from __future__ import annotations

import logging
import os
import threading

import click

from lys.application import Application
from lys.cli.state import CLIState
from lys.conf.loader import SETTINGS_MODULE_VARIABLE
from lys.conf.settings import Settings
from lys.errors import CommandError
from lys.jobs.consumer import run_scheduler, run_worker
from lys.jobs.processes import Child, Supervisor
from lys.registry.loader import FIXTURES, MODELS, SERVICES, TASKS

#: What a worker process loads: no schema, no resolvers, no HTTP.
WORKER_COMPONENTS = (MODELS, SERVICES, FIXTURES, TASKS)
LOG_FORMAT = "%(asctime)s %(levelname)s [%(processName)s %(process)d] %(name)s: %(message)s"


def _configure_logging(settings: Settings) -> None:
    level = settings.log_level or "INFO"
    logging.basicConfig(level=level, format=LOG_FORMAT, force=True)
    logging.getLogger("lys").setLevel(level)
    # Dramatiq's per-message debug lines drown everything else even in dev.
    logging.getLogger("dramatiq").setLevel(max(logging.INFO, logging.getLevelName(level)))


def _application(settings_module: str | None) -> Application:
    application = Application.from_settings(settings_module, components=WORKER_COMPONENTS)
    _configure_logging(application.settings)
    return application


def worker_process(
    stop: threading.Event, settings_module: str | None, threads: int, queues: list[str]
) -> None:
    """One worker process (spawned by ``manage.py worker``)."""
    application = _application(settings_module)
    try:
        run_worker(application.jobs, stop, threads, queues or None)
    finally:
        application.dispose()


def scheduler_process(stop: threading.Event, settings_module: str | None) -> None:
    application = _application(settings_module)
    try:
        run_scheduler(application.jobs, stop)
    finally:
        application.dispose()


def _queues(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@click.command()
@click.option(
    "--processes",
    "-p",
    default=None,
    type=click.IntRange(0, 256),
    help="Worker processes (default: one per CPU; 0 with --scheduler runs only it).",
)
@click.option(
    "--threads", "-t", default=8, type=click.IntRange(1, 256), help="Threads per process."
)
@click.option(
    "--queues",
    "-Q",
    multiple=True,
    help="Consume only these queues (repeat, or comma-separate); default: all.",
)
@click.option(
    "--scheduler",
    is_flag=True,
    help="Also run the periodic-job scheduler (one per deployment is enough; more are safe).",
)
@click.pass_obj
def worker(
    state: CLIState, processes: int | None, threads: int, queues: tuple[str, ...], scheduler: bool
) -> None:
    """Run the jobs the installed apps declare in tasks.py (Dramatiq over Redis)."""
    # Build once here so a broken project fails with one clear line, before spawning.
    application = state.application(WORKER_COMPONENTS)
    settings = application.settings
    runtime = application.jobs
    wanted = _queues(queues)
    known = sorted({spec.queue for spec in runtime.specs.values()})
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise CommandError(
            f"unknown queue(s) {', '.join(unknown)}; the jobs use: {', '.join(known) or 'none'}"
        )
    if runtime.mode != "redis":
        if not scheduler:
            raise CommandError(
                f"workers need Redis (JOB_BROKER resolves to {runtime.mode!r}): set REDIS_URL. "
                "Without it, in dev, jobs run inside the server process right after each commit"
            )
        processes = 0
    count = (os.cpu_count() or 1) if processes is None else processes
    if count == 0 and not scheduler:
        raise CommandError("--processes 0 runs nothing; add --scheduler or more processes")
    if state.settings_module:
        os.environ[SETTINGS_MODULE_VARIABLE] = state.settings_module
    _configure_logging(settings)
    children = [
        Child(f"worker-{index + 1}", worker_process, (state.settings_module, threads, wanted))
        for index in range(count)
    ]
    if scheduler:
        children.append(Child("scheduler", scheduler_process, (state.settings_module,)))
    click.echo(
        f"Starting {count} worker process(es) x {threads} thread(s)"
        f"{' and the scheduler' if scheduler else ''} (env {settings.env.value}, "
        f"queues: {', '.join(wanted) if wanted else 'all'})",
        err=True,
    )
    application.dispose()
    code = Supervisor(children, shutdown_timeout=settings.job_shutdown_timeout).run()
    if code:
        raise click.exceptions.Exit(code)
