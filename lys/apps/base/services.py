"""Services of the base app: reference data lookups and the emailing queue."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, event, not_, select
from sqlalchemy.orm import Session

from lys.apps.base.models import AccessLevel, Emailing, Language, OneTimeTokenType, Webservice
from lys.errors import ImproperlyConfigured, NotFoundError, ValidationError
from lys.services import EntityService, ParametricEntityService

#: The webservice that switches the others (never switched off by itself).
SWITCH_WEBSERVICE = "set_webservice_enabled"
#: The status of an email no worker has sent yet.
WAITING = "WAITING"


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
            stmt = stmt.where(self.model.id.in_(sorted(names)))
        if enabled is not None:
            effective = and_(self.model.enabled.is_(True), self.model.switched_off.is_(False))
            stmt = stmt.where(effective if enabled else not_(effective))
        if app_name is not None:
            stmt = stmt.where(self.model.app_name == app_name)
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
        return emailing
