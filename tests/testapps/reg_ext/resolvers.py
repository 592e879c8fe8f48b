from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import GraphQLResolveInfo

from apps.catalog.resolvers import resolve_product as catalog_resolve_product
from lys import NotFoundError

query = QueryType()


@query.field("product")
def resolve_product(obj: Any, info: GraphQLResolveInfo, id: str) -> Any:
    """Replaces the catalog's resolver: same lookup (the catalog's ``getter`` decodes and
    checks the id), but an unknown product gets this app's own message."""
    try:
        return catalog_resolve_product(obj, info, id=id)
    except NotFoundError:
        raise NotFoundError(f"reg_ext: no product {id}.", extensions={"field": "id"}) from None
