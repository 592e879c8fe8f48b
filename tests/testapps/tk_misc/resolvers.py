from __future__ import annotations

from typing import Any

from ariadne import MutationType, QueryType
from graphql import GraphQLResolveInfo

query = QueryType()
mutation = MutationType()

#: The secret the unexpected error carries; it must never reach a client outside debug.
BOOM_SECRET = "tk-misc-secret-password-in-exception"


@query.field("tkLoop")
def resolve_loop(_obj: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    loop: dict[str, Any] = {"value": 1}
    loop["next"] = loop
    return loop


@query.field("tkCount")
def resolve_count(_obj: Any, _info: GraphQLResolveInfo, values: list[int]) -> int:
    return len(values)


@query.field("tkBoom")
@mutation.field("tkBoom")
def resolve_boom(_obj: Any, _info: GraphQLResolveInfo) -> Any:
    raise RuntimeError(BOOM_SECRET)
