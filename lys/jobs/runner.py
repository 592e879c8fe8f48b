"""Running one job: its own session, committed on success, rolled back on failure.

Each run is recorded in ``job_execution`` (start, end, attempt, outcome, error). The
SUCCEEDED mark and a unique completion key are written in the job's own transaction,
so they exist exactly when the job's changes do: a message delivered twice
(at-least-once delivery), even to two workers at once, has its effect once.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from lys.db.session import make_session, transaction
from lys.db.types import utcnow
from lys.jobs.context import CALLER_KEY, JobCaller, JobContext

if TYPE_CHECKING:
    from lys.jobs.actors import JobSpec
    from lys.jobs.runtime import JobRuntime

logger = logging.getLogger("lys.jobs")

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
DEAD = "DEAD"
WORKER_LOST = "WorkerLost: the process running it stopped before it finished"
#: Longest error text and traceback kept on an execution row.
ERROR_MAX_LENGTH = 2000
TRACEBACK_MAX_LENGTH = 8000


def run_job(
    runtime: JobRuntime,
    spec: JobSpec,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    message_id: str,
    attempt: int,
    caller: JobCaller | None,
    is_final: Callable[[BaseException], bool],
) -> bool:
    """Run ``spec`` once; re-raise its error (the broker retries or dead-letters it).

    Returns ``False`` when the message had already succeeded and nothing ran.
    """
    execution = runtime.model("job_execution")
    engine = runtime.engine
    runtime.ensure_job_row(spec)
    with transaction(engine) as session:
        if _already_succeeded(session, execution, message_id):
            logger.info("job %s message %s already succeeded: skipped", spec.name, message_id)
            return False
        # A run of this message still RUNNING died with its worker (SIGKILL, lost host):
        # this redelivery replaces it.
        session.execute(
            update(execution)
            .where(execution.message_id == message_id, execution.status_id == RUNNING)
            .values(status_id=FAILED, ended_at=utcnow(), error=WORKER_LOST)
        )
        record = execution(
            job_id=spec.name,
            message_id=message_id,
            attempt=attempt,
            status_id=RUNNING,
            started_at=utcnow(),
            user_id=uuid.UUID(caller.user_id) if caller and caller.user_id else None,
        )
        session.add(record)
        session.flush()
        execution_id = record.id

    # With row locks, take the completion key first: a concurrent delivery of the same
    # message then waits instead of running too. SQLite locks the whole database for a
    # writing transaction, so there the key is taken last, just before the commit.
    claim_first = engine.dialect.name != "sqlite"
    session = make_session(engine)
    context = _context(runtime, spec, session, message_id, attempt, caller)
    try:
        if claim_first and not _claim(session, execution, execution_id, message_id):
            return _stand_down(runtime, spec, execution, execution_id, message_id)
        spec.fn(context, *args, **kwargs)
        if not claim_first and not _claim(session, execution, execution_id, message_id):
            return _stand_down(runtime, spec, execution, execution_id, message_id)
        session.execute(
            update(execution)
            .where(execution.id == execution_id)
            .values(status_id=SUCCEEDED, ended_at=utcnow())
        )
        session.commit()
    except BaseException as error:
        session.rollback()
        final = is_final(error)
        _record_failure(runtime, execution, execution_id, error, final)
        _on_error(runtime, spec, args, kwargs, error, final, message_id, attempt, caller)
        log = logger.error if final else logger.warning
        log(
            "job %s message %s attempt %d %s: %s: %s",
            spec.name,
            message_id,
            attempt,
            "failed for good" if final else "failed, will be retried",
            type(error).__name__,
            error,
        )
        raise
    finally:
        session.close()
    return True


def _stand_down(
    runtime: JobRuntime, spec: JobSpec, execution: Any, execution_id: Any, message_id: str
) -> bool:
    """Another delivery of this message committed first: this run leaves no trace."""
    logger.info("job %s message %s already ran elsewhere: skipped", spec.name, message_id)
    _discard(runtime, execution, execution_id)
    return False


def _context(
    runtime: JobRuntime,
    spec: JobSpec,
    session: Any,
    message_id: str,
    attempt: int,
    caller: JobCaller | None,
) -> JobContext:
    # Jobs this one enqueues through its session act for the same caller.
    session.info[CALLER_KEY] = caller
    return JobContext(
        settings=runtime.settings,
        registry=runtime.registry,
        session=session,
        job_name=spec.name,
        message_id=message_id,
        attempt=attempt,
        caller=caller,
        principal=caller.principal() if caller is not None else None,
        client_id=caller.client_id if caller is not None else None,
    )


def _claim(session: Any, execution: Any, execution_id: Any, message_id: str) -> bool:
    """Take the message's unique completion key in the job's transaction.

    A concurrent delivery holding it makes this wait until it commits (then this one
    stands down) or rolls back (then this one runs).
    """
    try:
        session.execute(
            update(execution)
            .where(execution.id == execution_id)
            .values(completed_message_id=message_id)
        )
    except IntegrityError:
        session.rollback()
        return False
    return True


def _discard(runtime: JobRuntime, execution: Any, execution_id: Any) -> None:
    """Forget the record of a run that stood down: it did nothing."""
    with transaction(runtime.engine) as session:
        session.execute(delete(execution).where(execution.id == execution_id))


def _already_succeeded(session: Any, execution: Any, message_id: str) -> bool:
    stmt = select(execution.id).where(
        execution.message_id == message_id, execution.status_id == SUCCEEDED
    )
    return session.scalars(stmt.limit(1)).first() is not None


def _record_failure(
    runtime: JobRuntime, execution: Any, execution_id: Any, error: BaseException, final: bool
) -> None:
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    trace = "".join(traceback.format_exception(error))[-TRACEBACK_MAX_LENGTH:]
    try:
        with transaction(runtime.engine) as session:
            session.execute(
                update(execution)
                .where(execution.id == execution_id)
                .values(
                    status_id=DEAD if final else FAILED,
                    ended_at=utcnow(),
                    error=text,
                    traceback=trace,
                )
            )
    except Exception:
        logger.exception("could not record the failure of job execution %s", execution_id)


def _on_error(
    runtime: JobRuntime,
    spec: JobSpec,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: BaseException,
    final: bool,
    message_id: str,
    attempt: int,
    caller: JobCaller | None,
) -> None:
    """The job's ``on_error`` hook, in a session of its own (the job's was rolled back)."""
    if spec.on_error is None:
        return
    session = make_session(runtime.engine)
    try:
        context = _context(runtime, spec, session, message_id, attempt, caller)
        spec.on_error(context, error, final, *args, **kwargs)
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("the on_error hook of job %s failed", spec.name)
    finally:
        session.close()


def job_row_values(spec: JobSpec) -> dict[str, Any]:
    schedule = spec.schedule
    return {
        "queue": spec.queue,
        "cron": schedule.cron if schedule else None,
        "every": schedule.every if schedule else None,
        "description": spec.description or None,
    }


def upsert_job_row(session: Any, job: Any, spec: JobSpec) -> str:
    """Insert or update the ``job`` row of ``spec`` (``enabled`` is the operators' own).

    Returns ``"added"``, ``"updated"`` or ``"unchanged"``.
    """
    values = job_row_values(spec)
    row = session.get(job, spec.name)
    if row is None:
        session.add(job(id=spec.name, **values))
        session.flush()
        return "added"
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if changed:
        session.flush()
    return "updated" if changed else "unchanged"


def ensure_job_row(runtime: JobRuntime, spec: JobSpec) -> None:
    """The ``job`` row executions point to; inserted once, kept in step with the code."""
    try:
        with transaction(runtime.engine) as session:
            upsert_job_row(session, runtime.model("job"), spec)
    except IntegrityError:
        # Another worker inserted it between the read and the insert: same content.
        pass
