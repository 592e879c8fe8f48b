"""Error codes of the role operations (upstream's, so clients keep working)."""

from __future__ import annotations

from lys.errors import LysError


class UnauthorizedRoleAssignmentError(LysError):
    code = "UNAUTHORIZED_ROLE_ASSIGNMENT"
    status_code = 403
    default_detail = "You may only grant or withdraw roles you hold yourself."


class CannotUpdateSuperUserRolesError(LysError):
    code = "CANNOT_UPDATE_SUPER_USER_ROLES"
    status_code = 403
    default_detail = "Super users hold no roles: they may call everything already."
