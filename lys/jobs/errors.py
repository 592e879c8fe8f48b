"""Errors of the jobs layer, each with a stable code."""

from __future__ import annotations

from lys.errors import ImproperlyConfigured, LysError


class PermanentJobError(LysError):
    """Raise it in a job to fail at once: retrying cannot help (bad input, gone data)."""

    code = "JOB_FAILED"
    default_detail = "The job failed and will not be retried."


class JobArgumentsError(LysError):
    """Job arguments travel as JSON; anything else is refused when enqueued."""

    code = "JOB_ARGUMENTS_NOT_JSON"
    default_detail = (
        "Job arguments must be JSON values (str, int, float, bool, None, lists, dicts); "
        "pass str(value) for UUIDs and dates."
    )
    status_code = 500


class JobsNotInstalled(ImproperlyConfigured):
    """Jobs keep their outbox and bookkeeping in the base app's tables."""

    code = "JOBS_NOT_INSTALLED"
