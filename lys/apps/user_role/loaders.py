"""``UserNode.roles`` without a query per user.

The framework's relation loaders batch single-column relations; a user's roles go
through the ``user_role`` table, so they get a loader of their own, batched the same
way (over the user's siblings in the list it came from) and kept for the request.
"""

from __future__ import annotations

from typing import Any

from lys.graphql.loaders import BatchLoader

_KEY = "user_role.roles"


def user_roles(context: Any, user: Any) -> list[Any]:
    loader = context.state.get(_KEY)
    if loader is None:
        service = context.service("user_role")
        loader = BatchLoader(
            context.loaders.groups,
            lambda row: row.id,
            lambda ids: service.roles_by_user(context.session, ids),
        )
        context.state[_KEY] = loader
    return loader.load_for(user)
