from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType
from graphql import GraphQLResolveInfo
from sqlalchemy import select

from lys.graphql.operations import connection

query = QueryType()
author = ObjectType("TkAuthorNode")


@query.field("allTkAuthors")
@connection("TkAuthorNode", order_by={"NAME": "name", "NICKNAME": "nickname"})
def resolve_all_authors(_obj: Any, info: GraphQLResolveInfo) -> Any:
    return select(info.context.model("tk_author"))


@author.field("bookPage")
@connection("TkBookNode", order_by={"TITLE": "title"})
def resolve_book_page(obj: Any, info: GraphQLResolveInfo) -> Any:
    book = info.context.model("tk_book")
    return select(book).where(book.author_id == obj.id)
