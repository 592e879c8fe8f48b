"""Roles: named sets of webservices, held by users (the ROLE access level).

A role opens to its holders the webservices it lists that declare ROLE. Holders grant
and withdraw only roles they hold; super users hold none and may call everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lys.application import Application

APP = "lys.apps.user_role"
#: user_auth operations on a user, opened to roles besides the user themselves.
OWNER_OR_ROLE = (
    "user",
    "update_user_email",
    "update_password",
    "update_user_private_data",
    "send_email_verification",
)
#: user_auth operations opened to roles (super users only before).
ROLE_ONLY = ("update_user_status",)


def ready(application: Application) -> None:
    """Add the ROLE permission to the chain and the ``roles`` claim to access tokens,
    open user_auth's user operations to roles, and drop this process's copy of the
    role -> webservices mapping after each ``loadfixtures``."""
    from lys.apps.user_role.permissions import RolePermission
    from lys.permissions import OWNER, ROLE, override_webservice

    registry = application.registry
    registry.permissions.append(RolePermission())
    registry.claim_providers.append(
        lambda session, user: dict(registry.service("user_role").claims(session, user))
    )
    registry.sync_hooks.append(_forget_grants_on_commit)
    for name in OWNER_OR_ROLE:
        override_webservice(registry, name, app=APP, levels=[OWNER, ROLE])
    for name in ROLE_ONLY:
        override_webservice(registry, name, app=APP, levels=[ROLE])


def _forget_grants_on_commit(session: Any, application: Application) -> None:
    application.registry.service("role").grants.invalidate_on_commit(session)
