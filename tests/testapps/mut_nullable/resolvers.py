from __future__ import annotations

from typing import Any

from ariadne import MutationType
from graphql import GraphQLResolveInfo

from lys import ValidationError

mutation = MutationType()


@mutation.field("addProductCategory")
def resolve_add_product_category(_obj: Any, info: GraphQLResolveInfo, code: str) -> Any:
    if not code.isupper():
        raise ValidationError("A category code is upper case.", extensions={"field": "code"})
    context = info.context
    return context.service("product_category").create(context.session, id=code)
