"""The ROLE access level: holders of a role may call the webservices it lists.

Only webservices that declare ROLE can be opened by a role: a role listing any other
(a super-user-only one, say) grants nothing there. The caller's roles come from the
``roles`` claim of their access token (renewed at every refresh); what each role lists
comes from the database through the ``role`` service's short-lived per-process copy.
"""

from __future__ import annotations

from typing import Any

from lys.permissions import ALLOW, NO_OPINION, ROLE, Verdict


class RolePermission:
    def check(self, context: Any, webservice: Any) -> Verdict:
        principal = getattr(context, "principal", None)
        if principal is None or principal.is_super_user or ROLE not in webservice.access_levels:
            return NO_OPINION
        codes = principal.claims.get("roles")
        if not codes or not isinstance(codes, list):
            return NO_OPINION
        opened = context.registry.service("role").opened_by(context.session, codes)
        return ALLOW if webservice.name in opened else NO_OPINION
