"""Users, sessions (JWT access tokens in cookies or Bearer, rotating refresh tokens),
XSRF, lockout, password reset and email verification, and the user operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lys.application import Application


def _connected(context: Any, _webservice: Any) -> bool:
    return context.principal is not None


def ready(application: Application) -> None:
    """Wire authentication into the application: who is calling (access token, revocation
    check), the XSRF guard, and the access control of ``@access`` (CONNECTED and OWNER
    let connected callers in; OWNER resolvers then keep to the caller's own rows). Then
    the user module's start-up: its row policy and the ``SUPER_USER_EMAIL`` bootstrap."""
    from lys.apps.user_auth.modules.auth.authentication import make_authenticator
    from lys.apps.user_auth.modules.auth.runtime import install
    from lys.apps.user_auth.modules.auth.xsrf import make_guard
    from lys.apps.user_auth.modules.user import bootstrap
    from lys.permissions.webservices import AccessControl

    registry = application.registry
    runtime = install(application.settings, registry)
    registry.authenticators.append(make_authenticator(runtime))
    registry.request_guards.append(make_guard(application.settings.xsrf_check))
    registry.access_control = AccessControl(
        enforced=True, level_checks={"CONNECTED": _connected, "OWNER": _connected}
    )
    bootstrap.ready(application)
