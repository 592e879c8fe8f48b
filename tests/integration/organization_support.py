"""Shared by the organization tests (no tests here): the reference project's apps and a
world of clients, their members and the other kinds of callers.

Two clients, A and B, each with an owner and members: one managing users
(USER_ADMIN_ROLE), one managing the client (CLIENT_ADMIN_ROLE), one managing products
(CATALOG_MANAGER_ROLE) and one without roles. Besides them: a super user, a plain user
belonging to no client, and a role holder of the internal team (global roles).
Products: one per client and one of no client. Callers log in for real, so their access
tokens carry the claims a browser's would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application, Environment
from lys.fixtures import load_fixtures
from lys.graphql.global_ids import encode_global_id
from lys.testing import ClientPool, build_settings
from lys.testing.databases import Snapshot, reset_database
from tests.integration.test_users_support import (
    SECRET_KEY,
    Actor,
    anonymous,
    logged_in,
    make_user,
)

Clients = Callable[[Application], TestClient[Any]]

APPS = [
    "lys.apps.base",
    "lys.apps.user_auth",
    "lys.apps.user_role",
    "lys.apps.organization",
    "apps.catalog",
]
CLIENTS = ("a", "b")
#: Members of each client and their client roles.
MEMBERS = {
    "useradmin": ("USER_ADMIN_ROLE",),
    "clientadmin": ("CLIENT_ADMIN_ROLE",),
    "catalog": ("CATALOG_MANAGER_ROLE",),
    "bare": (),
}
#: The internal team's role holder: global roles (user_role), no client.
GLOBAL_ROLES = ("CLIENT_SUPERVISOR_ROLE", "USER_ADMIN_ROLE", "CATALOG_MANAGER_ROLE")


def email(who: str) -> str:
    return f"{who}@example.com"


def organization_app(
    make_app: Callable[..., Application], extra_apps: Iterable[str] = (), **settings: Any
) -> Application:
    """The reference project's apps (and ``extra_apps``), reference data loaded (no
    demo data)."""
    settings.setdefault("secret_key", SECRET_KEY)
    settings.setdefault("rate_limit_per_minute", 0)
    settings.setdefault("rate_limit_service_per_minute", 0)
    app = make_app([*APPS, *extra_apps], **settings)
    load_fixtures(app, env=Environment.PREPROD)
    return app


# -- writing straight to the database (not through the code under test) ---------------


def make_client(app: Application, name: str, owner_id: uuid.UUID) -> uuid.UUID:
    """A client owned by ``owner_id``, who belongs to it."""
    with app.session() as session:
        client = app.model("client")(name=name, owner_id=owner_id)
        session.add(client)
        session.flush()
        session.get(app.model("user"), owner_id).client_id = client.id
        return client.id


def join_client(
    app: Application, user_id: uuid.UUID, client_id: uuid.UUID | None, roles: Iterable[str] = ()
) -> None:
    with app.session() as session:
        session.get(app.model("user"), user_id).client_id = client_id
        for code in roles:
            session.add(app.model("client_user_role")(user_id=user_id, role_id=code))


def grant_global_roles(app: Application, user_id: uuid.UUID, roles: Iterable[str]) -> None:
    with app.session() as session:
        for code in roles:
            session.add(app.model("user_role")(user_id=user_id, role_id=code))


def make_product(
    app: Application, name: str, client_id: uuid.UUID | None, price: str = "10.00"
) -> uuid.UUID:
    with app.session() as session:
        product = app.model("product")(
            name=name, price=Decimal(price), category_id="BOOKS", client_id=client_id
        )
        session.add(product)
        session.flush()
        return product.id


def products(app: Application) -> dict[str, Any]:
    with app.session() as session:
        table = app.model("product")
        return {row.name: row.client_id for row in session.scalars(select(table))}


# -- the world ------------------------------------------------------------------------


@dataclass
class World:
    app: Application
    client_for: Clients
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    clients: dict[str, uuid.UUID] = field(default_factory=dict)
    products: dict[str, uuid.UUID] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    snapshot: Snapshot | None = None

    def reset(self) -> None:
        """Back to the world as built (see ``module_world``)."""
        assert self.snapshot is not None, "only a module's world can be reset"
        self.snapshot.restore(self.app.engine)
        self.app.forget_copies()

    def fresh_actor(self, who: str) -> Actor:
        """``who`` logged in anew, for a test that changes their roles or status."""
        return logged_in(self.client_for, self.app, email(who))

    def actor(self, who: str) -> Actor:
        """The caller ``who`` ("anonymous" or a user's name), logged in on first use."""
        if who not in self.actors:
            if who == "anonymous":
                self.actors[who] = anonymous(self.client_for, self.app)
            else:
                self.actors[who] = logged_in(self.client_for, self.app, email(who))
        return self.actors[who]

    def call(self, who: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        return self.actor(who).call(query, variables)

    def user_gid(self, who: str) -> str:
        return encode_global_id("UserNode", self.users[who])

    def client_gid(self, key: str) -> str:
        return encode_global_id("ClientNode", self.clients[key])

    def product_gid(self, key: str) -> str:
        return encode_global_id("ProductNode", self.products[key])

    def members(self, key: str) -> set[str]:
        """The emails of client ``key``'s users, its owner included."""
        return {email(f"{kind}_{key}") for kind in ("owner", *MEMBERS)}


def build_world(make_app: Callable[..., Application], client_for: Clients) -> World:
    """The world on a test's own application (for tests that need one to themselves)."""
    return populate(World(organization_app(make_app), client_for))


def module_world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    *,
    extra_apps: Iterable[str] = (),
    build: Callable[[World], World] | None = None,
) -> Iterator[World]:
    """The world built once for a module (per database), every caller logged in;
    ``build`` fills it (by default the clients and callers described above).

    ``World.reset()`` brings the database back to this state (sessions included, so
    callers stay logged in), which keeps each test independent at a fraction of the
    cost of a new world. Tests that change a caller's roles, client or status use
    ``fresh_actor`` so the shared callers' tokens keep telling the truth.
    """
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'organization.sqlite3'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    reset_database(database_url)
    settings = build_settings(
        installed_apps=[*APPS, *extra_apps],
        database_url=database_url,
        secret_key=SECRET_KEY,
        rate_limit_per_minute=0,
        rate_limit_service_per_minute=0,
        # The module's callers log in once; their tokens must outlive the module.
        access_token_lifetime=3600,
    )
    app = Application(settings)
    pool = ClientPool()
    try:
        app.registry.metadata.create_all(app.engine)
        load_fixtures(app, env=Environment.PREPROD)
        world = (build or populate)(World(app, pool))
        for who in world.users:
            world.actor(who)
        world.snapshot = Snapshot.capture(app.engine, app.registry.metadata)
        yield world
    finally:
        pool.close()
        app.dispose()


def populate(world: World) -> World:
    app = world.app
    users = world.users
    users["super"] = make_user(app, email("super"), super_user=True)
    users["plain"] = make_user(app, email("plain"))
    users["roleholder"] = make_user(app, email("roleholder"))
    grant_global_roles(app, users["roleholder"], GLOBAL_ROLES)
    for key in CLIENTS:
        owner = f"owner_{key}"
        users[owner] = make_user(app, email(owner))
        world.clients[key] = make_client(app, f"Client {key.upper()}", users[owner])
        for kind, roles in MEMBERS.items():
            name = f"{kind}_{key}"
            users[name] = make_user(app, email(name), first_name=kind.capitalize())
            join_client(app, users[name], world.clients[key], roles)
        world.products[key] = make_product(app, f"Product {key.upper()}", world.clients[key])
    world.products["internal"] = make_product(app, "Internal product", None)
    return world


# -- the callers of a matrix ----------------------------------------------------------

#: The caller kinds of every matrix, and who plays them. "member" is the member of
#: the target's client holding the role the operation needs, "other" the same member
#: of the other client, "bare" a member of the target's client without roles.
CALLERS = ("anonymous", "plain", "owner", "roleholder", "member", "bare", "other", "super")
#: What the callers without any grant on an operation of clients hear.
DENIED = {
    "anonymous": "ACCESS_DENIED_ERROR",
    "plain": "PERMISSION_DENIED",
    "bare": "PERMISSION_DENIED",
}


def cast(member_kind: str) -> dict[str, str]:
    """Who plays each caller kind when the operation needs ``member_kind``'s role and
    targets client A."""
    return {
        "anonymous": "anonymous",
        "plain": "plain",
        "owner": "owner_a",
        "roleholder": "roleholder",
        "member": f"{member_kind}_a",
        "bare": "bare_a",
        "other": f"{member_kind}_b",
        "super": "super",
    }


def listed_emails(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["email"] for edge in connection["edges"]}


def listed_names(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["name"] for edge in connection["edges"]}
