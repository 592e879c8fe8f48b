from __future__ import annotations

import uuid
from typing import Any

from lys.permissions import NO_OPINION, ORGANIZATION_ROLE, Access, Verdict, partial


def _teams(context: Any) -> set[uuid.UUID]:
    principal = getattr(context, "principal", None)
    if principal is None:
        return set()
    return {uuid.UUID(team) for team in principal.claims.get("teams", ())}


class TeamPermission:
    """Members reach their teams' rows on webservices declaring ORGANIZATION_ROLE."""

    def check(self, context: Any, webservice: Any) -> Verdict:
        teams = _teams(context)
        if ORGANIZATION_ROLE in webservice.access_levels and teams:
            return partial(Access.scoped(organizations={"team": teams}))
        return NO_OPINION

    def baseline(self, context: Any) -> Access | None:
        teams = _teams(context)
        return Access.scoped(organizations={"team": teams}) if teams else None


class BrokenPermission:
    """Raises: the chain must count it as no opinion, never as a grant."""

    def check(self, context: Any, webservice: Any) -> Verdict:
        raise RuntimeError("boom")


class DenyEverything:
    def check(self, context: Any, webservice: Any) -> Verdict:
        from lys.permissions import deny

        return deny()
