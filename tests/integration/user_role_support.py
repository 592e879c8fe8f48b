"""Shared by the user_role tests (no tests here): a project with roles, and callers at
every level the role tests need.

Callers log in for real, so their access tokens carry the ``roles`` claim the login
grants. The cast: ``owner`` (Alice, the user operations' target), ``plain`` (Bob, a
user without roles), ``holder`` (Hugo, holding USER_SUPERVISOR_ROLE), ``super_user``
(Root) and ``anonymous``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application
from lys.fixtures import load_fixtures
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


def roles_app(make_app: Callable[..., Application], **settings: Any) -> Application:
    settings.setdefault("secret_key", SECRET_KEY)
    settings.setdefault("rate_limit_per_minute", 0)
    settings.setdefault("rate_limit_service_per_minute", 0)
    app = make_app(APPS, **settings)
    load_fixtures(app)
    return app


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
    ids: dict[str, uuid.UUID]
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, who: str) -> Actor:
        """The caller ``who``, logged in on first use and kept for the test."""
        if who not in self.actors:
            if who == "anonymous":
                self.actors[who] = anonymous(self.client_for, self.app)
            else:
                self.actors[who] = logged_in(self.client_for, self.app, EMAILS[who])
        return self.actors[who]

    def call(self, who: str, query: str, variables: dict[str, Any] | None = None) -> Answer:
        return self.actor(who).call(query, variables)


def build_world(make_app: Callable[..., Application], client_for: Clients) -> World:
    app = roles_app(make_app)
    ids = {
        "owner": make_user(app, EMAILS["owner"], first_name="Alice"),
        "plain": make_user(app, EMAILS["plain"], first_name="Bob"),
        "holder": make_user(app, EMAILS["holder"], first_name="Hugo"),
        "super_user": make_user(app, EMAILS["super_user"], super_user=True),
    }
    grant(app, ids["holder"], SUPERVISOR)
    return World(app, client_for, ids)
