"""Roles, the webservices each role lists, and the roles each user holds.

``role_webservice.webservice_id`` is a plain string, not a foreign key to the
``webservice`` table: a role may name webservices of other services of the deployment,
registered after the role was written.
"""

from __future__ import annotations

import uuid

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Relationship

from lys import Entity, ParametricEntity
from lys.apps.user_auth.modules.user.models import User as AuthUser
from lys.models.scopes import UserOwned


class Role(ParametricEntity):
    __tablename__ = "role"

    #: The service (or app) that ships the role, for people reading the table.
    app_name: str | None = Field(default=None, max_length=255)
    #: Reserved to the internal team: never granted to members of client organizations.
    supervisor_only: bool = Field(default=False, nullable=False)

    #: Replacing the list deletes the links left out (the fixture and the service
    #: both write the whole list).
    webservice_links: list[RoleWebservice] = Relationship(
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "RoleWebservice.webservice_id",
        }
    )


class RoleWebservice(Entity):
    __tablename__ = "role_webservice"
    __table_args__ = (UniqueConstraint("role_id", "webservice_id"),)

    role_id: str = Field(foreign_key="role.id", index=True, max_length=64)
    #: A webservice name (snake_case), of this service or another one.
    webservice_id: str = Field(max_length=64, index=True)


class UserRole(UserOwned, Entity):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    role_id: str = Field(foreign_key="role.id", index=True, max_length=64)


class User(AuthUser):
    """The user_auth user, with the roles it holds (read-only: ``user_role`` rows are
    written by the ``user_role`` service)."""

    roles: list[Role] = Relationship(
        sa_relationship_kwargs={"secondary": "user_role", "viewonly": True, "order_by": "Role.id"}
    )
