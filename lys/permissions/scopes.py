"""Row scopes: the ``Access`` a caller holds, applied to rows.

Models say whose rows they are through four hooks (see ``lys.models.entity``):
``user_accessing_filters`` / ``organization_accessing_filters`` turn a grant into SQL
conditions for lists, ``accessing_users`` / ``accessing_organizations`` say who reaches
one loaded object. A model that overrides none of them is not scoped: whoever the
webservice lets in sees its rows. Grants add up everywhere (OR), for lists and for
single objects alike, so a list and a fetch by id never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Select, false, or_

from lys.errors import ImproperlyConfigured
from lys.models.entity import BaseEntity, ParametricEntity
from lys.permissions.chain import PermissionChain
from lys.permissions.grants import Access

HOOKS = (
    "user_accessing_filters",
    "organization_accessing_filters",
    "accessing_users",
    "accessing_organizations",
)


def _overrides(model: type, hook: str) -> bool:
    own = getattr(model, hook, None)
    base = getattr(BaseEntity, hook)
    return getattr(own, "__func__", own) is not getattr(base, "__func__", base)


@cache
def is_scoped(model: type) -> bool:
    """Whether the model declares whose rows it holds (any hook overridden)."""
    return any(_overrides(model, hook) for hook in HOOKS)


class RowScopePolicy:
    """The access policy of applications with a permission chain (see ``lys.access``)."""

    def __init__(self, chain: PermissionChain) -> None:
        self.chain = chain

    def access_of(self, context: Any) -> Access:
        """The access of the current root field; outside one, the caller's baseline."""
        access = getattr(context, "access", None)
        return access if access is not None else self.chain.baseline(context)

    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        access = self.access_of(context)
        if access.full or not is_scoped(model):
            return stmt
        conditions: list[Any] = []
        principal = getattr(context, "principal", None)
        if access.owner and principal is not None:
            conditions.extend(model.user_accessing_filters(principal.user_id) or ())  # type: ignore[attr-defined]
        if access.organizations:
            conditions.extend(
                model.organization_accessing_filters(access.organizations) or ()  # type: ignore[attr-defined]
            )
        return stmt.where(or_(*conditions) if conditions else false())

    def can_see(self, obj: Any, context: Any) -> bool:
        access = self.access_of(context)
        # Classes are hashable; typeshed's Hashable check rejects type[Any].
        if access.full or not is_scoped(type(obj)):  # type: ignore[arg-type]
            return True
        principal = getattr(context, "principal", None)
        if access.owner and principal is not None:
            users = obj.accessing_users() or ()
            if principal.user_id in users:
                return True
        if access.organizations:
            reached = obj.accessing_organizations() or {}
            for kind, ids in access.organizations.items():
                if ids & set(reached.get(kind, ())):
                    return True
        return False

    def can_write(self, obj: Any, context: Any) -> bool:
        return self.can_see(obj, context)


def check_tenant_columns(
    tables: Mapping[str, type[Any]], tenant_columns: Mapping[str, str]
) -> None:
    """A model holding a tenant column must say how its rows are scoped, or a grant on
    one organization would reach every organization's rows: refuse to start."""
    for name, model in tables.items():
        if issubclass(model, ParametricEntity):
            continue
        columns = set(model.__table__.columns.keys())
        for column, kind in tenant_columns.items():
            if column not in columns:
                continue
            missing = [
                hook
                for hook in ("organization_accessing_filters", "accessing_organizations")
                if not _overrides(model, hook)
            ]
            if missing:
                raise ImproperlyConfigured(
                    f"model {name!r} ({model.__module__}) has the tenant column {column!r} "
                    f"({kind}) but does not override {' and '.join(missing)}: without them "
                    "a member of one organization would reach every organization's rows"
                )
