"""Thin resolvers of the base app."""

from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import GraphQLResolveInfo

from lys.graphql.operations import connection

query = QueryType()


@query.field("allLanguages")
@connection("LanguageNode")
def resolve_all_languages(_obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None) -> Any:
    return info.context.service("language").search(enabled)


@query.field("allAccessLevels")
@connection("AccessLevelNode")
def resolve_all_access_levels(
    _obj: Any, info: GraphQLResolveInfo, enabled: bool | None = None
) -> Any:
    return info.context.service("access_level").search(enabled)
