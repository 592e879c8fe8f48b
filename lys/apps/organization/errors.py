"""Error codes of the organization operations (upstream's, so clients keep working)."""

from __future__ import annotations

from lys.errors import LysError


class SupervisorOnlyRoleError(LysError):
    code = "SUPERVISOR_ONLY_ROLE"
    status_code = 403
    default_detail = (
        "This role is reserved to the internal team and cannot be given to a client's user."
    )


class SignupRateLimitError(LysError):
    """Too many clients signed up from one address: sign-up is public, so it is bounded."""

    code = "RATE_LIMIT_ERROR"
    status_code = 429
    default_detail = "Too many sign-ups from your network; try again in an hour."


class ClientOwnerProtectedError(LysError):
    """Members who manage users may not change their client's owner: the owner's email
    is the key to the whole client, so only the owner (or the internal team) changes it."""

    code = "PERMISSION_DENIED"
    status_code = 403
    default_detail = "Only the owner of the client, or the internal team, may change the owner."
