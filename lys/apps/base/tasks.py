"""Jobs of the base app: email delivery."""

from __future__ import annotations

from lys.jobs import JobContext, job


def _keep_error(ctx: JobContext, error: BaseException, final: bool, emailing_id: str) -> None:
    ctx.service("emailing").record_error(ctx.session, emailing_id, error, final)


@job(queue="emails", on_error=_keep_error)
def send_email(ctx: JobContext, emailing_id: str) -> None:
    """Send a queued email over SMTP; retried on SMTP errors (the JOB_* settings)."""
    ctx.service("emailing").send(ctx.session, ctx.settings, emailing_id)
