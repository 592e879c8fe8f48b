"""Thin resolvers: the helpers decode ids, check access, validate and page."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from apps.catalog.inputs import CreateProductInput, UpdateProductInput
from apps.catalog.models import Product
from lys import ValidationError
from lys.graphql.operations import connection, creation, deletion, edition, getter
from lys.graphql.relay import node_pk

#: The organization kind products belong to (their ``client_id``).
CLIENT = Product.__tenant_kind__

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
    """A product of ``clientId``, by default of the one client the caller acts for.

    The creation helper checks the new product against the caller's reach, so a
    ``clientId`` the caller does not act for answers PERMISSION_DENIED and nothing is
    written.
    """
    context = info.context
    values = inputs.model_dump()
    if values["client_id"] is None:
        values["client_id"] = default_client(context.access)
    return context.service("product").create_product(context.session, **values)


def default_client(access: Any) -> uuid.UUID | None:
    """The client a caller creates products for when they name none: the one client
    their grant reaches. Callers reaching every row (super users, role holders) create
    products of no client; callers acting for several clients must choose."""
    if access is None or access.full:
        return None
    clients = access.organizations.get(CLIENT)
    if clients is not None and len(clients) == 1:
        return next(iter(clients))
    raise ValidationError(
        "You act for several clients: say which one the product belongs to.",
        extensions={"field": "clientId"},
    )


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
