"""Reference data of the organization app (the ORGANIZATION_ROLE access level and the
shipped roles) and, in development only, a demo client with its owner and a member.

The demo users are created without a password: each gets an invitation email (written
to the log when no SMTP server is configured) whose link lets them choose one, so no
password lives in the code or the logs.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from lys import BusinessFixture, Environment, ParametricFixture
from lys.apps.user_role.fixtures import RoleFixture
from lys.fixtures import FixtureContext
from lys.permissions import LEVELS_DESCRIPTIONS, ORGANIZATION_ROLE

DEMO_CLIENT = "Lys Demo"
DEMO_OWNER = "owner@lys-demo.test"
DEMO_MEMBER = "member@lys-demo.test"


class OrganizationAccessLevelFixture(ParametricFixture):
    model = "access_level"
    rows = [{"id": ORGANIZATION_ROLE, "description": LEVELS_DESCRIPTIONS[ORGANIZATION_ROLE]}]


class OrganizationRoleFixture(RoleFixture):
    rows = [
        {
            "id": "CLIENT_SUPERVISOR_ROLE",
            "description": "Oversees every client (internal team)",
            "supervisor_only": True,
            "webservices": ["all_clients", "client", "update_client"],
        },
        {
            "id": "CLIENT_ADMIN_ROLE",
            "description": "Manages the client's details",
            "webservices": ["client", "update_client"],
        },
        {
            "id": "USER_ADMIN_ROLE",
            "description": "Manages the client's users and their roles",
            "webservices": [
                "all_client_users",
                "client_user",
                "create_client_user",
                "update_client_user_email",
                "update_client_user_private_data",
                "update_client_user_roles",
            ],
        },
    ]


def demo_user(context: FixtureContext, email: str) -> Any:
    """The demo user with this address, invited when first created."""
    users = context.service("user")
    user = users.get_by_email(context.session, email)
    if user is None:
        user = users.create_user(
            context.session, context.application.settings, email=email, password=None
        )
    return user


class DemoUserRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    #: Client roles the user holds at least (roles granted since are kept).
    roles: list[str] = Field(default_factory=list)


class DemoClientRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    #: The owner's email address; the fixture turns it into their id.
    owner_id: str
    #: The client's users (owner included), by email address.
    users: list[DemoUserRow]


class DemoClientFixture(BusinessFixture):
    """A client to click around with: its owner and a member managing its users."""

    model = "client"
    row_schema = DemoClientRow
    natural_key = ("name",)
    environments = frozenset({Environment.DEV})
    depends_on = ("OrganizationRoleFixture",)
    rows = [
        {
            "name": DEMO_CLIENT,
            "owner_id": DEMO_OWNER,
            "users": [
                {"email": DEMO_OWNER},
                {"email": DEMO_MEMBER, "roles": ["USER_ADMIN_ROLE", "CLIENT_ADMIN_ROLE"]},
            ],
        }
    ]

    def format_owner_id(self, email: str, context: FixtureContext) -> uuid.UUID:
        return demo_user(context, email).id

    def format_users(self, rows: list[dict[str, Any]], context: FixtureContext) -> list[Any]:
        """The users, with their client roles; in the relationship's order, so a reload
        compares equal and changes nothing."""
        links = context.model("client_user_role")
        users = []
        for row in rows:
            user = demo_user(context, row["email"])
            held = set(
                context.session.scalars(select(links.role_id).where(links.user_id == user.id))
            )
            for code in sorted(set(row["roles"]) - held):
                context.session.add(links(user_id=user.id, role_id=code))
            users.append(user)
        return sorted(users, key=lambda user: user.id)
