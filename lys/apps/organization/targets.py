"""Which users and clients the client-user operations may act on.

A client-user operation acts on users of clients only: an internal user or a super
user answers like a missing one (NOT_FOUND), as rows out of reach always do. The
owner of a client is changed by themselves or by the internal team only: their email
address is the key to the whole client, so a member managing users must not be able
to take it over.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo
from sqlalchemy import exists, select

from lys.apps.organization.errors import ClientOwnerProtectedError
from lys.errors import NotFoundError
from lys.graphql.global_ids import parse_pk

USER_NODE = "UserNode"
CLIENT_NODE = "ClientNode"


def client_user(user: Any, field: str = "id") -> Any:
    """``user`` if it belongs to a client; else NOT_FOUND, worded like a missing id."""
    if user.client_id is None or user.is_super_user:
        raise NotFoundError(f"No {USER_NODE} with this {field}.", extensions={"field": field})
    return user


def spare_owner(context: Any, user: Any) -> None:
    """Refuse a change to a client's owner by a member acting within the client."""
    access = context.access
    if access is not None and access.full:
        return
    if context.user_id == user.id:
        return
    clients = context.model("client")
    owns = context.session.scalar(select(exists().where(clients.owner_id == user.id)))
    if owns:
        raise ClientOwnerProtectedError()


def reachable_client(info: GraphQLResolveInfo, pk: str, field: str = "clientId") -> Any:
    """The client a write targets; NOT_FOUND when missing or out of the caller's reach
    (the same answer, so client ids cannot be probed)."""
    context = info.context
    model = context.model("client")
    client = context.session.get(model, parse_pk(model, pk, field=field))
    if client is None or not context.registry.access_policy.can_see(client, context):
        raise NotFoundError(f"No {CLIENT_NODE} with this {field}.", extensions={"field": field})
    return client
