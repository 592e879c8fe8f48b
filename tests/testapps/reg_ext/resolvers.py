from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import GraphQLResolveInfo

from apps.catalog.resolvers import resolve_product as catalog_resolve_product
from lys import NotFoundError

query = QueryType()


@query.field("product")
def resolve_product(obj: Any, info: GraphQLResolveInfo, id: str) -> Any:
    """Replaces the catalog's resolver: an unknown id is an error here, not ``null``."""
    product = catalog_resolve_product(obj, info, id)
    if product is None:
        raise NotFoundError(f"reg_ext: no product {id}.")
    return product
