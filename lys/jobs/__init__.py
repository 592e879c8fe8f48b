"""Background jobs on Dramatiq: declared in apps' ``tasks.py``, enqueued after commit.

```python
from lys.jobs import enqueue, job, periodic

@job(queue="reports")
def build_report(ctx, report_id: str) -> None:
    ctx.service("report").build(ctx.session, report_id)

@periodic(cron="0 3 * * *")
def purge_exports(ctx) -> None: ...

enqueue(session, registry, "build_report", str(report.id), caller=info.context)
```
"""

from lys.jobs.actors import JobSpec, Schedule, job, periodic
from lys.jobs.context import JobCaller, JobContext
from lys.jobs.errors import JobArgumentsError, PermanentJobError
from lys.jobs.outbox import enqueue

__all__ = [
    "JobArgumentsError",
    "JobCaller",
    "JobContext",
    "JobSpec",
    "PermanentJobError",
    "Schedule",
    "enqueue",
    "job",
    "periodic",
]
