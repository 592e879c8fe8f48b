"""Who may call what, and which rows they reach.

Webservices (root fields) declare their access in SDL with ``@access``; a chain of
permission classes turns a caller into an ``Access`` per call; row scopes declared by
models turn that ``Access`` into SQL filters and object checks.
"""

from lys.permissions.builtin import (
    CONNECTED,
    DISCONNECTED,
    INTERNAL_SERVICE,
    LEVELS,
    LEVELS_DESCRIPTIONS,
    NO_LIMITATION,
    ORGANIZATION_ROLE,
    OWNER,
    ROLE,
    ConnectedPermission,
    InternalServicePermission,
    PublicPermission,
)
from lys.permissions.chain import (
    ALLOW,
    NO_OPINION,
    AccessDeniedError,
    PermissionChain,
    Verdict,
    deny,
    partial,
)
from lys.permissions.grants import FULL, NOTHING, Access
from lys.permissions.webservices import (
    AccessControl,
    UnknownWebserviceError,
    Webservice,
    disable_webservice,
    override_webservice,
)

__all__ = [
    "ALLOW",
    "CONNECTED",
    "DISCONNECTED",
    "FULL",
    "INTERNAL_SERVICE",
    "LEVELS",
    "LEVELS_DESCRIPTIONS",
    "NOTHING",
    "NO_LIMITATION",
    "NO_OPINION",
    "ORGANIZATION_ROLE",
    "OWNER",
    "ROLE",
    "Access",
    "AccessControl",
    "AccessDeniedError",
    "ConnectedPermission",
    "InternalServicePermission",
    "PermissionChain",
    "PublicPermission",
    "UnknownWebserviceError",
    "Verdict",
    "Webservice",
    "deny",
    "disable_webservice",
    "override_webservice",
    "partial",
]
