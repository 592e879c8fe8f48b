"""The ORGANIZATION_ROLE access level: owners and members act within their client.

On a webservice declaring ORGANIZATION_ROLE, the owner of a client reaches that
client's rows, and a member reaches their client's rows when one of their client roles
lists the webservice. The grant is partial (a row scope), so it adds up with the
caller's other grants (their own rows, a global role) and the rows of other clients
stay out of reach, in lists and single objects alike.
"""

from __future__ import annotations

from typing import Any

from lys.apps.organization.claims import membership_of
from lys.apps.organization.models import CLIENT
from lys.permissions import NO_OPINION, ORGANIZATION_ROLE, Access, Verdict, partial


class OrganizationPermission:
    def check(self, context: Any, webservice: Any) -> Verdict:
        if ORGANIZATION_ROLE not in webservice.access_levels:
            return NO_OPINION
        membership = membership_of(getattr(context, "principal", None))
        if membership is None:
            return NO_OPINION
        clients = set(membership.owned)
        if membership.client is not None and membership.roles:
            opened = context.registry.service("role").opened_by(context.session, membership.roles)
            if webservice.name in opened:
                clients.add(membership.client)
        if not clients:
            return NO_OPINION
        return partial(Access.scoped(organizations={CLIENT: clients}))

    def baseline(self, context: Any) -> Access | None:
        """Outside a webservice (``node``, ``nodes``, jobs) callers reach the rows of
        the clients they own or belong to."""
        membership = membership_of(getattr(context, "principal", None))
        if membership is None or not membership.clients:
            return None
        return Access.scoped(organizations={CLIENT: membership.clients})
