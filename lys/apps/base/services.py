"""Services of the base app: reference data lookups and the emailing queue."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, event, not_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from lys.apps.base.models import AccessLevel, Emailing, Language, OneTimeTokenType, Webservice
from lys.conf.environments import Environment
from lys.db.types import utcnow
from lys.errors import ImproperlyConfigured, NotFoundError, ValidationError
from lys.jobs import enqueue
from lys.jobs.email import EmailRenderer, build_message, send_message, template_dirs
from lys.services import EntityService, ParametricEntityService

if TYPE_CHECKING:
    from lys.conf.settings import Settings

logger = logging.getLogger("lys.jobs.email")

#: The webservice that switches the others (never switched off by itself).
SWITCH_WEBSERVICE = "set_webservice_enabled"
#: The status of an email no worker has sent yet.
WAITING = "WAITING"
SENT = "SENT"
ERROR = "ERROR"
#: The job (in this app's tasks.py) that delivers a queued email.
SEND_EMAIL_JOB = "send_email"
ERROR_MAX_LENGTH = 2000


def _parametric_search(model: Any, enabled: bool | None) -> Select[Any]:
    stmt = select(model)
    if enabled is not None:
        stmt = stmt.where(model.enabled.is_(enabled))
    return stmt


class LanguageService(ParametricEntityService[Language]):
    def search(self, enabled: bool | None = None) -> Select[Any]:
        return _parametric_search(self.model, enabled)


class AccessLevelService(ParametricEntityService[AccessLevel]):
    def search(self, enabled: bool | None = None) -> Select[Any]:
        return _parametric_search(self.model, enabled)


class WebserviceService(ParametricEntityService[Webservice]):
    def search(
        self,
        *,
        names: Collection[str] | None = None,
        enabled: bool | None = None,
        app_name: str | None = None,
    ) -> Select[Any]:
        stmt = select(self.model)
        if names is not None:
            stmt = stmt.where(col(self.model.id).in_(sorted(names)))
        if enabled is not None:
            effective = and_(
                col(self.model.enabled).is_(True), col(self.model.switched_off).is_(False)
            )
            stmt = stmt.where(effective if enabled else not_(effective))
        if app_name is not None:
            stmt = stmt.where(col(self.model.app_name) == app_name)
        return stmt

    def switch(self, session: Session, registry: Any, code: str, *, enabled: bool) -> Webservice:
        """Switch a webservice on or off at run time; every process follows once the
        change is committed (a rolled-back request switches nothing)."""
        if code == SWITCH_WEBSERVICE and not enabled:
            raise ValidationError(
                "This operation cannot switch itself off.", extensions={"field": "code"}
            )
        row = session.get(self.model, code)
        if row is None:
            raise NotFoundError(
                f"No webservice {code!r}; run `manage.py loadfixtures` to mirror new ones.",
                extensions={"field": "code"},
            )
        row.switched_off = not enabled
        session.flush()
        switches = registry.webservice_switches

        def publish(_session: Session) -> None:
            switches.switch(code, enabled)

        event.listen(session, "after_commit", publish, once=True)
        return row


class OneTimeTokenTypeService(ParametricEntityService[OneTimeTokenType]):
    def lifetime(self, session: Session, type_id: str) -> timedelta:
        """How long a token of this type stays valid (the type's ``duration`` minutes)."""
        token_type = session.get(self.model, type_id)
        if token_type is None or not token_type.enabled:
            raise ImproperlyConfigured(
                f"one-time token type {type_id!r} is missing or disabled; run "
                "`manage.py loadfixtures`"
            )
        return timedelta(minutes=token_type.duration)


class EmailingService(EntityService[Emailing]):
    def queue(
        self,
        session: Session,
        type_id: str,
        email_address: str,
        language_id: str,
        context: dict[str, Any],
    ) -> Emailing:
        """Record an email to send: a WAITING row the jobs worker delivers after commit.

        Written in the caller's transaction, so an operation that fails sends nothing.
        """
        emailing = self.model(
            type_id=type_id,
            email_address=email_address,
            language_id=language_id,
            context=dict(context),
            status_id=WAITING,
        )
        session.add(emailing)
        session.flush()
        enqueue(session, self.registry, SEND_EMAIL_JOB, str(emailing.id))
        return emailing

    def send(self, session: Session, settings: Settings, emailing_id: str) -> None:
        """Render and send a WAITING email, then mark it SENT (the ``send_email`` job).

        A missing row or one no longer WAITING is left alone: the job may be delivered
        twice, and the email must go out once.
        """
        emailing = session.get(self.model, uuid.UUID(emailing_id))
        if emailing is None:
            logger.info("emailing %s no longer exists: nothing to send", emailing_id)
            return
        if emailing.status_id != WAITING:
            logger.info("emailing %s is %s: not sent again", emailing_id, emailing.status_id)
            return
        email_type = session.get(self.registry.model("emailing_type"), emailing.type_id)
        template = (email_type.template if email_type is not None else "") or emailing.type_id
        rendered = self.renderer(settings).render(
            template, emailing.language_id, emailing.context or {}
        )
        subject = rendered.subject or (email_type.subject if email_type else "") or template
        if not settings.smtp_host:
            if settings.env is Environment.DEV:
                logger.info(
                    "SMTP_HOST is not set, email not sent (it stays WAITING):\nTo: %s\n"
                    "Subject: %s\n\n%s",
                    emailing.email_address,
                    subject,
                    rendered.text,
                )
            else:
                logger.warning(
                    "SMTP_HOST is not set: email %s (%s) not sent", emailing_id, emailing.type_id
                )
            return
        send_message(settings, build_message(settings, emailing.email_address, subject, rendered))
        emailing.status_id = SENT
        emailing.sent_at = utcnow()
        emailing.error = None
        session.flush()

    def record_error(
        self, session: Session, emailing_id: str, error: BaseException, final: bool
    ) -> None:
        """Keep the last error on the row; ERROR once no retry follows."""
        emailing = session.get(self.model, uuid.UUID(emailing_id))
        if emailing is None or emailing.status_id == SENT:
            return
        emailing.error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        if final:
            emailing.status_id = ERROR
        session.flush()

    def renderer(self, settings: Settings) -> EmailRenderer:
        """Templates from ``EMAIL_TEMPLATE_DIRS`` and the installed apps (built once)."""
        cached: tuple[Settings, EmailRenderer] | None = getattr(self, "_renderer", None)
        if cached is None or cached[0] is not settings:
            cached = (settings, EmailRenderer(template_dirs(self.registry, settings)))
            self._renderer = cached
        return cached[1]
