"""Reference data of the user_role app: the ROLE access level and the shipped roles.

A role's webservices are part of its row (``webservices``): the fixture writes the
role's whole list, so a reload with a shorter list withdraws the rest. Other apps ship
their roles by subclassing :class:`RoleFixture`; a role belongs to one fixture.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from lys import ParametricFixture, ParametricRow
from lys.fixtures import FixtureContext


class RoleAccessLevelFixture(ParametricFixture):
    model = "access_level"
    rows = [{"id": "ROLE", "description": "Users holding a role that lists the webservice"}]


class RoleRow(ParametricRow):
    app_name: str | None = None
    supervisor_only: bool = False
    #: Webservice names (snake_case); only those declaring ROLE open to holders.
    webservice_links: list[str] = Field(default_factory=list, alias="webservices")


class RoleFixture(ParametricFixture):
    """Roles with the webservices they list (``{"id": ..., "webservices": [...]}``)."""

    __abstract__: ClassVar[bool] = True
    model = "role"
    row_schema = RoleRow

    def format_webservice_links(self, value: list[str], context: FixtureContext) -> list[Any]:
        return context.service("role").links_for(context.existing, value)


class UserRoleFixture(RoleFixture):
    rows = [
        {
            "id": "USER_SUPERVISOR_ROLE",
            "description": "Manages the users of the internal team",
            "supervisor_only": True,
            "webservices": [
                "all_users",
                "create_user",
                "user",
                "update_user_email",
                "update_password",
                "update_user_private_data",
                "update_user_status",
                "update_user_roles",
                "send_email_verification",
            ],
        }
    ]
