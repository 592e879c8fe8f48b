"""The permission classes every chain starts with, and the connected-user one.

Apps add their own (roles, organizations) to the chain; ``PERMISSION_CLASSES`` in the
settings replaces the whole chain with dotted paths, in order.
"""

from __future__ import annotations

from typing import Any

from lys.errors import PermissionDeniedError
from lys.permissions.chain import ALLOW, NO_OPINION, AccessDeniedError, Verdict, deny, partial
from lys.permissions.grants import Access

NO_LIMITATION = "NO_LIMITATION"
DISCONNECTED = "DISCONNECTED"
CONNECTED = "CONNECTED"
OWNER = "OWNER"
ROLE = "ROLE"
ORGANIZATION_ROLE = "ORGANIZATION_ROLE"
INTERNAL_SERVICE = "INTERNAL_SERVICE"
LEVELS = (CONNECTED, OWNER, ROLE, ORGANIZATION_ROLE, INTERNAL_SERVICE)
LEVELS_DESCRIPTIONS = {
    CONNECTED: "Any connected user",
    OWNER: "Connected users, on their own rows",
    ROLE: "Users holding a role that lists the webservice",
    ORGANIZATION_ROLE: "Members of an organization whose roles list the webservice",
    INTERNAL_SERVICE: "Other services of the deployment",
}


class InternalServicePermission:
    """Other services of the deployment, on webservices that list INTERNAL_SERVICE."""

    def check(self, context: Any, webservice: Any) -> Verdict:
        caller = getattr(context, "service_caller", None)
        if caller is not None and INTERNAL_SERVICE in webservice.access_levels:
            return ALLOW
        return NO_OPINION


class PublicPermission:
    """Public webservices; anonymous callers get no further than this."""

    def check(self, context: Any, webservice: Any) -> Verdict:
        principal = getattr(context, "principal", None)
        if webservice.public_type == NO_LIMITATION:
            return ALLOW
        if webservice.public_type == DISCONNECTED:
            if principal is None or principal.is_super_user:
                return ALLOW
            return deny(PermissionDeniedError("Only callers who are not connected may do this."))
        if principal is None and getattr(context, "service_caller", None) is None:
            return Verdict(None, AccessDeniedError)
        return NO_OPINION


class ConnectedPermission:
    """Connected users: super users pass everything, CONNECTED passes, OWNER reaches the
    caller's own rows."""

    def check(self, context: Any, webservice: Any) -> Verdict:
        principal = getattr(context, "principal", None)
        if principal is None:
            return NO_OPINION
        if principal.is_super_user or CONNECTED in webservice.access_levels:
            return ALLOW
        if OWNER in webservice.access_levels:
            return partial(Access.scoped(owner=True))
        return NO_OPINION
