"""The ``org`` claim: which clients a user owns, which one they belong to, and the
roles they hold there.

Written into the access token at login and at every refresh, so a change of
ownership, membership or client roles reaches the user within one access token
lifetime; what each role opens is looked up at request time (see ``permissions``).
Only ids and codes travel: a token stays small whatever the roles list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

CLAIM = "org"


@dataclass(frozen=True)
class Membership:
    """A caller's place in the clients, as their access token says."""

    owned: frozenset[uuid.UUID] = frozenset()
    client: uuid.UUID | None = None
    roles: tuple[str, ...] = ()

    @property
    def clients(self) -> frozenset[uuid.UUID]:
        """Every client the caller owns or belongs to."""
        return self.owned | ({self.client} if self.client is not None else frozenset())


def claim_provider(registry: Any) -> Callable[[Session, Any], dict[str, Any]]:
    """``(session, user) -> claims`` for ``registry.claim_providers``."""

    def organization_claims(session: Session, user: Any) -> dict[str, Any]:
        if user.is_super_user:
            return {}  # super users reach every row already
        owned = registry.service("client").owned_ids(session, user.id)
        client_id = getattr(user, "client_id", None)
        if not owned and client_id is None:
            return {}
        roles: list[str] = []
        if client_id is not None:
            roles = sorted(registry.service("client_user_role").codes_of(session, user.id))
        return {
            CLAIM: {
                "owner": sorted(str(client) for client in owned),
                "client": str(client_id) if client_id is not None else None,
                "roles": roles,
            }
        }

    return organization_claims


def membership_of(principal: Any) -> Membership | None:
    """The membership in ``principal``'s token; ``None`` for anyone outside clients."""
    if principal is None or principal.is_super_user:
        return None
    claim = principal.claims.get(CLAIM)
    if not isinstance(claim, dict):
        return None
    owned = frozenset(uuid.UUID(str(client)) for client in claim.get("owner") or ())
    client = claim.get("client")
    roles = tuple(str(code) for code in claim.get("roles") or ())
    return Membership(owned, uuid.UUID(str(client)) if client else None, roles)
