"""Shared by the user tests (no tests here): a project with the auth apps, users, actors.

Callers log in for real (``login``, cookies and the XSRF header), so access checks,
session revocation and the OWNER level are exercised as a browser would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application
from lys.auth.passwords import hash_password
from lys.fixtures import load_fixtures
from lys.graphql.global_ids import encode_global_id

APPS = ["lys.apps.base", "lys.apps.user_auth", "apps.catalog"]
SECRET_KEY = "x" * 40
PASSWORD = "Correct-horse-42"
NEW_PASSWORD = "Battery-staple-77"
BASE_URL = "https://testserver.local"

USER_FIELDS = """
  id email isSuperUser status { code } language { code }
  emailAddress { address validatedAt lastValidationRequestAt }
  privateData { firstName lastName gender { code } anonymizedAt }
  createdAt updatedAt
"""


def users_app(make_app: Callable[..., Application], **settings: Any) -> Application:
    settings.setdefault("secret_key", SECRET_KEY)
    settings.setdefault("rate_limit_per_minute", 0)
    settings.setdefault("rate_limit_service_per_minute", 0)
    app = make_app(APPS, **settings)
    load_fixtures(app)
    return app


@lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    """Hashing costs tens of milliseconds on purpose: once per password is enough here."""
    return hash_password(password)


def make_user(
    app: Application,
    email: str,
    password: str | None = PASSWORD,
    *,
    super_user: bool = False,
    status: str = "ENABLED",
    first_name: str | None = None,
    last_name: str | None = None,
    validated: bool = False,
) -> uuid.UUID:
    """A user written straight to the database (not through the service under test)."""
    from lys.db.types import utcnow

    with app.session() as session:
        user = app.model("user")(
            password=password_hash(password) if password else None,
            is_super_user=super_user,
            status_id=status,
        )
        session.add(user)
        session.flush()
        session.add(
            app.model("user_email_address")(
                address=email.lower(),
                user_id=user.id,
                validated_at=utcnow() if validated else None,
            )
        )
        session.add(
            app.model("user_private_data")(
                user_id=user.id, first_name=first_name, last_name=last_name
            )
        )
        return user.id


def gid(user_id: uuid.UUID) -> str:
    return encode_global_id("UserNode", user_id)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def code(self) -> str | None:
        return self.errors[0]["extensions"]["code"] if self.errors else None

    @property
    def extensions(self) -> dict[str, Any]:
        return self.errors[0]["extensions"] if self.errors else {}


@dataclass
class Actor:
    """A client, logged in or anonymous, sending the XSRF header when it has one."""

    client: TestClient[Any]
    xsrf: str | None = None
    user_id: uuid.UUID | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        headers = dict(self.headers)
        if self.xsrf is not None:
            headers["x-xsrf-token"] = self.xsrf
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        response = self.client.post("/graphql", json=payload, headers=headers)
        return Answer(response.status_code, response.json())


LOGIN = """
mutation Login($login: String!, $password: String!) {
  login(inputs: {login: $login, password: $password}) { success xsrfToken }
}"""


def anonymous(client_for: Callable[[Application], TestClient[Any]], app: Application) -> Actor:
    client = client_for(app)
    client.base_url = BASE_URL  # type: ignore[assignment]
    return Actor(client)


def logged_in(
    client_for: Callable[[Application], TestClient[Any]],
    app: Application,
    email: str,
    password: str = PASSWORD,
) -> Actor:
    actor = anonymous(client_for, app)
    answer = actor.call(LOGIN, {"login": email, "password": password})
    assert answer.data and answer.data["login"]["success"], answer.body
    actor.xsrf = answer.data["login"]["xsrfToken"]
    with app.session() as session:
        addresses = app.model("user_email_address")
        actor.user_id = session.scalar(
            select(addresses.user_id).where(addresses.address == email.lower())
        )
    return actor


def can_log_in(
    client_for: Callable[[Application], TestClient[Any]],
    app: Application,
    email: str,
    password: str,
) -> bool:
    actor = anonymous(client_for, app)
    answer = actor.call(LOGIN, {"login": email, "password": password})
    return bool(answer.data and answer.data["login"]["success"])


WHO_AM_I = "{ connectedUser { id } }"


def is_connected(actor: Actor) -> bool:
    """The actor's access token is still accepted."""
    answer = actor.call(WHO_AM_I)
    return bool(answer.data and answer.data.get("connectedUser"))


def rows(app: Application, model: str, **where: Any) -> list[Any]:
    table = app.model(model)
    with app.session() as session:
        stmt = select(table).order_by(table.created_at)
        for key, value in where.items():
            stmt = stmt.where(getattr(table, key) == value)
        return list(session.scalars(stmt))


def update_rows(app: Application, model: str, values: dict[str, Any], **where: Any) -> None:
    with app.session() as session:
        for row in session.scalars(select(app.model(model)).filter_by(**where)):
            for key, value in values.items():
                setattr(row, key, value)


def emails(app: Application, type_id: str, address: str | None = None) -> list[Any]:
    where: dict[str, Any] = {"type_id": type_id}
    if address is not None:
        where["email_address"] = address
    return rows(app, "emailing", **where)


def last_token(app: Application, type_id: str, address: str) -> str:
    """The token of the latest email of this type to this address."""
    sent = emails(app, type_id, address)
    assert sent, f"no {type_id} email to {address}"
    return sent[-1].context["token"]
