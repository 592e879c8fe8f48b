"""Ending a user's sessions when their password or status changes.

The auth module owns sessions and access tokens. When it provides
``revoke_user_sessions`` / ``user_disabled`` on its ``user_session`` service, those
are called; until then the sessions are ended here, in the caller's transaction, and
the auth runtime's revocation list is told so their access tokens stop at once.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lys.db.types import utcnow

if TYPE_CHECKING:
    from lys.registry.registry import Registry

logger = logging.getLogger("lys.auth.sessions")

PASSWORD_CHANGED = "PASSWORD_CHANGED"
PASSWORD_RESET = "PASSWORD_RESET"
USER_DISABLED = "USER_DISABLED"
USER_ANONYMIZED = "USER_ANONYMIZED"


def revoke_user_sessions(
    registry: Registry,
    session: Session,
    user_id: uuid.UUID,
    *,
    except_session: uuid.UUID | None = None,
    reason: str,
) -> None:
    """End every open session of the user but ``except_session`` (the caller's own)."""
    hook = _auth_hook(registry, "revoke_user_sessions")
    if hook is not None:
        hook(session, user_id, except_session=except_session, reason=reason)
        return
    model = registry.model("user_session")
    condition = [model.user_id == user_id, model.revoked_at.is_(None)]
    if except_session is not None:
        condition.append(model.id != except_session)
    ended = list(session.scalars(select(model.id).where(*condition)))
    if ended:
        session.execute(
            update(model)
            .where(model.id.in_(ended))
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )
    revocations = _revocations(registry)
    if revocations is not None:
        revocations.sessions_ended(ended)


def user_disabled(registry: Registry, session: Session, user_id: uuid.UUID, *, reason: str) -> None:
    """The user may no longer use the service: every session and access token ends now."""
    hook = _auth_hook(registry, "user_disabled")
    if hook is not None:
        hook(session, user_id, reason=reason)
        return
    revoke_user_sessions(registry, session, user_id, reason=reason)
    revocations = _revocations(registry)
    if revocations is not None:
        revocations.user_cut_off(user_id)


def _auth_hook(registry: Registry, name: str) -> Any:
    service = registry.services.get("user_session")
    hook = getattr(service, name, None)
    return hook if callable(hook) else None


def _revocations(registry: Registry) -> Any:
    try:
        from lys.apps.user_auth.modules.auth.runtime import runtime_of
    except ImportError:  # pragma: no cover - the auth module is part of this app
        return None
    try:
        return runtime_of(registry).revocations
    except Exception:
        logger.debug("no auth runtime for this registry: nothing to tell about revocations")
        return None
