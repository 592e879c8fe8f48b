from __future__ import annotations

from typing import Any

from ariadne import MutationType, QueryType
from sqlalchemy import select

from lys.graphql.operations import connection, edition, getter

query = QueryType()
mutation = MutationType()


@query.field("allTickets")
@connection("TicketNode")
def resolve_all_tickets(_obj: Any, info: Any) -> Any:
    return select(info.context.model("ticket"))


@query.field("ticket")
@getter("TicketNode")
def resolve_ticket(_obj: Any, _info: Any, ticket: Any) -> Any:
    return ticket


@query.field("board")
@getter("BoardNode")
def resolve_board(_obj: Any, _info: Any, board: Any) -> Any:
    return board


@mutation.field("updateTicket")
@edition("TicketNode")
def resolve_update_ticket(_obj: Any, _info: Any, ticket: Any, title: str) -> Any:
    ticket.title = title
    return ticket
