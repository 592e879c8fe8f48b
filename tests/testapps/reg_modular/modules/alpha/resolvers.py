from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import GraphQLResolveInfo

from tests.testapps.reg_support import record

record(__name__)

query = QueryType()


@query.field("alphaGreeting")
def resolve_greeting(_obj: Any, info: GraphQLResolveInfo) -> str:
    return info.context.service("alpha_greeter").greet()
