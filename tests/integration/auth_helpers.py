"""Shared by the authentication tests: a project with the auth apps, users, HTTP calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from lys import Application
from lys.auth.passwords import hash_password
from lys.fixtures import load_fixtures

AUTH_APPS = ["lys.apps.base", "lys.apps.user_auth", "apps.catalog"]
SECRET_KEY = "auth-tests-secret-key-0123456789-abcdefghijklmnop"
PASSWORD = "Correct-horse-42"
BASE_URL = "https://testserver.local"

LOGIN = """
mutation Login($login: String!, $password: String!) {
  login(inputs: {login: $login, password: $password}) {
    success message accessTokenExpireIn xsrfToken
  }
}"""
REFRESH = "mutation { refreshAccessToken { success accessTokenExpireIn xsrfToken } }"
LOGOUT = "mutation { logout { succeed message } }"
LOGOUT_EVERYWHERE = "mutation { logoutEverywhere { succeed message } }"
CONNECTED_USER = "{ connectedUser { id email isSuperUser status { code } } }"
MY_SESSIONS = "{ mySessions { id createdAt lastUsedAt expiresAt userAgent ipAddress current } }"


def auth_app(make_app: Callable[..., Application], **settings: Any) -> Application:
    """The auth project on the test's database, reference data loaded."""
    settings.setdefault("secret_key", SECRET_KEY)
    settings.setdefault("rate_limit_per_minute", 0)
    app = make_app(AUTH_APPS, **settings)
    load_fixtures(app)
    return app


@lru_cache
def _hashed(password: str) -> str:
    """Hashing costs ~0.2 s by design: once per password and process is enough here."""
    return hash_password(password)


def create_user(
    app: Application,
    email: str,
    password: str | None = PASSWORD,
    *,
    status: str = "ENABLED",
    super_user: bool = False,
    password_hash: str | None = None,
) -> uuid.UUID:
    with app.session() as session:
        user = app.model("user")(
            password=password_hash or (_hashed(password) if password else None),
            is_super_user=super_user,
            status_id=status,
        )
        session.add(user)
        session.flush()
        session.add(app.model("user_email_address")(address=email.lower(), user_id=user.id))
        return user.id


def connect(client_for: Callable[[Application], TestClient[Any]], app: Application) -> TestClient:
    """A client talking HTTPS, so that ``Secure`` cookies come back like in a browser."""
    client = client_for(app)
    client.base_url = BASE_URL  # type: ignore[assignment]
    return client


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    cookies: dict[str, dict[str, Any]]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def code(self) -> str | None:
        return self.errors[0]["extensions"]["code"] if self.errors else None


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    xsrf: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    sent = dict(headers or {})
    if xsrf is not None:
        sent["x-xsrf-token"] = xsrf
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = client.post("/graphql", json=payload, headers=sent)
    return Answer(response.status_code, response.json(), set_cookies(response))


def login(client: TestClient, email: str, password: str = PASSWORD) -> Answer:
    return call(client, LOGIN, {"login": email, "password": password})


def logged_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in; returns the XSRF token."""
    answer = login(client, email, password)
    assert answer.data and answer.data["login"]["success"], answer.body
    return answer.data["login"]["xsrfToken"]


def set_cookies(response: Any) -> dict[str, dict[str, Any]]:
    """The response's Set-Cookie headers: name -> {"value", and lower-case attributes}."""
    parsed: dict[str, dict[str, Any]] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        cookie: dict[str, Any] = {"value": value.strip('"')}
        for attribute in attributes:
            key, sep, attr_value = attribute.partition("=")
            cookie[key.lower()] = attr_value if sep else True
        parsed[name] = cookie
    return parsed


def cleared(answer: Answer, name: str) -> bool:
    cookie = answer.cookies.get(name)
    return cookie is not None and cookie.get("max-age") == "0" and not cookie["value"]


def rows(app: Application, model: str, **where: Any) -> list[Any]:
    table = app.model(model)
    with app.session() as session:
        stmt = select(table)
        for key, value in where.items():
            stmt = stmt.where(getattr(table, key) == value)
        return list(session.scalars(stmt))


def update_rows(app: Application, model: str, values: dict[str, Any], **where: Any) -> None:
    with app.session() as session:
        for row in session.scalars(select(app.model(model)).filter_by(**where)):
            for key, value in values.items():
                setattr(row, key, value)
