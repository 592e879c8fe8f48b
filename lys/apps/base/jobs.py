"""Mirrors the declared jobs into the ``job`` table at each ``loadfixtures``.

Operators can then switch a periodic job off (``enabled = false``) before any worker
started; workers mirror the table again when they start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lys.fixtures.loading import FixtureReport
from lys.jobs.runner import upsert_job_row


def sync_jobs(session: Session, application: Any) -> FixtureReport:
    report = FixtureReport("jobs (from tasks.py)", "job")
    job = application.registry.model("job")
    for spec in application.jobs.specs.values():
        outcome = upsert_job_row(session, job, spec)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
