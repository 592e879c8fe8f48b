"""Clients (organizations), the users belonging to them and their client roles.

A client's rows are reached through the ``client`` organization kind: a grant on
client ``A`` (``Access.scoped(organizations={"client": {A}})``) reaches client ``A``
itself, its users and their client roles, and every other app's rows whose
``client_id`` is ``A``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint, select
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, Relationship

from lys import Entity
from lys.apps.user_role.models import User as RoleUser
from lys.models.scopes import UserOwned

#: The organization kind of clients, in grants and row scopes.
CLIENT = "client"


def _client_ids(organizations: Mapping[str, Collection[Any]]) -> list[Any]:
    return list(organizations.get(CLIENT) or ())


class Client(Entity):
    """A customer organization; its owner signed it up and manages it."""

    __tablename__ = "client"

    name: str = Field(max_length=255, index=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True)

    owner: User = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Client.owner_id]", "viewonly": True}
    )
    #: The client's users (its owner included). Writing the list sets their
    #: ``client_id`` (the demo fixture does); the operations never do.
    users: list[User] = Relationship(
        sa_relationship_kwargs={
            "primaryjoin": "Client.id == User.client_id",
            "foreign_keys": "[User.client_id]",
            "order_by": "User.id",
        }
    )

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        ids = _client_ids(organizations)
        return [cls.id.in_(ids)] if ids else None  # type: ignore[attr-defined]

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        return {CLIENT: {self.id}}


class User(RoleUser):
    """A user may belong to one client; ``client_id`` null means the internal team.

    Besides its own rows (the user itself, from ``UserOwned``), a user is reached by
    grants on its client.
    """

    # The foreign key is declared in ``__table_args__``: clients and users refer to
    # each other, so the pair is created with ``use_alter`` and checked at commit
    # (deferred), letting a transaction write both rows in either order.
    client_id: uuid.UUID | None = Field(default=None, index=True, nullable=True)

    client: Client | None = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[User.client_id]", "viewonly": True}
    )
    client_user_roles: list[ClientUserRole] = Relationship(
        sa_relationship_kwargs={"viewonly": True}
    )

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # A function, so each application's table gets a constraint object of its own.
        inherited = tuple(getattr(super(), "__table_args__", None) or ())
        client = ForeignKeyConstraint(
            ["client_id"], ["client.id"], use_alter=True, deferrable=True, initially="DEFERRED"
        )
        return (*inherited, client)

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        ids = _client_ids(organizations)
        return [cls.client_id.in_(ids)] if ids else None  # type: ignore[union-attr]

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        return {CLIENT: {self.client_id}} if self.client_id is not None else {}


class ClientUserRole(UserOwned, Entity):
    """A role a client user holds within their client (a ``role`` row of user_role).

    Scoped through the user's client: a grant on client ``A`` reaches the client roles
    of ``A``'s users; the user also sees their own.
    """

    __tablename__ = "client_user_role"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    role_id: str = Field(foreign_key="role.id", index=True, max_length=64)

    user: User = Relationship(sa_relationship_kwargs={"viewonly": True})

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        ids = _client_ids(organizations)
        if not ids:
            return None
        user = cls.user.property.mapper.class_  # type: ignore[attr-defined]
        members = select(user.id).where(user.client_id.in_(ids))
        return [cls.user_id.in_(members)]  # type: ignore[attr-defined]

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        client_id = self.user.client_id if self.user is not None else None
        return {CLIENT: {client_id}} if client_id is not None else {}
