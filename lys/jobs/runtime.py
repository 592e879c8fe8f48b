"""One application's jobs: its broker, its actors, its outbox.

Built by :class:`lys.Application` (never a process global), so two applications in one
process have separate brokers and never run each other's jobs.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from lys.db.session import transaction
from lys.db.types import utcnow
from lys.errors import ImproperlyConfigured
from lys.jobs import outbox, runner
from lys.jobs.actors import JobSpec
from lys.jobs.broker import (
    CALLER_OPTION,
    Mode,
    OutboxMessage,
    build_broker,
    declare_actors,
    resolve_mode,
)
from lys.jobs.context import JobCaller
from lys.jobs.errors import JobArgumentsError, JobsNotInstalled, PermanentJobError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lys.conf.settings import Settings

logger = logging.getLogger("lys.jobs")

#: The tables jobs need, all from ``lys.apps.base``.
JOB_TABLES = ("job", "job_status", "job_execution", "job_outbox")
#: Outbox rows claimed per flush.
FLUSH_BATCH = 200


class JobRuntime:
    def __init__(
        self,
        settings: Settings,
        registry: Any,
        *,
        engine: Callable[[], Engine],
        load_tasks: Callable[[], None],
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.mode: Mode = resolve_mode(settings)
        self._engine = engine
        self._load_tasks = load_tasks
        self._lock = threading.RLock()
        self._broker: dramatiq.Broker | None = None
        self._booted = False
        self._announced = False
        self._known_jobs: set[str] = set()
        self._worker: dramatiq.Worker | None = None

    # -- lookups -----------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        return self._engine()

    @property
    def specs(self) -> dict[str, JobSpec]:
        self._load_tasks()
        jobs: dict[str, JobSpec] = self.registry.jobs
        return jobs

    def spec(self, name: str) -> JobSpec:
        specs = self.specs
        try:
            return specs[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(sorted(specs)) or "none"
            raise ImproperlyConfigured(
                f"no job named {name!r}{hint} (declared in tasks.py: {known})"
            ) from None

    def model(self, name: str) -> Any:
        model = self.registry.tables.get(name)
        if model is None:
            raise JobsNotInstalled(
                f"jobs need the {name!r} table: add 'lys.apps.base' to INSTALLED_APPS"
            )
        return model

    @property
    def broker(self) -> dramatiq.Broker:
        """The Dramatiq broker (``redis`` and ``stub`` modes), built on first use."""
        if self.mode not in ("redis", "stub"):
            raise ImproperlyConfigured(
                f"jobs run without a broker in {self.mode!r} mode (set REDIS_URL)"
            )
        with self._lock:
            if self._broker is None:
                broker = build_broker(self.settings, self.mode)
                declare_actors(broker, self.specs.values(), self._actor_function)
                self._broker = broker
            return self._broker

    # -- enqueue -----------------------------------------------------------------------
    def enqueue(
        self,
        session: Session,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        caller: JobCaller | None,
        delay: float | None = None,
    ) -> uuid.UUID:
        spec = self.spec(name)
        try:
            json.dumps([args, kwargs], allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise JobArgumentsError(extensions={"job": name, "reason": str(exc)}) from None
        row = self.model("job_outbox")(
            job_name=spec.name,
            queue=spec.queue,
            args=list(args),
            kwargs=dict(kwargs),
            caller=caller.to_message() if caller is not None else None,
            delay_ms=int(delay * 1000) if delay else None,
            # Workers leave it alone while the committing process pushes it.
            available_at=utcnow() + timedelta(seconds=self.settings.job_outbox_retry_delay),
        )
        session.add(row)
        session.flush()
        outbox.track(session, self, row.id)
        return uuid.UUID(str(row.id))

    def dispatch(self, bind: Any, ids: list[uuid.UUID]) -> None:
        """After a commit: deliver the committed rows, delete those delivered."""
        if self.mode == "outbox":
            self.announce()
            return
        bind = bind if bind is not None else self.engine
        messages = self._load(bind, ids)
        delivered = self.deliver(messages)
        self._delete(bind, delivered)

    def deliver(self, messages: list[OutboxMessage]) -> list[str]:
        """Push (or, in ``eager`` mode, run) messages; return the ids now taken care of."""
        if self.mode == "eager":
            for message in messages:
                self._run_eagerly(message)
            return [message.id for message in messages]
        broker = self.broker
        now = utcnow()
        pushed = []
        for message in messages:
            try:
                broker.enqueue(message.to_dramatiq(), delay=message.remaining_delay(now))
            except Exception as exc:
                logger.warning(
                    "could not push job %s (message %s): %s: %s; it stays in the outbox "
                    "and a worker pushes it later",
                    message.job_name,
                    message.id,
                    type(exc).__name__,
                    exc,
                )
                # The broker is unreachable: the rest would wait on it too.
                break
            pushed.append(message.id)
        return pushed

    def flush_outbox(self, now: Any = None, limit: int = FLUSH_BATCH) -> int:
        """Push outbox rows nobody pushed in time; return how many were delivered.

        Rows are claimed with a lease (``available_at`` moves forward) under a version
        check, so several workers flushing at once push each row once; a worker that
        dies after claiming leaves the row to the next flush once the lease ends.
        """
        if self.mode == "outbox":
            return 0
        model = self.model("job_outbox")
        now = now or utcnow()
        lease = timedelta(seconds=max(self.settings.job_outbox_retry_delay, 1.0))
        claimed: list[OutboxMessage] = []
        with transaction(self.engine) as session:
            stmt = (
                select(model)
                .where(model.available_at <= now)
                .order_by(model.created_at)
                .limit(limit)
            )
            for row in session.scalars(stmt).all():
                message = OutboxMessage.of(row)
                result = session.execute(
                    update(model)
                    .where(model.id == row.id, model.attempts == row.attempts)
                    .values(attempts=row.attempts + 1, available_at=now + lease)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(message)
        if not claimed:
            return 0
        delivered = self.deliver(claimed)
        self._delete(self.engine, delivered)
        if len(delivered) < len(claimed):
            logger.warning("%d outbox job(s) still not pushed", len(claimed) - len(delivered))
        return len(delivered)

    def _load(self, bind: Any, ids: list[uuid.UUID]) -> list[OutboxMessage]:
        model = self.model("job_outbox")
        with Session(bind) as session:
            stmt = select(model).where(model.id.in_(ids)).order_by(model.created_at)
            return [OutboxMessage.of(row) for row in session.scalars(stmt).all()]

    def _delete(self, bind: Any, ids: list[str]) -> None:
        if not ids:
            return
        model = self.model("job_outbox")
        with Session(bind) as session:
            session.execute(
                delete(model)
                .where(model.id.in_([uuid.UUID(value) for value in ids]))
                .execution_options(synchronize_session=False)
            )
            session.commit()

    # -- running -----------------------------------------------------------------------
    def _actor_function(self, spec: JobSpec) -> Callable[..., None]:
        def run(*args: Any, **kwargs: Any) -> None:
            self.execute(spec, args, kwargs, CurrentMessage.get_current_message())

        run.__name__ = run.__qualname__ = spec.name
        run.__module__ = spec.module
        return run

    def execute(
        self, spec: JobSpec, args: tuple[Any, ...], kwargs: dict[str, Any], message: Any
    ) -> None:
        """Run a message the broker delivered (a Dramatiq actor calls this)."""
        options = message.options if message is not None else {}
        retries = int(options.get("retries", 0))
        max_retries = options.get(
            "max_retries",
            spec.max_retries if spec.max_retries is not None else self.settings.job_max_retries,
        )
        permanent: tuple[type[BaseException], ...] = (PermanentJobError, *spec.throws)

        def is_final(error: BaseException) -> bool:
            # The same rule Dramatiq's Retries middleware applies right after.
            return isinstance(error, permanent) or retries >= max_retries

        runner.run_job(
            self,
            spec,
            args,
            kwargs,
            message_id=message.message_id if message is not None else str(uuid.uuid4()),
            attempt=retries + 1,
            caller=JobCaller.from_message(options.get(CALLER_OPTION)),
            is_final=is_final,
        )

    def _run_eagerly(self, message: OutboxMessage) -> None:
        spec = self.specs.get(message.job_name)
        if spec is None:
            logger.error("no job named %r: message %s dropped", message.job_name, message.id)
            return
        if message.delay_ms:
            logger.info("eager jobs run at once: delay of job %s ignored", spec.name)
        # Recorded and logged by the runner; the commit that sent the job stands.
        with contextlib.suppress(Exception):
            runner.run_job(
                self,
                spec,
                tuple(message.args),
                message.kwargs,
                message_id=message.id,
                attempt=1,
                caller=JobCaller.from_message(message.caller),
                is_final=lambda _error: True,
            )

    def ensure_job_row(self, spec: JobSpec) -> None:
        if spec.name in self._known_jobs:
            return
        runner.ensure_job_row(self, spec)
        self._known_jobs.add(spec.name)

    def sync_jobs(self) -> None:
        """Mirror every declared job into the ``job`` table (workers do it at start)."""
        for spec in self.specs.values():
            self._known_jobs.discard(spec.name)
            self.ensure_job_row(spec)

    # -- processes ---------------------------------------------------------------------
    def announce(self) -> None:
        """Say once, at start, how jobs will run when that needs attention."""
        if self._announced:
            return
        self._announced = True
        if self.mode == "eager":
            logger.warning(
                "REDIS_URL is not set: jobs run in this process right after each commit "
                "(dev only; elsewhere run Redis and `manage.py worker`)"
            )
        elif self.mode == "outbox":
            logger.error(
                "REDIS_URL is not set (ENV=%s): jobs wait in the job_outbox table until "
                "a worker with REDIS_URL pushes them",
                self.settings.env.value,
            )
        if self.settings.smtp_host is None and "send_email" in self.specs:
            logger.warning("SMTP_HOST is not set: emails are written to the log, not sent")

    def boot(self) -> dramatiq.Broker:
        """Start the broker's process-wide parts (time limits) once per process."""
        broker = self.broker
        with self._lock:
            if not self._booted:
                broker.emit_after("process_boot")
                self._booted = True
        return broker

    @contextmanager
    def worker(
        self, threads: int = 2, queues: list[str] | None = None, worker_timeout: int = 100
    ) -> Iterator[dramatiq.Worker]:
        """An in-process Dramatiq worker on this application's broker (tests, workers)."""
        broker = self.boot()
        worker = dramatiq.Worker(
            broker,
            queues=set(queues) if queues else None,
            worker_threads=threads,
            worker_timeout=worker_timeout,
        )
        worker.start()
        self._worker = worker
        try:
            yield worker
        finally:
            self._worker = None
            worker.stop(timeout=int(self.settings.job_shutdown_timeout * 1000))

    def join(self, timeout: float = 10.0) -> None:
        """Wait until the stub broker's queues are drained and every job has run (tests)."""
        broker = self.broker
        names = {name for name in broker.get_declared_queues() if not name.endswith(".DQ")}
        for name in sorted(names):
            # A StubBroker here: its join takes fail_fast, Broker.join does not.
            broker.join(name, timeout=int(timeout * 1000), fail_fast=False)  # type: ignore[call-arg]
        if self._worker is not None:
            self._worker.join()

    def close(self) -> None:
        with self._lock:
            broker, self._broker = self._broker, None
        if broker is not None:
            broker.close()
            client = getattr(broker, "client", None)
            if client is not None:
                client.close()
