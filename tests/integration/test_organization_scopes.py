"""Row scopes with the organization app: grants add up, tenant columns must be scoped.

Alice belongs to client A and holds TICKET_ROLE there; she also filed tickets for
client B and for no client. Tickets are reached by their author (OWNER) and by the
members of their client (ORGANIZATION_ROLE): Alice holds both grants and reaches the
union, in lists, single fetches, nested lists, ``node``/``nodes`` and writes alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lys import Application
from lys.errors import ImproperlyConfigured
from lys.graphql.global_ids import encode_global_id
from lys.testing import build_settings
from tests.integration.organization_support import (
    World,
    email,
    join_client,
    make_client,
    module_world,
)
from tests.integration.test_users_support import make_user, rows

TICKETS = "tests.testapps.org_tickets"

ALL_TICKETS = "{ allTickets { edges { node { title } } totalCount } }"
TICKET = "query($id: ID!) { ticket(id: $id) { title } }"
BOARD = "query($id: ID!) { board(id: $id) { name tickets { title } } }"
UPDATE = 'mutation($id: ID!) { updateTicket(id: $id, title: "Edited") { title } }'
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on TicketNode { title } } }"


def tickets_world(world: World) -> World:
    app = world.app
    for who in ("owner_a", "owner_b", "alice", "bob"):
        world.users[who] = make_user(app, email(who))
    world.clients["a"] = make_client(app, "Client A", world.users["owner_a"])
    world.clients["b"] = make_client(app, "Client B", world.users["owner_b"])
    join_client(app, world.users["alice"], world.clients["a"], ["TICKET_ROLE"])
    join_client(app, world.users["bob"], world.clients["a"])
    with app.session() as session:
        board = app.model("board")(name="Everything")
        session.add(board)
        session.flush()
        world.products["board"] = board.id
        for title, author, client in (
            ("A by its owner", "owner_a", "a"),
            ("B by Alice", "alice", "b"),
            ("B by its owner", "owner_b", "b"),
            ("Nobody's by Alice", "alice", None),
            ("A by Bob", "bob", "a"),
        ):
            ticket = app.model("ticket")(
                title=title,
                user_id=world.users[author],
                client_id=world.clients[client] if client else None,
                board_id=board.id,
            )
            session.add(ticket)
            session.flush()
            world.products[title] = ticket.id
    return world


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(
        request, tmp_path_factory.mktemp("tickets"), extra_apps=[TICKETS], build=tickets_world
    )


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


def ticket_id(world: World, title: str) -> str:
    return encode_global_id("TicketNode", world.products[title])


def titles(items: list[dict[str, Any]]) -> set[str]:
    return {item["title"] for item in items if item}


#: Alice's own tickets plus client A's.
ALICE_SEES = {"A by its owner", "B by Alice", "Nobody's by Alice", "A by Bob"}


def test_a_list_shows_the_union_of_the_grants(world: World):
    answer = world.call("alice", ALL_TICKETS)
    assert answer.errors == []
    page = answer.data["allTickets"]
    assert titles([edge["node"] for edge in page["edges"]]) == ALICE_SEES
    assert page["totalCount"] == len(ALICE_SEES)
    # Bob holds no client role: his own tickets only.
    bob = world.call("bob", ALL_TICKETS).data["allTickets"]
    assert titles([edge["node"] for edge in bob["edges"]]) == {"A by Bob"}
    # Client A's owner: client A's tickets, plus their own.
    owner = world.call("owner_a", ALL_TICKETS).data["allTickets"]
    assert titles([edge["node"] for edge in owner["edges"]]) == {"A by its owner", "A by Bob"}


@pytest.mark.parametrize(
    ("title", "visible"),
    [
        ("A by its owner", True),  # client A's (organization grant)
        ("B by Alice", True),  # hers (owner grant), in another client
        ("Nobody's by Alice", True),
        ("B by its owner", False),
    ],
)
def test_a_single_fetch_agrees_with_the_list(world: World, title: str, visible: bool):
    answer = world.call("alice", TICKET, {"id": ticket_id(world, title)})
    assert answer.code == (None if visible else "NOT_FOUND")
    node = world.call("alice", NODES, {"ids": [ticket_id(world, title)]})
    assert (node.data["nodes"][0] is not None) is visible


def test_a_nested_list_is_filtered_like_a_root_list(world: World):
    board = encode_global_id("BoardNode", world.products["board"])
    answer = world.call("alice", BOARD, {"id": board})
    assert answer.errors == []
    assert titles(answer.data["board"]["tickets"]) == ALICE_SEES
    bob = world.call("bob", BOARD, {"id": board})
    assert titles(bob.data["board"]["tickets"]) == {"A by Bob"}


@pytest.mark.parametrize(
    ("title", "code"),
    [("A by its owner", None), ("B by Alice", None), ("B by its owner", "NOT_FOUND")],
)
def test_writes_follow_the_same_union(world: World, title: str, code: str | None):
    answer = world.call("alice", UPDATE, {"id": ticket_id(world, title)})
    assert answer.code == code
    (ticket,) = rows(world.app, "ticket", id=world.products[title])
    assert (ticket.title == "Edited") is (code is None)


def test_node_reaches_own_rows_and_the_callers_clients(world: World):
    ids = [ticket_id(world, title) for title in ("A by Bob", "B by its owner", "B by Alice")]
    # Bob: his own ticket and (outside any operation) client A's rows.
    answer = world.call("bob", NODES, {"ids": ids})
    assert [node and node["title"] for node in answer.data["nodes"]] == ["A by Bob", None, None]


# -- tenant columns -----------------------------------------------------------------


def test_a_tenant_column_without_row_scopes_stops_the_start(database_url: str):
    apps = [
        "lys.apps.base",
        "lys.apps.user_auth",
        "lys.apps.user_role",
        "lys.apps.organization",
        "tests.testapps.org_untagged",
    ]
    with pytest.raises(ImproperlyConfigured) as caught:
        Application(
            build_settings(installed_apps=apps, database_url=database_url, secret_key="x" * 40)
        )
    message = str(caught.value)
    assert "'invoice'" in message
    assert "client_id" in message
    assert "organization_accessing_filters" in message


def test_without_the_organization_app_client_id_is_a_plain_column(database_url: str):
    apps = ["lys.apps.base", "lys.apps.user_auth", "tests.testapps.org_untagged"]
    app = Application(
        build_settings(installed_apps=apps, database_url=database_url, secret_key="x" * 40)
    )
    try:
        assert "invoice" in app.registry.tables
    finally:
        app.dispose()


def test_the_shipped_models_with_a_tenant_column_are_scoped(world: World):
    """Every model with ``client_id`` in the reference project declares its scopes."""
    registry = world.app.registry
    tenants = sorted(
        name for name, model in registry.tables.items() if "client_id" in model.__table__.columns
    )
    assert tenants == ["product", "ticket", "user"]
    assert registry.tenant_columns == {"client_id": "client"}


def test_client_roles_are_scoped_through_their_users_client(world: World):
    """``client_user_role`` has no client column: a grant on a client reaches the client
    roles of that client's users (upstream compared user ids to client ids)."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from lys.permissions import Access

    app = world.app
    policy = app.registry.access_policy
    model = app.model("client_user_role")
    for key, expected in (("a", {world.users["alice"]}), ("b", set())):
        context = SimpleNamespace(
            principal=None, access=Access.scoped(organizations={"client": {world.clients[key]}})
        )
        with app.session() as session:
            stmt = policy.filter_rows(select(model), model, context)
            found = list(session.scalars(stmt))
            assert {row.user_id for row in found} == expected
            for row in session.scalars(select(model)):
                assert policy.can_see(row, context) is (row.user_id in expected)
