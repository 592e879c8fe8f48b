"""Every webservice of the reference project against every kind of caller, at the gate.

The expectations below are written by hand, one group per access declaration: adding a
webservice, or changing who may call one, fails this test until the table says so.
Callers are authenticated by the application's own authenticators from real tokens
(with the claims a login gives); the check is the one every root field runs. What each
caller then reaches row by row is tested per app (``test_users_access``,
``test_user_role_*``, ``test_organization_*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from lys import Application
from lys.errors import LysError
from lys.graphql.context import RequestContext
from lys.testing.users import Caller, Users

PUBLIC = {
    "activate_user",
    "all_access_levels",
    "all_accessible_webservices",
    "all_genders",
    "all_languages",
    "all_product_categories",
    "all_user_statuses",
    "create_client",
    "logout",
    "node",
    "nodes",
    "refresh_access_token",
    "request_password_reset",
    "reset_password",
    "verify_email",
}
DISCONNECTED = {"login"}
CONNECTED = {"all_roles", "connected_user", "logout_everywhere", "logout_session", "my_sessions"}
OWNER_OR_ROLE = {
    "send_email_verification",
    "update_password",
    "update_user_email",
    "update_user_private_data",
    "user",
}
SERVICES_ONLY = {"all_webservices", "register_webservices"}
SUPER_USERS_ONLY = {"anonymize_user", "create_super_user", "set_webservice_enabled"}
#: ROLE: USER_SUPERVISOR_ROLE lists these.
USER_SUPERVISION = {"all_users", "create_user", "update_user_roles", "update_user_status"}
#: ROLE: CLIENT_SUPERVISOR_ROLE lists these.
CLIENT_SUPERVISION = {"all_clients"}
#: ROLE or ORGANIZATION_ROLE: CLIENT_SUPERVISOR_ROLE, CLIENT_ADMIN_ROLE, client owners.
CLIENT_ADMINISTRATION = {"client", "update_client"}
#: ORGANIZATION_ROLE (or ROLE): USER_ADMIN_ROLE, client owners.
CLIENT_USERS = {
    "all_client_users",
    "client_user",
    "create_client_user",
    "update_client_user_email",
    "update_client_user_private_data",
    "update_client_user_roles",
}
#: ROLE or ORGANIZATION_ROLE: CATALOG_MANAGER_ROLE, client owners.
PRODUCTS = {
    "all_products",
    "product",
    "create_product",
    "delete_product",
    "update_product",
    "update_product_price",
}
EVERY = (
    PUBLIC
    | DISCONNECTED
    | CONNECTED
    | OWNER_OR_ROLE
    | SERVICES_ONLY
    | SUPER_USERS_ONLY
    | USER_SUPERVISION
    | CLIENT_SUPERVISION
    | CLIENT_ADMINISTRATION
    | CLIENT_USERS
    | PRODUCTS
)
CONNECTED_BASICS = PUBLIC | CONNECTED | OWNER_OR_ROLE

#: Caller kind -> the webservices it passes; every other one is refused.
PASSES = {
    "anonymous": PUBLIC | DISCONNECTED,
    "plain": CONNECTED_BASICS,
    "role_holder": CONNECTED_BASICS
    | USER_SUPERVISION
    | CLIENT_SUPERVISION
    | CLIENT_ADMINISTRATION
    | PRODUCTS,
    "client_owner": CONNECTED_BASICS | CLIENT_ADMINISTRATION | CLIENT_USERS | PRODUCTS,
    "client_admin": CONNECTED_BASICS | CLIENT_ADMINISTRATION,
    "member": CONNECTED_BASICS | CLIENT_USERS | PRODUCTS,
    "other_member": CONNECTED_BASICS | CLIENT_USERS | PRODUCTS,
    "bare_member": CONNECTED_BASICS,
    "super": EVERY,
}


@dataclass
class _Request:
    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)
    client: Any = None


def make_callers(users: Users) -> dict[str, Caller]:
    owner = users.at_level("client_owner", name="Client A")
    client_a = owner.user.client_id
    roles = ["USER_ADMIN_ROLE", "CATALOG_MANAGER_ROLE"]
    return {
        "anonymous": users.at_level("anonymous"),
        "plain": users.at_level("user"),
        "role_holder": users.at_level(
            "role_holder",
            roles=["USER_SUPERVISOR_ROLE", "CLIENT_SUPERVISOR_ROLE", "CATALOG_MANAGER_ROLE"],
        ),
        "client_owner": owner,
        "client_admin": users.at_level(
            "client_member", client=client_a, roles=["CLIENT_ADMIN_ROLE"]
        ),
        "member": users.at_level("client_member", client=client_a, roles=roles),
        "other_member": users.at_level("client_member", roles=roles),
        "bare_member": users.at_level("client_member", client=client_a),
        "super": users.at_level("super_user"),
    }


def gate(app: Application, caller: Caller, name: str) -> str | None:
    """None when the caller passes the webservice's check, else the error code."""
    headers = {key.lower(): value for key, value in caller.headers.items()}
    context = RequestContext(app.settings, app.registry, app.engine, request=_Request(headers))
    try:
        context.authenticate()
        app.registry.access_control.check(context, app.registry.webservices[name])
        return None
    except LysError as exc:
        return exc.code
    finally:
        context.finish(success=False)


def test_the_table_names_every_webservice(lys_app: Application):
    lys_app.schema  # noqa: B018 - reads the webservices
    assert set(lys_app.registry.webservices) == EVERY


@pytest.mark.parametrize("kind", list(PASSES))
def test_who_passes_which_webservice(lys_app: Application, lys_users: Users, kind: str):
    lys_app.schema  # noqa: B018
    caller = make_callers(lys_users)[kind]
    refusal = "ACCESS_DENIED_ERROR" if kind == "anonymous" else "PERMISSION_DENIED"
    outcomes = {name: gate(lys_app, caller, name) for name in sorted(EVERY)}
    expected = {name: None if name in PASSES[kind] else refusal for name in sorted(EVERY)}
    assert outcomes == expected
