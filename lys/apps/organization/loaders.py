"""``UserNode.clientRoles`` without a query per user (roles go through the
``client_user_role`` table, which the framework's relation loaders do not batch)."""

from __future__ import annotations

from typing import Any


def client_roles(context: Any, user: Any) -> list[Any]:
    service = context.service("client_user_role")
    loader = context.loaders.batched(
        "organization.client_roles",
        lambda row: row.id,
        lambda ids: service.roles_by_user(context.session, ids),
    )
    return loader.load_for(user)
