"""Users, sessions (JWT access tokens in cookies or Bearer, rotating refresh tokens),
XSRF, lockout, password reset and email verification, and the user operations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lys.application import Application


def ready(application: Application) -> None:
    """Wire authentication into the application: who is calling (access token, revocation
    check), the XSRF guard, and the connected-user permission (super users, CONNECTED,
    OWNER with the caller's own rows), which turns access checking on. Then the user
    module's start-up: the ``SUPER_USER_EMAIL`` bootstrap."""
    from lys.apps.user_auth.modules.auth.authentication import make_authenticator
    from lys.apps.user_auth.modules.auth.runtime import install
    from lys.apps.user_auth.modules.auth.xsrf import make_guard
    from lys.apps.user_auth.modules.user import bootstrap
    from lys.permissions.builtin import ConnectedPermission

    registry = application.registry
    runtime = install(application.settings, registry)
    registry.authenticators.append(make_authenticator(runtime))
    registry.request_guards.append(make_guard(application.settings.xsrf_check))
    registry.permissions.append(ConnectedPermission())
    registry.access_enforced = True
    bootstrap.ready(application)
