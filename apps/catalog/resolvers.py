"""Thin resolvers: the helpers decode ids, check access, validate and page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from apps.catalog.inputs import CreateProductInput, UpdateProductInput
from lys.graphql.operations import connection, creation, deletion, edition, getter
from lys.graphql.relay import node_pk

query = QueryType()
mutation = MutationType()
product_category = ObjectType("ProductCategoryNode")


@query.field("product")
@getter("ProductNode")
def resolve_product(_obj: Any, _info: GraphQLResolveInfo, product: Any) -> Any:
    return product


@query.field("allProducts")
@connection(
    "ProductNode",
    order_by={"NAME": "name", "PRICE": "price", "CREATED_AT": "created_at"},
    default_order="NAME",
)
def resolve_all_products(
    _obj: Any, info: GraphQLResolveInfo, search: str | None = None, category_id: str | None = None
) -> Any:
    category = None
    if category_id is not None:
        category = node_pk(info, category_id, "ProductCategoryNode", field="categoryId")
    return info.context.service("product").search(search, category)


@query.field("allProductCategories")
def resolve_all_product_categories(_obj: Any, info: GraphQLResolveInfo) -> list[Any]:
    context = info.context
    return context.service("product_category").enabled(context.session)


@mutation.field("createProduct")
@creation("ProductNode", inputs=CreateProductInput)
def resolve_create_product(_obj: Any, info: GraphQLResolveInfo, inputs: CreateProductInput) -> Any:
    context = info.context
    return context.service("product").create_product(context.session, **inputs.model_dump())


@mutation.field("updateProduct")
@edition("ProductNode", inputs=UpdateProductInput)
def resolve_update_product(
    _obj: Any, info: GraphQLResolveInfo, product: Any, inputs: UpdateProductInput
) -> Any:
    context = info.context
    changes = inputs.model_dump(exclude_unset=True, exclude_none=True)
    return context.service("product").update_product(context.session, product, **changes)


@mutation.field("updateProductPrice")
@edition("ProductNode")
def resolve_update_product_price(
    _obj: Any, info: GraphQLResolveInfo, product: Any, price: Decimal
) -> Any:
    context = info.context
    return context.service("product").update_product(context.session, product, price=price)


@mutation.field("deleteProduct")
@deletion("ProductNode")
def resolve_delete_product(_obj: Any, _info: GraphQLResolveInfo, _product: Any) -> None:
    """Nothing to check beyond access: products can always be deleted."""


@product_category.field("code")
def resolve_category_code(category: Any, _info: GraphQLResolveInfo) -> str:
    return category.id
