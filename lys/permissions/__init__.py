"""Who may call what: webservices declared in SDL with ``@access``, checked per root field."""

from lys.permissions.webservices import (
    AccessControl,
    AccessDeniedError,
    PermissionDeniedError,
    Webservice,
)

__all__ = ["AccessControl", "AccessDeniedError", "PermissionDeniedError", "Webservice"]
