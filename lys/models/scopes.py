"""Ready-made row scopes for the two common shapes: rows of a user, rows of a tenant.

    class Invoice(OrganizationOwned, Entity):
        client_id: uuid.UUID = Field(index=True)

The hooks they implement are described on ``BaseEntity``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar


class UserOwned:
    """Rows owned by the user named in ``__owner_column__``."""

    __owner_column__: ClassVar[str] = "user_id"

    @classmethod
    def user_accessing_filters(cls, user_id: Any) -> list[Any] | None:
        return [getattr(cls, cls.__owner_column__) == user_id]

    def accessing_users(self) -> Collection[Any] | None:
        return {getattr(self, self.__owner_column__)}


class OrganizationOwned:
    """Rows of the organization named in ``__tenant_column__`` (of kind
    ``__tenant_kind__``); rows without one belong to no organization."""

    __tenant_column__: ClassVar[str] = "client_id"
    __tenant_kind__: ClassVar[str] = "client"

    @classmethod
    def organization_accessing_filters(
        cls, organizations: Mapping[str, Collection[Any]]
    ) -> list[Any] | None:
        ids = organizations.get(cls.__tenant_kind__)
        if not ids:
            return None
        return [getattr(cls, cls.__tenant_column__).in_(list(ids))]

    def accessing_organizations(self) -> Mapping[str, Collection[Any]] | None:
        tenant = getattr(self, self.__tenant_column__)
        return {self.__tenant_kind__: {tenant}} if tenant is not None else {}
