"""Super users are out of reach of role holders.

A role opens user operations on every user (the ROLE level grants all rows): without
this rule a holder of USER_SUPERVISOR_ROLE could disable a super user or change their
email address. A super user other than the caller answers like a user that does not
exist (NOT_FOUND), as rows outside a caller's reach always do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from lys.errors import NotFoundError
from lys.graphql.relay import load_node

USER_NODE = "UserNode"


def is_super_user(context: Any) -> bool:
    principal = context.principal
    return principal is not None and principal.is_super_user


def refuse_super_user_target(context: Any, user: Any, field: str = "id") -> None:
    principal = context.principal
    if (
        user.is_super_user
        and principal is not None
        and not principal.is_super_user
        and principal.user_id != user.id
    ):
        raise NotFoundError(f"No {USER_NODE} with this {field}.", extensions={"field": field})


def sparing_super_users(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``field(id: ID!, ...)`` resolver of a user operation with the rule above."""

    @functools.wraps(resolver)
    def resolve(obj: Any, info: GraphQLResolveInfo, id: str, **kwargs: Any) -> Any:
        refuse_super_user_target(info.context, load_node(info, id, USER_NODE))
        return resolver(obj, info, id=id, **kwargs)

    return resolve
