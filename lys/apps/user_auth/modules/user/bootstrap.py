"""Start-up wiring of the user module, called from ``lys.apps.user_auth.ready()``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from lys.errors import ImproperlyConfigured, LysError

if TYPE_CHECKING:
    from lys.application import Application

logger = logging.getLogger("lys.auth.users")


def ready(application: Application) -> None:
    ensure_super_user(application)


def ensure_super_user(application: Application) -> bool:
    """Create the ``SUPER_USER_EMAIL`` super user if no user has that address.

    An existing user is never changed. The new one gets a random password nobody
    knows and a password reset email (a WAITING emailing row): its link is the way in.
    Does nothing, with a warning, while the database is not migrated or the reference
    data not loaded. Returns whether a user was created.
    """
    email = application.settings.super_user_email
    registry = application.registry
    if not email or "user" not in registry.tables or "user" not in registry.services:
        return False
    try:
        with application.session() as session:
            user = registry.service("user").ensure_super_user(session, application.settings, email)
    except (SQLAlchemyError, LysError, ImproperlyConfigured) as exc:
        logger.warning(
            "SUPER_USER_EMAIL: could not create the super user %s (%s); run "
            "`manage.py migrate` and `manage.py loadfixtures`, then start again",
            email,
            " ".join(str(exc).split())[:300],
        )
        return False
    if user is None:
        return False
    logger.warning(
        "Created the super user %s with a random password. To get in, follow the link of "
        "the password reset email queued for it (emailing table, type USER_PASSWORD_RESET, "
        "until a jobs worker sends it), or ask for another with the requestPasswordReset "
        "mutation.",
        email,
    )
    return True
