"""Clients, their users and the roles those users hold within their client.

Every method works in the caller's session and never commits: a failed operation
leaves nothing behind, queued emails included. Who may grant which client role is
decided here, not in the resolvers, so commands and jobs follow the same rule.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session
from sqlmodel import col

from lys.apps.organization.errors import SignupRateLimitError, SupervisorOnlyRoleError
from lys.apps.organization.models import Client, ClientUserRole
from lys.apps.user_auth.modules.user.errors import SearchTooLongError
from lys.apps.user_auth.modules.user.services import SEARCH_MAX_LENGTH
from lys.apps.user_auth.modules.user.throttle import Throttle
from lys.apps.user_role.errors import (
    CannotUpdateSuperUserRolesError,
    UnauthorizedRoleAssignmentError,
)
from lys.apps.user_role.services import roles_by_user
from lys.errors import NotFoundError, ValidationError
from lys.services import EntityService, Service

if TYPE_CHECKING:
    from lys.conf.settings import Settings


@dataclass(frozen=True)
class Caller:
    """Who asks for a change of client roles."""

    user_id: uuid.UUID | None
    is_super_user: bool = False


class ClientService(EntityService[Client]):
    #: Sign-ups per client address and hour: the operation is public.
    signups_per_hour: ClassVar[int] = 10

    def search(self, search: str | None = None) -> Select[Any]:
        """Clients whose name contains ``search`` (any case, taken literally)."""
        model = self.model
        stmt = select(model)
        if search is not None and len(search) > SEARCH_MAX_LENGTH:
            raise SearchTooLongError(
                f"Search at most {SEARCH_MAX_LENGTH} characters.", extensions={"field": "search"}
            )
        text = (search or "").strip()
        if text:
            stmt = stmt.where(col(model.name).icontains(text, autoescape=True))
        return stmt

    def owned_ids(self, session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
        model = self.model
        return list(session.scalars(select(col(model.id)).where(col(model.owner_id) == user_id)))

    def sign_up(
        self,
        session: Session,
        settings: Settings,
        *,
        client_name: str,
        email: str,
        password: str,
        language_id: str,
        first_name: str | None = None,
        last_name: str | None = None,
        gender_id: str | None = None,
        client_ip: str | None = None,
    ) -> Client:
        """A new client and its owner's account (who belongs to it); the owner gets the
        verification email of their address, like any new user with a password."""
        name = self.checked_name(client_name, "clientName")
        if client_ip and not self._throttle(settings).hit(f"ip:{client_ip}", self.signups_per_hour):
            raise SignupRateLimitError()
        owner = self.service("user").create_user(
            session,
            settings,
            email=email,
            password=password,
            language_id=language_id,
            first_name=first_name,
            last_name=last_name,
            gender_id=gender_id,
        )
        client = self.model(name=name, owner_id=owner.id)
        session.add(client)
        session.flush()
        owner.client_id = client.id
        session.flush()
        return client

    def rename(self, session: Session, client: Client, name: str) -> Client:
        client.name = self.checked_name(name, "name")
        session.flush()
        return client

    def checked_name(self, value: str, field: str) -> str:
        name = value.strip() if isinstance(value, str) else ""
        if not name or len(name) > 255:
            raise ValidationError(
                "A client name has 1 to 255 characters.", extensions={"field": field}
            )
        return name

    def _throttle(self, settings: Settings) -> Throttle:
        throttle: Throttle | None = getattr(self, "_signup_throttle", None)
        if throttle is None or throttle.redis_url != settings.redis_url:
            secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
            # Keys are scoped to the deployment: projects sharing a Redis count apart.
            scope = hashlib.sha256(f"lys-throttle:{secret}".encode()).hexdigest()[:16]
            throttle = Throttle(settings.redis_url, prefix=f"lys:{scope}:client-signup")
            self._signup_throttle = throttle
        return throttle


class ClientUserRoleService(EntityService[ClientUserRole]):
    """The roles users hold within their client (``role`` rows of the user_role app).

    A client role opens, within the user's client only, the webservices it lists that
    declare ORGANIZATION_ROLE.
    """

    def codes_of(self, session: Session, user_id: uuid.UUID) -> set[str]:
        """The user's enabled client roles: the ones that grant anything."""
        model, role = self.model, self.registry.model("role")
        stmt = (
            select(col(model.role_id))
            .join(role, col(role.id) == model.role_id)
            .where(
                col(model.user_id) == user_id,
                col(role.enabled).is_(True),
                role.supervisor_only.is_(False),
            )
        )
        return set(session.scalars(stmt))

    def roles_by_user(self, session: Session, user_ids: Sequence[Any]) -> list[list[Any]]:
        """Each user's client roles (disabled ones included), in one query."""
        return roles_by_user(session, self.model, self.registry.model("role"), user_ids)

    def check_assignable(
        self, session: Session, client: Client, changed: Collection[str], caller: Caller
    ) -> None:
        """Refuse a change of client roles the caller may not make.

        Never a supervisor-only role (SUPERVISOR_ONLY_ROLE), whoever asks. Otherwise
        super users may change any role and the client's owner any role of their
        client's users; anyone else only roles they hold themselves, globally or within
        this client (UNAUTHORIZED_ROLE_ASSIGNMENT), granting and withdrawing alike, so
        nobody passes on or strips rights they lack (as user_role does for global roles).
        """
        if not changed:
            return
        role = self.registry.model("role")
        reserved = sorted(
            session.scalars(
                select(role.id).where(role.id.in_(sorted(changed)), role.supervisor_only.is_(True))
            )
        )
        if reserved:
            raise SupervisorOnlyRoleError(
                f"Reserved to the internal team, never held by a client's users: "
                f"{', '.join(reserved)}.",
                extensions={"field": "roleCodes", "roles": reserved},
            )
        if caller.is_super_user:
            return
        if caller.user_id is not None and client.owner_id == caller.user_id:
            return
        held: set[str] = set()
        if caller.user_id is not None:
            held |= self.service("user_role").codes_of(session, caller.user_id)
            caller_user = session.get(self.registry.model("user"), caller.user_id)
            if caller_user is not None and caller_user.client_id == client.id:
                held |= self.codes_of(session, caller.user_id)
        missing = sorted(set(changed) - held)
        if missing:
            raise UnauthorizedRoleAssignmentError(
                f"You do not hold {', '.join(missing)}: a role is granted or withdrawn by "
                "its holders, the client's owner or a super user.",
                extensions={"field": "roleCodes", "roles": missing},
            )

    def replace(
        self, session: Session, user: Any, codes: Collection[str], *, caller: Caller
    ) -> Any:
        """Make ``codes`` the client user's whole set of client roles.

        Takes effect in the user's access tokens at their next refresh (within one
        access token lifetime).
        """
        if user.is_super_user:
            raise CannotUpdateSuperUserRolesError()
        client = self._client_of(session, user)
        model = self.model
        wanted = set(codes)
        current = set(
            session.scalars(select(col(model.role_id)).where(col(model.user_id) == user.id))
        )
        added, removed = wanted - current, current - wanted
        # Only new roles must be enabled: a role disabled since it was granted can stay.
        self.service("role").checked_codes(session, added)
        self.check_assignable(session, client, added | removed, caller)
        if removed:
            session.execute(
                delete(model).where(
                    col(model.user_id) == user.id, col(model.role_id).in_(sorted(removed))
                )
            )
        for code in sorted(added):
            session.add(model(user_id=user.id, role_id=code))
        session.flush()
        session.expire(user, ["client_user_roles"])
        return user

    def _client_of(self, session: Session, user: Any) -> Client:
        client = session.get(self.registry.model("client"), user.client_id)
        if client is None:
            raise NotFoundError("This user belongs to no client.", extensions={"field": "id"})
        return client


class ClientUserService(Service):
    """The users of clients: search, creation with client roles."""

    service_name = "client_user"

    def search(
        self,
        *,
        client_id: uuid.UUID | None = None,
        search: str | None = None,
        role_code: str | None = None,
    ) -> Select[Any]:
        """Users belonging to a client (to ``client_id`` if given), matching ``search``
        like ``allUsers`` and holding the client role ``role_code`` if given."""
        users = self.registry.model("user")
        stmt = self.service("user").search(search).where(users.client_id.is_not(None))
        if client_id is not None:
            stmt = stmt.where(users.client_id == client_id)
        if role_code is not None:
            links = self.registry.model("client_user_role")
            stmt = stmt.where(users.id.in_(select(links.user_id).where(links.role_id == role_code)))
        return stmt

    def create(
        self,
        session: Session,
        settings: Settings,
        *,
        client: Client,
        email: str,
        password: str | None,
        language_id: str,
        first_name: str | None = None,
        last_name: str | None = None,
        gender_id: str | None = None,
        role_codes: Collection[str] = (),
        caller: Caller,
    ) -> Any:
        """A new user of ``client`` with client roles; without a password they are
        invited by email to choose one, else asked to verify their address."""
        roles = self.service("client_user_role")
        codes = self.service("role").checked_codes(session, role_codes)
        roles.check_assignable(session, client, codes, caller)
        user = self.service("user").create_user(
            session,
            settings,
            email=email,
            password=password,
            language_id=language_id,
            first_name=first_name,
            last_name=last_name,
            gender_id=gender_id,
        )
        user.client_id = client.id
        for code in sorted(codes):
            session.add(roles.model(user_id=user.id, role_id=code))
        session.flush()
        return user
