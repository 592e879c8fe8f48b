"""``UserNode.clientRoles`` without a query per user (roles go through the
``client_user_role`` table, which the framework's relation loaders do not batch)."""

from __future__ import annotations

from typing import Any

from lys.graphql.loaders import BatchLoader

_KEY = "organization.client_roles"


def client_roles(context: Any, user: Any) -> list[Any]:
    loader = context.state.get(_KEY)
    if loader is None:
        service = context.service("client_user_role")
        loader = BatchLoader(
            context.loaders.groups,
            lambda row: row.id,
            lambda ids: service.roles_by_user(context.session, ids),
        )
        context.state[_KEY] = loader
    return loader.load_for(user)
