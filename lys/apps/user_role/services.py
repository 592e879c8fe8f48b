"""Roles and the roles users hold.

Every method works in the caller's session and never commits. Who may grant what is
decided here, not in the resolvers, so commands and jobs follow the same rule: a
caller grants or withdraws only roles they hold, unless they are a super user.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session
from sqlmodel import col

from lys.apps.user_role.errors import (
    CannotUpdateSuperUserRolesError,
    UnauthorizedRoleAssignmentError,
)
from lys.apps.user_role.grants import RoleGrants
from lys.apps.user_role.models import Role, RoleWebservice, UserRole
from lys.errors import NotFoundError, ValidationError
from lys.permissions import ROLE
from lys.services import EntityService, ParametricEntityService

#: More roles than this in one call is a mistake, not a need.
MAX_ROLES_PER_CALL = 100


def roles_by_user(
    session: Session, links: Any, role: Any, user_ids: Sequence[Any]
) -> list[list[Any]]:
    """Each user's roles through a ``(user_id, role_id)`` link table, by code, in one
    query (disabled roles included)."""
    stmt = (
        select(col(links.user_id), role)
        .join(role, role.id == links.role_id)
        .where(col(links.user_id).in_(list(user_ids)))
        .order_by(role.id)
    )
    grouped: dict[Any, list[Any]] = {user_id: [] for user_id in user_ids}
    for user_id, row in session.execute(stmt):
        grouped[user_id].append(row)
    return [grouped[user_id] for user_id in user_ids]


class RoleService(ParametricEntityService[Role]):
    #: Seconds a process trusts its copy of the role -> webservices mapping.
    grants_seconds: ClassVar[float] = 2.0

    def __init__(self, registry: Any) -> None:
        super().__init__(registry)
        self.grants = RoleGrants(self._load_grants, self.grants_seconds)

    def forget_copies(self) -> None:
        super().forget_copies()
        self.grants.invalidate()

    def search(
        self, enabled: bool | None = None, supervisor_only: bool | None = None
    ) -> Select[Any]:
        model = self.model
        stmt = select(model)
        if enabled is not None:
            stmt = stmt.where(col(model.enabled).is_(enabled))
        if supervisor_only is not None:
            stmt = stmt.where(col(model.supervisor_only).is_(supervisor_only))
        return stmt

    # -- what roles open ---------------------------------------------------------------
    def opened_by(self, session: Session, role_codes: Iterable[str]) -> frozenset[str]:
        """Names listed by any of these roles (enabled ones), from the process's copy."""
        return self.grants.opened_by(session, role_codes)

    def webservice_names(self, session: Session, role_code: str) -> set[str]:
        """The webservices the role opens: those it lists that declare ROLE (a role
        listing any other grants nothing there). For ``allAccessibleWebservices``."""
        role = self.get(session, role_code) if isinstance(role_code, str) else None
        if role is None:
            raise NotFoundError(f"No role {role_code!r}.", extensions={"field": "roleCode"})
        listed = {link.webservice_id for link in role.webservice_links}
        return self._declaring_role(session, listed)

    def _declaring_role(self, session: Session, names: set[str]) -> set[str]:
        """Of ``names``, those declaring ROLE: this service's from its registry, other
        services' from the webservice table they registered."""
        declared = self.registry.webservices
        opened = {n for n in names if n in declared and ROLE in declared[n].access_levels}
        foreign = [n for n in names if n not in declared]
        if foreign and "webservice_access_level" in self.registry.tables:
            links = self.registry.model("webservice_access_level")
            opened |= set(
                session.scalars(
                    select(links.webservice_id).where(
                        links.webservice_id.in_(foreign), links.access_level_id == ROLE
                    )
                )
            )
        return opened

    def _load_grants(self, session: Session) -> dict[str, frozenset[str]]:
        role, link = self.model, self.registry.model("role_webservice")
        stmt = (
            select(col(role.id), col(link.webservice_id))
            .outerjoin(link, link.role_id == role.id)
            .where(col(role.enabled).is_(True))
        )
        mapping: dict[str, set[str]] = {}
        for code, name in session.execute(stmt):
            names = mapping.setdefault(code, set())
            if name is not None:
                names.add(name)
        return {code: frozenset(names) for code, names in mapping.items()}

    # -- writing -----------------------------------------------------------------------
    def set_webservices(self, session: Session, role_code: str, names: Iterable[str]) -> Role:
        """Replace the webservices the role lists; every process sees it within
        ``grants_seconds``, this one as soon as the transaction commits."""
        role = self.get_or_404(session, role_code)
        role.webservice_links = self.links_for(role, names)
        session.flush()
        self.grants.invalidate_on_commit(session)
        return role

    def links_for(self, role: Role | None, names: Iterable[str]) -> list[RoleWebservice]:
        """Link rows for ``names``, reusing the role's existing ones, in the order the
        relationship loads them: an unchanged list compares equal (fixtures reload as
        a no-op)."""
        current = {link.webservice_id: link for link in (role.webservice_links if role else ())}
        model = self.registry.model("role_webservice")
        return [current.get(name) or model(webservice_id=name) for name in sorted(set(names))]

    # -- checks ------------------------------------------------------------------------
    def checked_codes(self, session: Session, codes: Collection[str]) -> set[str]:
        """``codes`` as a set, each an enabled role; else VALIDATION_ERROR on roleCodes."""
        wanted = set(codes)
        if len(wanted) > MAX_ROLES_PER_CALL:
            raise ValidationError(
                f"At most {MAX_ROLES_PER_CALL} roles per call.", extensions={"field": "roleCodes"}
            )
        unknown = sorted(code for code in wanted if not self.is_enabled(session, code))
        if unknown:
            raise ValidationError(
                f"Unknown or disabled roles: {', '.join(unknown)}; see allRoles.",
                extensions={"field": "roleCodes", "roles": unknown},
            )
        return wanted


class UserRoleService(EntityService[UserRole]):
    # -- reading -----------------------------------------------------------------------
    def codes_of(self, session: Session, user_id: uuid.UUID) -> set[str]:
        """The user's enabled roles: the ones that grant anything."""
        model, role = self.model, self.registry.model("role")
        stmt = (
            select(col(model.role_id))
            .join(role, col(role.id) == model.role_id)
            .where(col(model.user_id) == user_id, col(role.enabled).is_(True))
        )
        return set(session.scalars(stmt))

    def roles_by_user(self, session: Session, user_ids: Sequence[Any]) -> list[list[Role]]:
        """Each user's roles (disabled ones included, by code), in one query."""
        return roles_by_user(session, self.model, self.registry.model("role"), user_ids)

    def claims(self, session: Session, user: Any) -> Mapping[str, Any]:
        """The ``roles`` claim of the user's access tokens: enabled role codes, renewed
        at every refresh. Super users need none (they may call everything)."""
        if user.is_super_user:
            return {"roles": []}
        return {"roles": sorted(self.codes_of(session, user.id))}

    def search_users(
        self,
        search: str | None = None,
        status_id: str | None = None,
        role_code: str | None = None,
        *,
        include_super_users: bool = True,
    ) -> Select[Any]:
        """The user service's search, narrowed to holders of ``role_code`` and, unless
        told otherwise, to users who are not super users."""
        users = self.registry.model("user")
        stmt = self.service("user").search(search, status_id)
        if role_code is not None:
            model = self.model
            stmt = stmt.where(
                col(users.id).in_(select(col(model.user_id)).where(col(model.role_id) == role_code))
            )
        if not include_super_users:
            stmt = stmt.where(users.is_super_user.is_(False))
        return stmt

    # -- writing -----------------------------------------------------------------------
    def check_grant(
        self,
        session: Session,
        changed: Collection[str],
        *,
        caller_id: uuid.UUID | None,
        caller_is_super_user: bool,
    ) -> None:
        """Refuse (UNAUTHORIZED_ROLE_ASSIGNMENT) a change of roles the caller does not
        hold: granting or withdrawing alike, else a holder of one role could pass any
        other on, or strip a colleague of a role they cannot give back."""
        if caller_is_super_user or not changed:
            return
        held = self.codes_of(session, caller_id) if caller_id is not None else set()
        missing = sorted(set(changed) - held)
        if missing:
            raise UnauthorizedRoleAssignmentError(
                f"You do not hold {', '.join(missing)}: only holders (or super users) may "
                "grant or withdraw a role.",
                extensions={"field": "roleCodes", "roles": missing},
            )

    def grant(self, session: Session, user_id: uuid.UUID, codes: Iterable[str]) -> None:
        for code in sorted(set(codes)):
            session.add(self.model(user_id=user_id, role_id=code))
        session.flush()

    def replace(
        self,
        session: Session,
        user: Any,
        codes: Collection[str],
        *,
        caller_id: uuid.UUID | None,
        caller_is_super_user: bool,
    ) -> Any:
        """Make ``codes`` the user's whole set of roles.

        Takes effect in the user's access tokens at their next refresh (within one
        access token lifetime).
        """
        if user.is_super_user:
            raise CannotUpdateSuperUserRolesError()
        wanted = set(codes)
        model = self.model
        current = set(
            session.scalars(select(col(model.role_id)).where(col(model.user_id) == user.id))
        )
        added, removed = wanted - current, current - wanted
        # Only new roles must be enabled: a role disabled since it was granted can be kept.
        self.service("role").checked_codes(session, added)
        self.check_grant(
            session,
            added | removed,
            caller_id=caller_id,
            caller_is_super_user=caller_is_super_user,
        )
        if removed:
            session.execute(
                delete(model).where(
                    col(model.user_id) == user.id, col(model.role_id).in_(sorted(removed))
                )
            )
        self.grant(session, user.id, added)
        session.expire(user, ["roles"])
        return user
