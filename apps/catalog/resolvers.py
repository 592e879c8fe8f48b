from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from lys import ValidationError
from lys.graphql.pagination import paginate

query = QueryType()
mutation = MutationType()
product_category = ObjectType("ProductCategoryNode")


def _product_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a product id.", extensions={"field": "id"}
        ) from None


@query.field("product")
def resolve_product(_obj: Any, info: GraphQLResolveInfo, id: str) -> Any:
    context = info.context
    return context.service("product").get(context.session, _product_id(id))


@query.field("allProducts")
def resolve_all_products(
    _obj: Any,
    info: GraphQLResolveInfo,
    search: str | None = None,
    category_id: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    context = info.context
    product = context.model("product")
    stmt = context.service("product").search(search, category_id)
    page = paginate(context.session, stmt, (product.name, product.id), first=first, after=after)
    return page.as_connection()


@query.field("allProductCategories")
def resolve_all_product_categories(_obj: Any, info: GraphQLResolveInfo) -> list[Any]:
    context = info.context
    return context.service("product_category").enabled(context.session)


@mutation.field("createProduct")
def resolve_create_product(_obj: Any, info: GraphQLResolveInfo, inputs: dict[str, Any]) -> Any:
    context = info.context
    return context.service("product").create_product(context.session, **inputs)


@mutation.field("updateProductPrice")
def resolve_update_product_price(
    _obj: Any, info: GraphQLResolveInfo, id: str, price: Decimal
) -> Any:
    context = info.context
    return context.service("product").update_price(context.session, _product_id(id), price)


@product_category.field("code")
def resolve_category_code(category: Any, _info: GraphQLResolveInfo) -> str:
    return category.id
