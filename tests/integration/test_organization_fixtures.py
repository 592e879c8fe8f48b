"""Reference and demo data of the organization app and the catalog.

Several apps ship rows of one model (roles): loading one app's fixtures, or all of
them, never disables a row another installed app ships. A fixture for another app's
model loads only where that app is installed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from lys import Application, Environment
from lys.fixtures import load_fixtures
from tests.integration.organization_support import APPS, organization_app
from tests.integration.test_users_support import SECRET_KEY, emails, rows

AppFactory = Callable[..., Application]

SHIPPED_ROLES = {
    "USER_SUPERVISOR_ROLE": True,  # user_role's
    "CLIENT_SUPERVISOR_ROLE": True,
    "CLIENT_ADMIN_ROLE": False,
    "USER_ADMIN_ROLE": False,
    "CATALOG_MANAGER_ROLE": False,  # the catalog's
}


def roles(app: Application) -> dict[str, tuple[bool, bool]]:
    return {row.id: (row.enabled, row.supervisor_only) for row in rows(app, "role")}


def test_every_app_ships_its_roles(make_app: AppFactory):
    app = organization_app(make_app)
    assert roles(app) == {code: (True, only) for code, only in SHIPPED_ROLES.items()}
    role = app.service("role")
    with app.session() as session:
        assert role.webservice_names(session, "CATALOG_MANAGER_ROLE") == {
            "all_products",
            "product",
            "create_product",
            "update_product",
            "update_product_price",
            "delete_product",
        }
    levels = {row.id for row in rows(app, "access_level") if row.enabled}
    assert {"ROLE", "ORGANIZATION_ROLE", "OWNER", "CONNECTED"} <= levels


@pytest.mark.parametrize(
    "app_name", ["lys.apps.organization", "apps.catalog", "lys.apps.user_role"]
)
def test_loading_one_apps_fixtures_disables_no_other_apps_role(make_app: AppFactory, app_name: str):
    app = organization_app(make_app)
    reports = load_fixtures(app, env=Environment.PREPROD, apps=[app_name])
    assert all(report.disabled == 0 for report in reports)
    assert all(enabled for enabled, _only in roles(app).values())


def test_a_role_dropped_from_the_code_is_disabled_and_only_that_one(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
):
    from lys.apps.organization.fixtures import OrganizationRoleFixture

    app = organization_app(make_app)
    kept = [row for row in OrganizationRoleFixture.rows if row["id"] != "CLIENT_ADMIN_ROLE"]
    monkeypatch.setattr(OrganizationRoleFixture, "rows", kept)
    load_fixtures(app, env=Environment.PREPROD)
    enabled = {code for code, (on, _only) in roles(app).items() if on}
    assert enabled == set(SHIPPED_ROLES) - {"CLIENT_ADMIN_ROLE"}


def test_the_catalog_role_waits_for_the_roles_app(make_app: AppFactory):
    """Without user_role there is no role model: the catalog's role is skipped, and
    the catalog works as before."""
    app = make_app(["lys.apps.base", "lys.apps.user_auth", "apps.catalog"], secret_key=SECRET_KEY)
    reports = {report.fixture: report for report in load_fixtures(app, env=Environment.PREPROD)}
    skipped = reports["CatalogRoleFixture"].skipped
    assert skipped == "needs lys.apps.user_role (not installed)"
    assert "role" not in app.registry.tables


def test_demo_data_in_development(make_app: AppFactory):
    app = make_app(APPS, secret_key=SECRET_KEY)
    first = load_fixtures(app, env=Environment.DEV)
    again = load_fixtures(app, env=Environment.DEV)
    # Loading is idempotent: the second run changes nothing of these apps' data.
    ours = {"OrganizationAccessLevelFixture", "OrganizationRoleFixture", "DemoClientFixture"}
    ours |= {"ProductCategoryFixture", "CatalogRoleFixture", "DemoProductFixture"}
    changed = [r.summary() for r in again if r.added or r.updated or r.disabled]
    assert [summary for summary in changed if summary.split(" ")[0] in ours] == []
    assert any(r.fixture == "DemoClientFixture" and r.added == 1 for r in first)
    (client,) = rows(app, "client")
    assert client.name == "Lys Demo"
    addresses = {row.user_id: row.address for row in rows(app, "user_email_address")}
    assert addresses[client.owner_id] == "owner@lys-demo.test"
    members = {addresses[user.id]: user for user in rows(app, "user", client_id=client.id)}
    assert set(members) == {"owner@lys-demo.test", "member@lys-demo.test"}
    # No password in code or logs: each demo user is invited to choose one.
    assert all(user.password is None for user in members.values())
    assert len(emails(app, "USER_INVITATION")) == 2
    member = members["member@lys-demo.test"]
    held = {row.role_id for row in rows(app, "client_user_role", user_id=member.id)}
    assert held == {"USER_ADMIN_ROLE", "CLIENT_ADMIN_ROLE"}
    # The demo products belong to the demo client.
    with app.session() as session:
        product = app.model("product")
        owners = set(session.scalars(select(product.client_id).distinct()))
    assert owners == {client.id}


def test_no_demo_data_outside_development(make_app: AppFactory):
    app = make_app(APPS, secret_key=SECRET_KEY)
    load_fixtures(app, env=Environment.DEMO)
    assert rows(app, "client") == []
