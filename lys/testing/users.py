"""Callers at each access level: anonymous, a connected user, a super user, and more.

A :class:`Caller` talks to the API over HTTP with a Bearer access token minted for a
real session row, so authentication, revocation checks and permissions run as in
production (Bearer requests need no XSRF header). Users and sessions are reached by
name through the registry (``user``, ``user_session``), like any app reaches another.

Access levels are an open registry: ``ACCESS_LEVELS`` maps a name to a function
``(users, **options) -> Caller``. Apps that add levels (roles, organizations) register
theirs with :func:`access_level`, and tests ask ``lys_users.at_level(name, **options)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lys.auth.tokens import ACCESS, TokenCodec
from lys.db.types import utcnow
from lys.errors import ImproperlyConfigured
from lys.testing.client import data_or_raise, post_graphql

if TYPE_CHECKING:
    from litestar.testing import TestClient
    from sqlmodel import Session

    from lys.application import Application

#: Passes the password policy; every test user has it unless told otherwise.
DEFAULT_PASSWORD = "Test-password-42"
_emails = count(1)


def next_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_emails)}@example.test"


@dataclass(frozen=True)
class _ClientInfo:
    """Where the session comes from, as ``mySessions`` shows it."""

    user_agent: str | None = "lys.testing"
    ip_address: str | None = None


@dataclass
class Caller:
    """Someone calling the API: anonymous (no ``user``), or logged in with ``token``."""

    client: TestClient[Any]
    user: Any = None
    email: str | None = None
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> Any:
        return None if self.user is None else self.user.id

    def execute(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST the operation as this caller; the HTTP status and the whole body."""
        return post_graphql(self.client, query, variables, self.headers)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The operation's ``data``; raises ``GraphQLOperationError`` on errors."""
        return data_or_raise(*self.execute(query, variables))


def create_user(
    application: Application,
    session: Session,
    *,
    email: str | None = None,
    password: str | None = DEFAULT_PASSWORD,
    status: str = "ENABLED",
    **fields: Any,
) -> Any:
    """A user made by the ``user`` service (email address, hashed password, private data),
    so it stays right as the models evolve. ``fields``: ``is_super_user``, ``first_name``,
    ``last_name``, ``language_id``, ``gender_id``."""
    users = _service(application, "user")
    user = users.create_user(
        session,
        application.settings,
        email=email or next_email(),
        password=password,
        notify=False,
        **fields,
    )
    if status != user.status_id:
        user.status_id = status
    session.flush()
    return user


def access_token(application: Application, user: Any) -> str:
    """An access token for a new session of ``user``, as a login would issue.

    The claims are those the login grants, the installed apps' (roles, memberships)
    included; ``xsrf`` is random (Bearer requests are not checked).
    """
    from lys.apps.user_auth.modules.auth.services import access_claims

    sessions = _service(application, "user_session")
    with application.session() as session:
        row = sessions.open(session, user.id, _ClientInfo(), utcnow())
        fresh = session.get(type(user), user.id)
        claims = access_claims(application.registry, session, fresh, row.id, uuid.uuid4().hex)
    codec = TokenCodec.from_settings(application.settings)
    return codec.encode(claims, ACCESS, application.settings.access_token_lifetime)


def _service(application: Application, name: str) -> Any:
    if name not in application.registry.services:
        raise ImproperlyConfigured(
            f"logging users in needs the {name!r} service, which no installed app provides "
            "(install lys.apps.user_auth)"
        )
    return application.service(name)


LevelFactory = Callable[..., Caller]
#: Access level name -> ``(users: Users, **options) -> Caller``.
ACCESS_LEVELS: dict[str, LevelFactory] = {}


def access_level(name: str) -> Callable[[LevelFactory], LevelFactory]:
    """Register how to make a caller of level ``name`` (a later registration wins)."""

    def register(factory: LevelFactory) -> LevelFactory:
        ACCESS_LEVELS[name] = factory
        return factory

    return register


class Users:
    """Makes callers for one test: ``login_as(user)``, ``anonymous()``, ``at_level(name)``."""

    def __init__(self, application: Application, session: Session, client: TestClient[Any]) -> None:
        self.application = application
        self.session = session
        self.client = client
        self._callers: dict[Any, Caller] = {}

    def create(self, **fields: Any) -> Any:
        """A new committed user (see :func:`create_user`)."""
        user = create_user(self.application, self.session, **fields)
        self.session.commit()
        return user

    def anonymous(self) -> Caller:
        return Caller(self.client)

    def login_as(self, user: Any) -> Caller:
        """A caller logged in as ``user``: a user row, its email, its id, or a Caller."""
        if isinstance(user, Caller):
            return user
        row = self._find(user)
        caller = self._callers.get(row.id)
        if caller is None:
            token = access_token(self.application, row)
            caller = Caller(
                self.client,
                user=row,
                email=self._email_of(row),
                token=token,
                headers={"Authorization": f"Bearer {token}"},
            )
            self._callers[row.id] = caller
        return caller

    def at_level(self, level: str, **options: Any) -> Caller:
        try:
            factory = ACCESS_LEVELS[level]
        except KeyError:
            known = ", ".join(sorted(ACCESS_LEVELS))
            raise ImproperlyConfigured(f"no access level {level!r} (known: {known})") from None
        return factory(self, **options)

    def _find(self, user: Any) -> Any:
        users = _service(self.application, "user")
        if isinstance(user, str) and "@" in user:
            row = users.get_by_email(self.session, user)
        else:
            key = user if isinstance(user, str | uuid.UUID) else getattr(user, "id", None)
            row = self.session.get(users.model, uuid.UUID(str(key))) if key else None
        if row is None:
            raise LookupError(f"no user {user!r} to log in as")
        return row

    def _email_of(self, row: Any) -> str | None:
        addresses = _service(self.application, "user_email_address")
        model = addresses.model
        return self.session.scalars(select(model.address).where(model.user_id == row.id)).first()


@access_level("anonymous")
def _anonymous(users: Users) -> Caller:
    return users.anonymous()


@access_level("user")
def _connected_user(users: Users, **fields: Any) -> Caller:
    return users.login_as(users.create(**fields))


@access_level("super_user")
def _super_user(users: Users, **fields: Any) -> Caller:
    return users.login_as(users.create(is_super_user=True, **fields))


class GraphQL:
    """``graphql(query, variables=None, as_user=None)``: the operation's ``data``, or
    ``GraphQLOperationError`` (with ``.code``) when it answers errors."""

    def __init__(self, users: Users) -> None:
        self.users = users

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, as_user: Any = None
    ) -> Any:
        return data_or_raise(*self.execute(query, variables, as_user))

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, as_user: Any = None
    ) -> tuple[int, dict[str, Any]]:
        """The HTTP status and the whole body, errors included."""
        caller = self.users.anonymous() if as_user is None else self.users.login_as(as_user)
        return caller.execute(query, variables)


@access_level("role_holder")
def _role_holder(
    users: Users, roles: Sequence[str] = ("USER_SUPERVISOR_ROLE",), **fields: Any
) -> Caller:
    """A user holding global ``roles`` (the ``lys.apps.user_role`` app)."""
    user = users.create(**fields)
    _service(users.application, "user_role").grant(users.session, user.id, roles)
    users.session.commit()
    return users.login_as(user)


@access_level("client_owner")
def _client_owner(users: Users, name: str | None = None, **fields: Any) -> Caller:
    """The owner of a new client (the ``lys.apps.organization`` app); the client is
    ``caller.user.client_id``."""
    owner = users.create(**fields)
    clients = _service(users.application, "client")
    client = clients.model(name=name or f"Client {uuid.uuid4().hex[:8]}", owner_id=owner.id)
    users.session.add(client)
    users.session.flush()
    owner.client_id = client.id
    users.session.commit()
    return users.login_as(owner)


@access_level("client_member")
def _client_member(
    users: Users, client: Any = None, roles: Sequence[str] = (), **fields: Any
) -> Caller:
    """A member of ``client`` (a client row or id; a new client when omitted) holding
    the client ``roles``."""
    if client is None:
        client = _client_owner(users).user.client_id
    client_id = getattr(client, "id", client)
    member = users.create(**fields)
    member.client_id = client_id
    role_links = _service(users.application, "client_user_role")
    for code in sorted(set(roles)):
        users.session.add(role_links.model(user_id=member.id, role_id=code))
    users.session.commit()
    return users.login_as(member)
