"""Running a project's jobs inside its tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from lys.application import Application


class JobWorker:
    """What the ``jobs`` fixture gives: run the enqueued jobs, read what ran.

    The worker stays paused between calls of :meth:`run`, so a test sees exactly
    what its requests enqueued before it runs them, whatever the threads' timing.
    """

    def __init__(self, application: Application, worker: Any = None) -> None:
        self.application = application
        self.worker = worker

    def run(self, timeout: float = 10.0) -> list[Any]:
        """Run every job enqueued so far (committed requests only: a rolled-back one
        enqueued nothing); returns the executions recorded, oldest first."""
        if self.worker is not None:
            self.worker.resume()
        try:
            self.application.jobs.join(timeout)
        finally:
            if self.worker is not None:
                self.worker.pause()
        return self.executions()

    def executions(self, job: str | None = None) -> list[Any]:
        """The recorded runs (``job_execution`` rows), of one job if named."""
        model = self.application.model("job_execution")
        stmt = select(model).order_by(model.started_at)
        if job is not None:
            stmt = stmt.where(model.job_id == job)
        with self.application.session() as session:
            rows = list(session.scalars(stmt))
            session.expunge_all()
            return rows
