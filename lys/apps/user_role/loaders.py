"""``UserNode.roles`` without a query per user.

The framework's relation loaders batch single-column relations; a user's roles go
through the ``user_role`` table, so they get a loader of their own, batched the same
way (over the user's siblings in the list it came from) and kept for the request.
"""

from __future__ import annotations

from typing import Any


def user_roles(context: Any, user: Any) -> list[Any]:
    service = context.service("user_role")
    loader = context.loaders.batched(
        "user_role.roles",
        lambda row: row.id,
        lambda ids: service.roles_by_user(context.session, ids),
    )
    return loader.load_for(user)
