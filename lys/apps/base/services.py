"""Services of the base app: reference data lookups and the emailing queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lys.apps.base.models import AccessLevel, Emailing, Language, OneTimeTokenType
from lys.errors import ImproperlyConfigured
from lys.services import EntityService, ParametricEntityService

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
