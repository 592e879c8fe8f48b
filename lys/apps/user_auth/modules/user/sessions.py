"""Ending a user's sessions when their password or status changes.

The auth module owns sessions and access tokens; its ``user_session`` service marks
the session rows ended in the caller's transaction and refuses their access tokens at
once (see ``modules/auth/revocation.py``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from lys.registry.registry import Registry

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
    registry.service("user_session").revoke_user_sessions(
        session, user_id, except_session=except_session, reason=reason
    )


def user_disabled(registry: Registry, session: Session, user_id: uuid.UUID, *, reason: str) -> None:
    """The user may no longer use the service: every session and access token ends now."""
    registry.service("user_session").disable_user(session, user_id, reason=reason)
