"""Enqueue after commit, through an outbox table.

``enqueue`` writes a ``job_outbox`` row in the caller's session, so the job exists
exactly when the caller's transaction commits: a rollback (of the transaction or of a
savepoint around the call) leaves nothing to send. Once the transaction commits, a
session hook hands the committed rows to the application's job runtime, which pushes
them to the broker (or runs them, in ``eager`` mode) and deletes them. A row whose push
failed (Redis briefly down) stays, and a worker pushes it later: no job is lost.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from lys.errors import ImproperlyConfigured
from lys.jobs.context import CALLER_KEY, caller_of

if TYPE_CHECKING:
    from lys.jobs.runtime import JobRuntime

logger = logging.getLogger("lys.jobs")

_PENDING = "lys_jobs_pending"
_COMMITTED = "lys_jobs_committed"
_RUNTIME = "lys_jobs_runtime"
_HOOKED = "lys_jobs_hooked"
_FROM_SESSION: Any = object()


def enqueue(
    session: Session,
    registry: Any,
    name: str,
    *args: Any,
    caller: Any = _FROM_SESSION,
    delay: float | None = None,
    **kwargs: Any,
) -> uuid.UUID:
    """Send job ``name`` once ``session``'s transaction commits; return the message id.

    ``caller`` is a request or job context (or a principal): the job then acts for the
    same user and client. By default it is the caller of the job whose session this is,
    if any. ``delay`` is in seconds. Arguments must be JSON values.
    """
    runtime: JobRuntime | None = getattr(registry, "job_runtime", None)
    if runtime is None:
        raise ImproperlyConfigured(
            "this registry has no job runtime: build the project with lys.Application"
        )
    source = session.info.get(CALLER_KEY) if caller is _FROM_SESSION else caller
    return runtime.enqueue(session, name, args, kwargs, caller=caller_of(source), delay=delay)


def track(session: Session, runtime: JobRuntime, outbox_id: uuid.UUID) -> None:
    """Remember the row until the transaction ends; hook the session once."""
    info = session.info
    info.setdefault(_PENDING, []).append(outbox_id)
    info[_RUNTIME] = runtime
    if not info.get(_HOOKED):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
        info[_HOOKED] = True


def _after_commit(session: Session) -> None:
    # Releasing a savepoint also fires after_commit; only the real commit counts.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Rows of a transaction that ended without committing never existed.
    session.info.pop(_PENDING, None)
    committed = session.info.pop(_COMMITTED, None)
    runtime: JobRuntime | None = session.info.get(_RUNTIME)
    if not committed or runtime is None:
        return
    try:
        # The connection is back in the pool here: dispatch uses a session of its own.
        runtime.dispatch(session.bind, committed)
    except Exception:
        # The commit stands; the rows wait in the outbox for a worker to push them.
        logger.exception("could not dispatch %d committed job(s); a worker will", len(committed))
