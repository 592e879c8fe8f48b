from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import GraphQLResolveInfo

SECRET_TEXT = "password=hunter2 in SELECT * FROM secrets"

query = QueryType()


@query.field("boom")
def resolve_boom(_obj: Any, _info: GraphQLResolveInfo) -> str:
    raise RuntimeError(SECRET_TEXT)
