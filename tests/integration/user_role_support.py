"""Shared by the user_role tests (no tests here): a project with roles, and callers at
every level the role tests need.

Callers log in for real, so their access tokens carry the ``roles`` claim the login
grants. The cast: ``owner`` (Alice, the user operations' target), ``plain`` (Bob, a
user without roles), ``holder`` (Hugo, holding USER_SUPERVISOR_ROLE), ``super_user``
(Root) and ``anonymous``.

The world is built once per module and database (see :func:`module_world`) and put
back as built before every test (:meth:`World.reset`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application
from lys.fixtures import load_fixtures
from lys.testing import ClientPool, build_settings
from lys.testing.databases import Snapshot, reset_database
from tests.integration.test_users_support import (
    SECRET_KEY,
    Actor,
    Answer,
    anonymous,
    logged_in,
    make_user,
)

Clients = Callable[[Application], TestClient[Any]]

APPS = ["lys.apps.base", "lys.apps.user_auth", "lys.apps.user_role"]
SUPERVISOR = "USER_SUPERVISOR_ROLE"
CALLERS = ("anonymous", "plain", "owner", "holder", "super_user")
EMAILS = {
    "owner": "alice@example.com",
    "plain": "bob@example.com",
    "holder": "hugo@example.com",
    "super_user": "root@example.com",
}
REFRESH = "mutation { refreshAccessToken { success xsrfToken } }"


def make_role(
    app: Application,
    code: str,
    webservices: Iterable[str] = (),
    *,
    enabled: bool = True,
    supervisor_only: bool = False,
) -> None:
    """A role written through the ``role`` service (as another process would)."""
    with app.session() as session:
        session.add(app.model("role")(id=code, enabled=enabled, supervisor_only=supervisor_only))
        session.flush()
        app.service("role").set_webservices(session, code, webservices)


def grant(app: Application, user_id: uuid.UUID, *codes: str) -> None:
    """Roles written straight to the database (not through the service under test)."""
    with app.session() as session:
        for code in codes:
            session.add(app.model("user_role")(user_id=user_id, role_id=code))


def roles_of(app: Application, user_id: uuid.UUID) -> set[str]:
    model = app.model("user_role")
    with app.session() as session:
        return set(session.scalars(select(model.role_id).where(model.user_id == user_id)))


def refresh(actor: Actor) -> Answer:
    """Rotate the actor's tokens: the new access token carries its current roles."""
    answer = actor.call(REFRESH)
    assert answer.data and answer.data["refreshAccessToken"]["success"], answer.body
    actor.xsrf = answer.data["refreshAccessToken"]["xsrfToken"]
    return answer


@dataclass
class World:
    app: Application
    client_for: Clients
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    #: Each caller's cookies and XSRF token right after the login.
    logins: dict[str, tuple[httpx.Cookies, str | None]] = field(default_factory=dict)

    def reset(self) -> None:
        """Back to the world as built: the rows (sessions included), no copies of the
        roles read from other rows, and every caller's cookies as the login left them."""
        assert self.snapshot is not None, "the world is reset once built"
        self.snapshot.restore(self.app.engine)
        self.app.forget_copies()
        for who, (cookies, xsrf) in self.logins.items():
            actor = self.actors[who]
            actor.client.cookies = httpx.Cookies(cookies)
            actor.xsrf = xsrf

    def fresh_actor(self, who: str) -> Actor:
        """``who`` logged in anew, for a test that refreshes or ends their session."""
        return logged_in(self.client_for, self.app, EMAILS[who])

    def actor(self, who: str) -> Actor:
        """The caller ``who``, logged in when the world was built."""
        if who not in self.actors:
            if who == "anonymous":
                self.actors[who] = anonymous(self.client_for, self.app)
            else:
                self.actors[who] = logged_in(self.client_for, self.app, EMAILS[who])
        return self.actors[who]

    def call(self, who: str, query: str, variables: dict[str, Any] | None = None) -> Answer:
        return self.actor(who).call(query, variables)


def populate(world: World) -> World:
    app = world.app
    world.ids.update(
        owner=make_user(app, EMAILS["owner"], first_name="Alice"),
        plain=make_user(app, EMAILS["plain"], first_name="Bob"),
        holder=make_user(app, EMAILS["holder"], first_name="Hugo"),
        super_user=make_user(app, EMAILS["super_user"], super_user=True),
    )
    grant(app, world.ids["holder"], SUPERVISOR)
    return world


def module_world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    build: Callable[[World], object] | None = None,
) -> Iterator[World]:
    """The world built once for a module (``request.param``: the database), every
    caller logged in; ``build`` adds the module's own rows (roles) before the logins.

    ``World.reset()`` brings it back to this state before each test, which keeps the
    tests independent at a fraction of the cost of a new application and logins.
    """
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'user_role.sqlite3'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    reset_database(database_url)
    settings = build_settings(
        installed_apps=APPS,
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
        load_fixtures(app)
        world = populate(World(app, pool))
        if build is not None:
            build(world)
        for who in CALLERS:
            actor = world.actor(who)
            world.logins[who] = (httpx.Cookies(actor.client.cookies), actor.xsrf)
        world.snapshot = Snapshot.capture(app.engine, app.registry.metadata)
        yield world
    finally:
        pool.close()
        app.dispose()
