from __future__ import annotations

from typing import Any

from ariadne import QueryType

from tests.testapps.reg_support import record

record(__name__)

query = QueryType()


@query.field("orderThingA")
def resolve_order_thing(*_args: Any) -> str:
    return "a"
